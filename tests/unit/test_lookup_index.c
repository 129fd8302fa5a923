/*
 * Unit tests for lookup_index.c: facts survive the round trip, updates and
 * removals keep every other identifier findable, the table stays within
 * its memory bound, and readers and a writer can run at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lookup_index.h"
#include "pseudonym.h"
#include "store/store.h"
#include "util/mem.h"

static struct identifier_facts facts(const char *kind, const char *status, int reports,
				     const char *types, const char *fired)
{
	struct identifier_facts f;

	memset(&f, 0, sizeof(f));
	snprintf(f.kind, sizeof(f.kind), "%s", kind);
	snprintf(f.status, sizeof(f.status), "%s", status);
	snprintf(f.first_seen, sizeof(f.first_seen), "2024-02-29T23:59:60Z");
	snprintf(f.last_seen, sizeof(f.last_seen), "2026-11-23T20:45:01Z");
	f.reports = reports;
	f.signals = 2;
	snprintf(f.fraud_types, sizeof(f.fraud_types), "%s", types);
	snprintf(f.fired, sizeof(f.fired), "%s", fired);
	return f;
}

static bool get_one(struct lookup_index *ix, const uint8_t *p, struct identifier_facts *out)
{
	bool found = false;
	size_t hits = lookup_index_get(ix, p, 1, out, &found);

	assert_int_equal(hits, found ? 1 : 0);
	return found;
}

static void test_round_trip(void **state)
{
	struct lookup_index *ix = lookup_index_new();
	struct identifier_facts in = facts("iban", "confirmed", 3, "webshop_fraud,bank_helpdesk",
					   "iban_three_reports"),
				out;
	uint8_t p[PSEUDONYM_BYTES], q[PSEUDONYM_BYTES];

	(void)state;
	assert_non_null(ix);
	randombytes_buf(p, sizeof(p));
	memcpy(q, p, sizeof(q));
	q[0] ^= 1;
	assert_false(get_one(ix, p, &out));
	assert_int_equal(lookup_index_put(ix, p, &in), 0);
	assert_true(get_one(ix, p, &out));
	assert_false(get_one(ix, q, &out));
	assert_string_equal(out.kind, "iban");
	assert_string_equal(out.status, "confirmed");
	assert_int_equal(out.reports, 3);
	assert_int_equal(out.signals, 2);
	/* A leap second is kept as the second after it; any other time exactly. */
	assert_string_equal(out.first_seen, "2024-03-01T00:00:00Z");
	assert_string_equal(out.last_seen, "2026-11-23T20:45:01Z");
	/* Names come back in name order, as the store gives them. */
	assert_string_equal(out.fraud_types, "bank_helpdesk,webshop_fraud");
	assert_string_equal(out.fired, "iban_three_reports");

	/* An update replaces; a time the index cannot hold comes back empty. */
	in = facts("phone", "disputed", 4, "", "");
	snprintf(in.first_seen, sizeof(in.first_seen), "yesterday");
	assert_int_equal(lookup_index_put(ix, p, &in), 0);
	assert_int_equal(lookup_index_count(ix), 1);
	assert_true(get_one(ix, p, &out));
	assert_string_equal(out.kind, "phone");
	assert_string_equal(out.status, "disputed");
	assert_string_equal(out.first_seen, "");
	assert_string_equal(out.fraud_types, "");
	assert_string_equal(out.fired, "");

	/* Removed, and removing again changes nothing. */
	assert_int_equal(lookup_index_put(ix, p, NULL), 0);
	assert_false(get_one(ix, p, &out));
	assert_int_equal(lookup_index_put(ix, p, NULL), 0);
	assert_int_equal(lookup_index_count(ix), 0);

	/* An unknown kind is not indexed. */
	in = facts("fax", "reported", 1, "", "");
	assert_int_equal(lookup_index_put(ix, p, &in), 0);
	assert_false(get_one(ix, p, &out));

	/* All zeros looks like nothing in particular, and is not found. */
	memset(q, 0, sizeof(q));
	assert_false(get_one(ix, q, &out));
	lookup_index_free(ix);
}

