/*
 * bench_index.c - the in-memory lookup index (lookup_index.h).
 *
 *   bench_index memory [N]
 *	N identifiers (default 10,000,000) in an index: bytes per identifier
 *	(the table's own count and the growth of the resident set), then
 *	lookups in batches of 1,000 pseudonyms, half of them known.
 *
 *   bench_index store DIR N BODY [seconds]
 *	Writes N identifiers with a source each (one in ten with a rule
 *	firing) through the store into DIR, loads an index from it as
 *	`serve` does (timed), and measures batches of 1,000 lookups in the
 *	index against the same lookups in SQLite (store_identifier_facts(),
 *	what lookups cost before the index), in alternating slices.  Writes
 *	a POST /v1/lookup body of the batch's 1,000 pseudonyms to BODY for
 *	the HTTP benchmark (bench/lookup.sh), and to BODY.screening one in
 *	which only one pseudonym in fifty is known.
 */
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "config.h"
#include "lookup_index.h"
#include "pseudonym.h"
#include "store/store.h"
#include "util/mem.h"

#define BATCH 1000

static void die(const char *what)
{
	fprintf(stderr, "bench_index: %s\n", what);
	exit(1);
}

/* Resident set in bytes, from /proc/self/statm. */
static size_t rss(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long size = 0, res = 0;

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

static struct identifier_facts sample_facts(size_t i)
{
	static const char *const types[] = { "bank_helpdesk", "purchase_fraud", "phishing",
					     "investment_fraud" };
	struct identifier_facts f;

	memset(&f, 0, sizeof(f));
	snprintf(f.kind, sizeof(f.kind), "%s", i % 3 ? "iban" : "phone");
	snprintf(f.status, sizeof(f.status), "reported");
	snprintf(f.first_seen, sizeof(f.first_seen), "2026-11-%02zuT10:00:00Z", 1 + i % 28);
	snprintf(f.last_seen, sizeof(f.last_seen), "2026-11-23T10:00:00Z");
	f.reports = (int)(1 + i % 5);
	snprintf(f.fraud_types, sizeof(f.fraud_types), "%s", types[i % 4]);
	if (i % 10 == 0)
		snprintf(f.fired, sizeof(f.fired), "iban_three_reports");
	return f;
}

/* A batch with `every`-th entry known (taken from `known`), the others random. */
static void make_batch(uint8_t *batch, const uint8_t *known, size_t nknown, size_t every)
{
	for (size_t i = 0; i < BATCH; i++) {
		uint8_t *p = batch + i * PSEUDONYM_BYTES;

		if (i % every == 0)
			memcpy(p,
			       known + (size_t)randombytes_uniform((uint32_t)nknown) *
					       PSEUDONYM_BYTES,
			       PSEUDONYM_BYTES);
		else
			randombytes_buf(p, PSEUDONYM_BYTES);
	}
}

static int bench_memory(size_t n)
{
	struct lookup_index *ix = lookup_index_new();
	struct identifier_facts *out = mem_calloc(BATCH, sizeof(*out));
	uint8_t *batch = mem_calloc(BATCH, PSEUDONYM_BYTES), *keep = mem_calloc(BATCH, 64);
	bool found[BATCH];
	size_t before = rss(), after, hits = 0, looked = 0;
	uint8_t p[PSEUDONYM_BYTES];
	double t0, t;

	if (!ix || !out || !batch || !keep)
		die("out of memory");
	t0 = bench_now();
	for (size_t i = 0; i < n; i++) {
		struct identifier_facts f = sample_facts(i);

		randombytes_buf(p, sizeof(p));
		if (i < BATCH)
			memcpy(keep + i * PSEUDONYM_BYTES, p, PSEUDONYM_BYTES);
		if (lookup_index_put(ix, p, &f))
			die("out of memory");
	}
	t = bench_now() - t0;
	after = rss();
	printf("index_memory: identifiers=%zu table_bytes_per_identifier=%.1f "
	       "rss_bytes_per_identifier=%.1f inserts_per_s=%.0f (target <= 128 bytes)\n",
	       lookup_index_count(ix), (double)lookup_index_memory(ix) / (double)n,
	       (double)(after - before) / (double)n, (double)n / t);
	make_batch(batch, keep, n < BATCH ? n : BATCH, 2);
	t0 = bench_now();
	do {
		hits += lookup_index_get(ix, batch, BATCH, out, found);
		looked += BATCH;
		t = bench_now() - t0;
	} while (t < 2);
	printf("index_lookups_memory: identifiers_per_s=%.0f in batches of %d, %.0f%% known, "
	       "one thread\n",
	       (double)looked / t, BATCH, 100.0 * (double)hits / (double)looked);
	mem_free(keep);
	mem_free(batch);
	mem_free(out);
	lookup_index_free(ix);
	return 0;
}

/* Writes n identifiers through the store, as reports would, in transactions of 10,000. */
static void seed(struct store *st, size_t n, uint8_t *known)
{
	uint8_t p[PSEUDONYM_BYTES], sealed[60];
	char source[32];

	randombytes_buf(sealed, sizeof(sealed));
	for (size_t i = 0; i < n; i++) {
		struct identifier_facts f = sample_facts(i);

		if (i % 10000 == 0 && store_tx_begin(st))
			die("cannot begin");
		randombytes_buf(p, sizeof(p));
		if (i < BATCH)
			memcpy(known + i * PSEUDONYM_BYTES, p, PSEUDONYM_BYTES);
		snprintf(source, sizeof(source), "r:%zu", i);
		if (store_tx_identifier_touch(st, p, f.kind, sealed, sizeof(sealed), "ABNA", 0,
					      f.last_seen) ||
		    store_tx_source_add(st, p, source, f.fraud_types, "beneficiary", 0,
					f.last_seen) ||
		    (f.fired[0] && store_tx_firing_add(st, f.fired, p, f.last_seen, 3, "bench")))
			die("cannot write an identifier");
		if ((i % 10000 == 9999 || i + 1 == n) && store_tx_commit(st))
			die("cannot commit");
	}
}

static void write_body(const char *path, const uint8_t *batch)
{
	FILE *f = fopen(path, "w");
	char b64[sodium_base64_ENCODED_LEN(PSEUDONYM_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	if (!f)
		die("cannot write the body file");
	fputs("{\"items\":[", f);
	for (size_t i = 0; i < BATCH; i++) {
		sodium_bin2base64(b64, sizeof(b64), batch + i * PSEUDONYM_BYTES, PSEUDONYM_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		fprintf(f, "%s{\"pseudonym\":\"%s\"}", i ? "," : "", b64);
	}
	fputs("]}\n", f);
	if (fclose(f))
		die("cannot write the body file");
}

static int bench_store(const char *dir, size_t n, const char *body, double secs)
{
	struct config cfg;
	struct store *st;
	struct lookup_index *ix;
	struct identifier_facts *out = mem_calloc(BATCH, sizeof(*out));
	uint8_t *batch = mem_calloc(BATCH, PSEUDONYM_BYTES),
		*known = mem_calloc(BATCH, PSEUDONYM_BYTES);
	bool found[BATCH];
	char err[512];
	double t0, t, rate_ix[9], rate_db[9];
	int rounds = 5;

	if (!out || !batch || !known)
		die("out of memory");
	config_defaults(&cfg);
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", dir);
	/* SIGNAAL_STORE and SIGNAAL_STORE_URL choose the backend, as for the server. */
	if (config_load_env(&cfg, err, sizeof(err)))
		die(err);
	if (store_open(&st, &cfg, 0, err, sizeof(err)) ||
	    store_migrate(st, NULL, NULL, err, sizeof(err)))
		die(err);
	t0 = bench_now();
	seed(st, n, known);
	t = bench_now() - t0;
	printf("index_seed: identifiers=%zu written_per_s=%.0f\n", n, (double)n / t);
	ix = lookup_index_new();
	t0 = bench_now();
	if (!ix || lookup_index_start(ix, st, err, sizeof(err)))
		die(err);
	t = bench_now() - t0;
	printf("index_load: identifiers=%zu seconds=%.2f per_s=%.0f\n", lookup_index_count(ix), t,
	       (double)lookup_index_count(ix) / t);
	/* Screening: one in fifty known (the HTTP benchmark's second body). */
	make_batch(batch, known, n < BATCH ? n : BATCH, 50);
	snprintf(err, sizeof(err), "%s.screening", body);
	write_body(err, batch);
	make_batch(batch, known, n < BATCH ? n : BATCH, 2);
	write_body(body, batch);
	/* Alternating slices of secs / rounds each, so that load from elsewhere hits both. */
	for (int r = 0; r < rounds; r++) {
		size_t looked = 0;

		t0 = bench_now();
		do {
			lookup_index_get(ix, batch, BATCH, out, found);
			looked += BATCH;
			t = bench_now() - t0;
		} while (t < secs / rounds / 2);
		rate_ix[r] = (double)looked / t;
		looked = 0;
		t0 = bench_now();
		do {
			for (size_t i = 0; i < BATCH; i++) {
				int rc = store_identifier_facts(st, batch + i * PSEUDONYM_BYTES,
								&out[i]);

				if (rc && rc != STORE_ENOTFOUND)
					die("lookup in the database failed");
			}
			looked += BATCH;
			t = bench_now() - t0;
		} while (t < secs / rounds / 2);
		rate_db[r] = (double)looked / t;
	}
	t = bench_median(rate_ix, rounds);
	t0 = bench_median(rate_db, rounds);
	printf("index_lookups: index_per_s=%.0f %s_per_s=%.0f ratio=%.1f (batches of %d, half "
	       "known, one thread, medians of %d rounds)\n",
	       t, cfg.store, t0, t / t0, BATCH, rounds);
	lookup_index_free(ix);
	store_close(st);
	mem_free(known);
	mem_free(batch);
	mem_free(out);
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		die("cannot initialise libsodium");
	if (argc >= 2 && strcmp(argv[1], "memory") == 0)
		return bench_memory(argc > 2 ? strtoul(argv[2], NULL, 10) : 10000000);
	if (argc >= 5 && strcmp(argv[1], "store") == 0)
		return bench_store(argv[2], strtoul(argv[3], NULL, 10), argv[4],
				   argc > 5 ? strtod(argv[5], NULL) : 5);
	fprintf(stderr, "usage: bench_index memory [N]\n"
			"       bench_index store DIR N BODY [seconds]\n");
	return 2;
}
