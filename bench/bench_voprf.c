/*
 * bench_voprf.c - pseudonym_compute() against the group operations it cannot avoid.
 *
 * A pseudonym costs one hash to the group and one scalar multiplication,
 * plus a few SHA-512 blocks.  This measures (a) pseudonym_compute() and (b)
 * crypto_core_ristretto255_from_hash() followed by
 * crypto_scalarmult_ristretto255() in the same run, and prints the medians
 * over the rounds of the calls per second and their ratio a/b.  Each round
 * gives both the same time, in alternating slices (a b, b a, ...) so that
 * load from other processes and clock changes hit both alike.
 *
 * Usage: bench_voprf [rounds [seconds-per-run]]   (defaults 5 and 1)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "pseudonym.h"

#define NINPUTS	   256
#define CHUNK	   16 /* calls between clock reads */
#define SLICES	   50 /* per round and side */
#define ROUNDS_MAX 101

struct bench {
	struct pseudonym_key key;
	char canon[NINPUTS][16];
	size_t canon_len[NINPUTS];
	uint8_t hashes[NINPUTS][crypto_core_ristretto255_HASHBYTES];
	uint8_t sink[VOPRF_OUTPUT_BYTES];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct tally {
	size_t calls;
	double secs;
};

/* Runs `step` for about `secs` seconds and adds to `t`; -1 if a call failed. */
static int slice(struct bench *b, int (*step)(struct bench *, size_t), double secs, struct tally *t)
{
	double start = now(), elapsed;
	size_t calls = 0;

	do {
		for (size_t i = 0; i < CHUNK; i++)
			if (step(b, (t->calls + calls + i) % NINPUTS) != 0)
				return -1;
		calls += CHUNK;
		elapsed = now() - start;
	} while (elapsed < secs);
	t->calls += calls;
	t->secs += elapsed;
	return 0;
}

static int step_pseudonym(struct bench *b, size_t i)
{
	return pseudonym_compute(&b->key, "phone", b->canon[i], b->canon_len[i], b->sink);
}

static int step_baseline(struct bench *b, size_t i)
{
	uint8_t p[crypto_core_ristretto255_BYTES];

	if (crypto_core_ristretto255_from_hash(p, b->hashes[i]) != 0)
		return -1;
	return crypto_scalarmult_ristretto255(b->sink, b->key.sk, p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int parse_arg(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static struct bench b;
	double rounds_d = 5, secs = 1, a[ROUNDS_MAX], base[ROUNDS_MAX], ma, mb;
	size_t rounds;

	if ((argc > 1 && parse_arg(argv[1], 1, ROUNDS_MAX, &rounds_d) != 0) ||
	    (argc > 2 && parse_arg(argv[2], 0.01, 60, &secs) != 0) || argc > 3) {
		fprintf(stderr, "usage: bench_voprf [rounds 1..%d [seconds 0.01..60]]\n",
			ROUNDS_MAX);
		return 2;
	}
	rounds = (size_t)rounds_d;
	if (sodium_init() < 0 || pseudonym_key_generate(&b.key) != 0) {
		fprintf(stderr, "bench_voprf: cannot initialise libsodium or the key\n");
		return 1;
	}
	for (size_t i = 0; i < NINPUTS; i++) {
		int n = snprintf(b.canon[i], sizeof(b.canon[i]), "+316%08u",
				 (unsigned int)randombytes_uniform(100000000));

		if (n < 0 || (size_t)n >= sizeof(b.canon[i]))
			return 1;
		b.canon_len[i] = (size_t)n;
		randombytes_buf(b.hashes[i], sizeof(b.hashes[i]));
	}

	for (size_t r = 0; r < rounds; r++) {
		struct tally ta = { 0, 0 }, tb = { 0, 0 };

		for (size_t k = 0; k < SLICES; k++) {
			int first_a = k % 2 == 0, rc;

			rc = slice(&b, first_a ? step_pseudonym : step_baseline, secs / SLICES,
				   first_a ? &ta : &tb);
			rc |= slice(&b, first_a ? step_baseline : step_pseudonym, secs / SLICES,
				    first_a ? &tb : &ta);
			if (rc != 0) {
				fprintf(stderr, "bench_voprf: a call failed\n");
				return 1;
			}
		}
		a[r] = (double)ta.calls / ta.secs;
		base[r] = (double)tb.calls / tb.secs;
	}
	ma = median(a, rounds);
	mb = median(base, rounds);
	printf("pseudonym_per_sec=%.0f baseline_per_sec=%.0f ratio=%.3f\n", ma, mb, ma / mb);
	pseudonym_key_clear(&b.key);
	return 0;
}
