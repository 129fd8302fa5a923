/*
 * test_alloc_faults.c - the Nth allocation fails, for every N: the audit
 * log's tree, the lookup index, rate limiters, the store
 * (partners, the outbox, statistics) and the statistics built on it.
 *
 * Each operation runs with mem_fail_after(n) for n = 0, 1, 2, ... until it
 * succeeds without reaching the injected failure.  Every other run must end
 * in a clean out-of-memory result: no crash, no wrong result, and (in the
 * sanitizer build, where this runs too) no leak.  The parsers' own tests
 * do the same for the identifiers, taxonomy, rules, advice and problems.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lookup_index.h"
#include "merkle.h"
#include "ratelimit.h"
#include "stats.h"
#include "alert.h"
#include "partner.h"
#include "store/store.h"
#include "taxonomy.h"
#include "util/mem.h"

#ifndef DATA_DIR
#error "DATA_DIR must be defined by the build"
#endif

enum { OK = 0, NOMEM = 1 };

/*
 * Runs op under every allocation failure; returns how many allocations a
 * successful run takes.  op returns OK, NOMEM, or anything else for a
 * wrong result (which fails the test with the failing allocation's number).
 */
static long every_failure(const char *name, int (*op)(void *), void *arg)
{
	for (long n = 0; n < 200000; n++) {
		int rc;
		long used;

		mem_fail_after(n);
		rc = op(arg);
		used = mem_fail_after(-1);
		if (rc != OK && rc != NOMEM)
			fail_msg("%s: wrong result %d with allocation %ld failing", name, rc,
				 n + 1);
		if (rc == OK && used <= n) {
			print_message("%s: %ld allocations, each made to fail once\n", name, used);
			return used; /* the failure was never reached: done */
		}
		if (rc == OK && used > n)
			fail_msg("%s: succeeded although allocation %ld failed", name, n + 1);
	}
	fail_msg("%s: never succeeded", name);
	return -1;
}

static int op_merkle(void *arg)
{
	struct merkle_tree t;
	uint8_t leaf[MERKLE_HASH_BYTES], proof[64][MERKLE_HASH_BYTES], root[MERKLE_HASH_BYTES];
	size_t n;
	int rc = OK;

	(void)arg;
	merkle_init(&t);
	for (int i = 0; i < 300 && rc == OK; i++) {
		merkle_leaf_hash(leaf, &i, sizeof(i));
		if (merkle_append(&t, leaf))
			rc = NOMEM;
	}
	if (rc == OK &&
	    (merkle_root(&t, 300, root) || merkle_inclusion_proof(&t, 17, 300, proof, &n) ||
	     merkle_consistency_proof(&t, 100, 300, proof, &n)))
		rc = 2; /* these only read */
	merkle_free(&t);
	return rc;
}

static int op_index(void *arg)
{
	struct lookup_index *ix = lookup_index_new();
	struct identifier_facts f = { .kind = "iban", .status = "reported", .reports = 1 };
	uint8_t p[64];
	int rc = OK;

	(void)arg;
	if (!ix)
		return NOMEM;
	for (int i = 0; i < 5000 && rc == OK; i++) {
		memset(p, 0, sizeof(p));
		memcpy(p, &i, sizeof(i));
		if (lookup_index_put(ix, p, &f))
			rc = NOMEM;
		else if (lookup_index_count(ix) != (size_t)i + 1)
			rc = 2; /* a put that fails must leave the index as it was */
	}
	lookup_index_free(ix);
	return rc;
}

static int op_ratelimit(void *arg)
{
	struct ratelimit *rl = ratelimit_new(60, 10);
	int retry;

	(void)arg;
	if (!rl)
		return NOMEM;
	if (ratelimit_take(rl, "192.0.2.1", &retry) != 0) {
		ratelimit_free(rl);
		return 2;
	}
	ratelimit_free(rl);
	return OK;
}

struct store_fixture {
	char dir[64];
	struct config cfg;
	struct store *st;
	struct municipalities *m;
};

static int op_store(void *arg)
{
	struct store_fixture *f = arg;
	struct partner *ps = NULL;
	struct alert *as = NULL;
	size_t np = 0, na = 0;
	int rc = store_partner_list(f->st, &ps, &np);

	if (rc == STORE_OK)
		rc = store_outbox_due(f->st, "9999-12-31T00:00:00Z", 64, NULL, 0, &as, &na);
	mem_free(ps);
	alerts_free(as, na);
	return rc == STORE_OK ? OK : rc == STORE_ENOMEM ? NOMEM : 2;
}

static int op_stats(void *arg)
{
	struct store_fixture *f = arg;
	struct stats s;
	int rc = stats_compute(f->st, f->m, "2000-01-01", "9999-01-01",
			       STATS_PROVINCE | STATS_FRAUD_TYPE | STATS_MONTH, 1, &s);

	if (rc == STORE_ENOMEM)
		return NOMEM;
	if (rc != STORE_OK)
		return 2;
	/* 3 reports a province, rounded to 5. */
	rc = s.n == 2 && s.rows[0].reports == 5 && s.rows[1].reports == 5 ? OK : 2;
	stats_free(&s);
	return rc;
}

static void test_tree_index_limits(void **state)
{
	(void)state;
	assert_true(every_failure("merkle", op_merkle, NULL) > 0);
	assert_true(every_failure("lookup index", op_index, NULL) > 0);
	assert_true(every_failure("rate limiter", op_ratelimit, NULL) > 0);
}

static void test_store_and_statistics(void **state)
{
	struct store_fixture f;
	char err[512], cmd[128], mer[TAXONOMY_ERR_MAX];
	(void)state;
	snprintf(f.dir, sizeof(f.dir), "/tmp/signaal-oom-XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	config_defaults(&f.cfg);
	snprintf(f.cfg.data_dir, sizeof(f.cfg.data_dir), "%s/data", f.dir);
	assert_int_equal(store_open(&f.st, &f.cfg, 0, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(f.st, NULL, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(
		municipalities_load_file(DATA_DIR "/municipalities.tsv", &f.m, mer, sizeof(mer)),
		0);
	/* Three reports in each of two provinces, straight into the table. */
	{
		char path[160];
		sqlite3 *db;

		snprintf(path, sizeof(path), "%s/data/signaal.db", f.dir);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		for (int i = 0; i < 6; i++) {
			char sql[256];

			snprintf(
				sql, sizeof(sql),
				"INSERT INTO reports (case_hash, fraud_type, municipality, "
				"created_at, updated_at) VALUES (randomblob(32), 'phishing', '%s', "
				"'2026-03-0%dT10:00:00Z', '2026-03-01T10:00:00Z')",
				i < 3 ? "GM0363" : "GM0014", i + 1);
			assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		}
		assert_int_equal(
			sqlite3_exec(db,
				     "INSERT INTO partners (name, sector, created_at) VALUES "
				     "('A', 'bank', '2026-01-01T00:00:00Z'), ('B', 'police', "
				     "'2026-01-01T00:00:00Z')",
				     NULL, NULL, NULL),
			SQLITE_OK);
		sqlite3_close(db);
	}
	assert_true(every_failure("store", op_store, &f) > 0);
	assert_true(every_failure("statistics", op_stats, &f) > 0);
	municipalities_free(f.m);
	store_close(f.st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f.dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_index_limits),
		cmocka_unit_test(test_store_and_statistics),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
