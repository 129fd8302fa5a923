/*
 * bench_voprf.c - the VOPRF against the group operations it cannot avoid.
 *
 * Pseudonyms: a pseudonym costs one hash to the group and one scalar
 * multiplication, plus a few SHA-512 blocks.  This measures
 * pseudonym_compute() against crypto_core_ristretto255_from_hash() followed
 * by crypto_scalarmult_ristretto255(), in calls per second.
 *
 * Blind evaluation: voprf_blind_evaluate() in VOPRF mode of batches of
 * BATCH blinded elements with their one DLEQ proof, in elements per second,
 * against crypto_scalarmult_ristretto255() alone, in calls per second.  An
 * element costs one multiplication for its evaluation, its hash d_i and its
 * share of the proof's composite M = sum d_i * C_i, a variable-time
 * multi-scalar multiplication (ristretto.c), so 1.0 is the bound.
 *
 * Each comparison prints the medians over the rounds and their ratio.  Each
 * round gives both sides the same time, in alternating slices (a b, b a,
 * ...) so that load from other processes and clock changes hit both alike.
 *
 * Usage: bench_voprf [rounds [seconds-per-run]]   (defaults 5 and 1)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bench.h"
#include "pseudonym.h"

#define NINPUTS	   256
#define BATCH	   100
#define CHUNK	   16 /* work units (calls or elements) between clock reads, at least */
#define SLICES	   50 /* per round and side */
#define ROUNDS_MAX 101

struct bench {
	struct pseudonym_key key;
	char canon[NINPUTS][16];
	size_t canon_len[NINPUTS];
	uint8_t hashes[NINPUTS][crypto_core_ristretto255_HASHBYTES];
	uint8_t blinded[NINPUTS][VOPRF_ELEMENT_BYTES];
	uint8_t evaluated[BATCH][VOPRF_ELEMENT_BYTES];
	uint8_t proof[VOPRF_PROOF_BYTES];
	uint8_t sink[VOPRF_OUTPUT_BYTES];
};

/* One side of a comparison: `step` does `units` units of work (calls or elements). */
struct side {
	int (*step)(struct bench *, size_t);
	size_t units;
};

struct tally {
	size_t units;
	double secs;
};

/* Runs `s` for about `secs` seconds and adds to `t`; -1 if a call failed. */
static int slice(struct bench *b, const struct side *s, double secs, struct tally *t)
{
	double start = bench_now(), elapsed;
	size_t units = 0;

	do {
		for (size_t i = 0; i < (CHUNK + s->units - 1) / s->units; i++) {
			if (s->step(b, (t->units + units) / s->units % NINPUTS) != 0)
				return -1;
			units += s->units;
		}
		elapsed = bench_now() - start;
	} while (elapsed < secs);
	t->units += units;
	t->secs += elapsed;
	return 0;
}

static int step_pseudonym(struct bench *b, size_t i)
{
	return pseudonym_compute(&b->key, "phone", b->canon[i], b->canon_len[i], b->sink);
}

static int step_hash_mult(struct bench *b, size_t i)
{
	uint8_t p[crypto_core_ristretto255_BYTES];

	if (crypto_core_ristretto255_from_hash(p, b->hashes[i]) != 0)
		return -1;
	return crypto_scalarmult_ristretto255(b->sink, b->key.sk, p);
}

static int step_blind_evaluate(struct bench *b, size_t i)
{
	return voprf_blind_evaluate(VOPRF_MODE_VOPRF, b->key.sk, b->key.pk,
				    (const uint8_t(*)[VOPRF_ELEMENT_BYTES])b->blinded +
					    i % (NINPUTS - BATCH + 1),
				    b->evaluated, BATCH, b->proof);
}

static int step_mult(struct bench *b, size_t i)
{
	return crypto_scalarmult_ristretto255(b->sink, b->key.sk, b->blinded[i]);
}

/* Medians over `rounds` of units per second of `a` and of `base`, in alternating slices. */
static int compare(struct bench *b, const struct side *a, const struct side *base, size_t rounds,
		   double secs, double *ma, double *mb)
{
	double ra[ROUNDS_MAX] = { 0 }, rb[ROUNDS_MAX] = { 0 };

	if (rounds < 1 || rounds > ROUNDS_MAX)
		return -1;
	for (size_t r = 0; r < rounds; r++) {
		struct tally ta = { 0, 0 }, tb = { 0, 0 };

		for (size_t k = 0; k < SLICES; k++) {
			int first_a = k % 2 == 0, rc;

			rc = slice(b, first_a ? a : base, secs / SLICES, first_a ? &ta : &tb);
			rc |= slice(b, first_a ? base : a, secs / SLICES, first_a ? &tb : &ta);
			if (rc != 0)
				return -1;
		}
		ra[r] = (double)ta.units / ta.secs;
		rb[r] = (double)tb.units / tb.secs;
	}
	*ma = bench_median(ra, rounds);
	*mb = bench_median(rb, rounds);
	return 0;
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
	static const struct side pseudonym = { step_pseudonym, 1 },
				 hash_mult = { step_hash_mult, 1 },
				 blind_evaluate = { step_blind_evaluate, BATCH },
				 mult = { step_mult, 1 };
	double rounds_d = 5, secs = 1, ma, mb;
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
		uint8_t blind[VOPRF_SCALAR_BYTES];
		int n = snprintf(b.canon[i], sizeof(b.canon[i]), "+316%08u",
				 (unsigned int)randombytes_uniform(100000000));

		if (n < 0 || (size_t)n >= sizeof(b.canon[i]))
			return 1;
		b.canon_len[i] = (size_t)n;
		randombytes_buf(b.hashes[i], sizeof(b.hashes[i]));
		if (voprf_blind(VOPRF_MODE_VOPRF, (const uint8_t *)b.canon[i], b.canon_len[i],
				blind, b.blinded[i]) != 0)
			return 1;
	}

	if (compare(&b, &pseudonym, &hash_mult, rounds, secs, &ma, &mb) != 0)
		goto failed;
	printf("pseudonyms: pseudonym_per_sec=%.0f baseline_per_sec=%.0f ratio=%.3f"
	       " (target >= 0.90; %zu x %gs rounds, medians)\n",
	       ma, mb, ma / mb, rounds, secs);
	fflush(stdout);
	if (compare(&b, &blind_evaluate, &mult, rounds, secs, &ma, &mb) != 0)
		goto failed;
	printf("voprf_batch%d: evaluations_per_sec=%.0f scalarmult_per_sec=%.0f ratio=%.3f"
	       " (target >= 0.45; %zu x %gs rounds, medians)\n",
	       BATCH, ma, mb, ma / mb, rounds, secs);
	pseudonym_key_clear(&b.key);
	return 0;
failed:
	fprintf(stderr, "bench_voprf: a call failed\n");
	pseudonym_key_clear(&b.key);
	return 1;
}