/* Many identifiers, half removed: the rest stay findable, and memory stays bounded. */
static void test_many(void **state)
{
	enum { N = 200000 };
	struct lookup_index *ix = lookup_index_new();
	uint8_t *ps = mem_calloc(N, PSEUDONYM_BYTES);
	struct identifier_facts *out = mem_calloc(N, sizeof(*out));
	bool *found = mem_calloc(N, sizeof(*found));
	char types[16];

	(void)state;
	assert_non_null(ix);
	assert_non_null(ps);
	assert_non_null(out);
	assert_non_null(found);
	randombytes_buf(ps, (size_t)N * PSEUDONYM_BYTES);
	for (size_t i = 0; i < N; i++) {
		struct identifier_facts f;

		snprintf(types, sizeof(types), "t%zu", i % 7);
		f = facts("email", "reported", (int)i, types, "");
		assert_int_equal(lookup_index_put(ix, ps + i * PSEUDONYM_BYTES, &f), 0);
	}
	assert_int_equal(lookup_index_count(ix), N);
	/* The table is between 53% and 80% full: at most 121 bytes per identifier. */
	assert_true(lookup_index_memory(ix) <= (size_t)N * 121 + 4096);
	assert_int_equal(lookup_index_get(ix, ps, N, out, found), N);
	for (size_t i = 0; i < N; i++) {
		snprintf(types, sizeof(types), "t%zu", i % 7);
		assert_int_equal(out[i].reports, (int)i);
		assert_string_equal(out[i].fraud_types, types);
	}
	for (size_t i = 0; i < N; i += 2)
		assert_int_equal(lookup_index_put(ix, ps + i * PSEUDONYM_BYTES, NULL), 0);
	assert_int_equal(lookup_index_count(ix), N / 2);
	assert_int_equal(lookup_index_get(ix, ps, N, out, found), N / 2);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(found[i], i % 2 == 1);
		if (found[i])
			assert_int_equal(out[i].reports, (int)i);
	}
	mem_free(found);
	mem_free(out);
	mem_free(ps);
	lookup_index_free(ix);
}

/* Only 64 distinct fraud types and 32 rules have a bit; more are left out, not mixed up. */
static void test_names_overflow(void **state)
{
	struct lookup_index *ix = lookup_index_new();
	struct identifier_facts f, out;
	uint8_t p[PSEUDONYM_BYTES];
	char name[16];

	(void)state;
	for (int i = 0; i < 70; i++) {
		randombytes_buf(p, sizeof(p));
		snprintf(name, sizeof(name), "type%02d", i);
		f = facts("url", "reported", 1, name, name);
		assert_int_equal(lookup_index_put(ix, p, &f), 0);
		assert_true(get_one(ix, p, &out));
		assert_string_equal(out.fraud_types, i < 64 ? name : "");
		assert_string_equal(out.fired, i < 32 ? name : "");
	}
	lookup_index_free(ix);
}

struct reader {
	struct lookup_index *ix;
	const uint8_t *ps;
	size_t n;
	int errors;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	struct identifier_facts out[16];
	bool found[16];

	for (int round = 0; round < 2000; round++) {
		lookup_index_get(r->ix, r->ps, 16, out, found);
		for (size_t i = 0; i < 16; i++)
			if (!found[i] || out[i].reports != 7)
				r->errors++;
	}
	return NULL;
}

/* Readers see the identifiers that stay put while a writer grows and shrinks the table. */
static void test_readers_and_a_writer(void **state)
{
	enum { WRITES = 50000 };
	struct lookup_index *ix = lookup_index_new();
	uint8_t stay[16 * PSEUDONYM_BYTES], *more = mem_calloc(WRITES, PSEUDONYM_BYTES);
	struct identifier_facts f = facts("handle", "reported", 7, "", "");
	struct reader r[2] = { { ix, stay, 16, 0 }, { ix, stay, 16, 0 } };
	pthread_t t[2];

	(void)state;
	assert_non_null(more);
	randombytes_buf(stay, sizeof(stay));
	randombytes_buf(more, (size_t)WRITES * PSEUDONYM_BYTES);
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(lookup_index_put(ix, stay + i * PSEUDONYM_BYTES, &f), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, read_loop, &r[i]), 0);
	f.reports = 1;
	for (size_t i = 0; i < WRITES; i++)
		assert_int_equal(lookup_index_put(ix, more + i * PSEUDONYM_BYTES, &f), 0);
	for (size_t i = 0; i < WRITES; i++)
		assert_int_equal(lookup_index_put(ix, more + i * PSEUDONYM_BYTES, NULL), 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].errors, 0);
	}
	assert_int_equal(lookup_index_count(ix), 16);
	mem_free(more);
	lookup_index_free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_names_overflow),
		cmocka_unit_test(test_readers_and_a_writer),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
