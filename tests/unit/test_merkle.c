/*
 * Unit tests for merkle.c against the published RFC 6962 vectors
 * (tests/fixtures/merkle_rfc6962.json): hashes, roots of sizes 0 to 8,
 * 98 inclusion and 98 consistency probes, and every proof the tree makes
 * for sizes up to 70 checked by the verifiers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "merkle.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

static json_t *vectors;

static int load(void **state)
{
	json_error_t e;

	(void)state;
	/* Some probes use sizes up to 2^64 - 1, past jansson's integers. */
	vectors = json_load_file(FIXTURES_DIR "/merkle_rfc6962.json", JSON_DECODE_INT_AS_REAL, &e);
	if (!vectors)
		fprintf(stderr, "merkle_rfc6962.json: %s\n", e.text);
	return vectors ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	json_decref(vectors);
	return 0;
}

/* A size or index as the probes give it (a real, since some are too large for an integer). */
static uint64_t u64(json_t *v)
{
	double d = json_number_value(v);

	return d >= 18446744073709551615.0 ? UINT64_MAX : d <= 0 ? 0 : (uint64_t)d;
}

/* Hex to bytes; the length, or -1. */
static long unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t len = 0;

	if (!hex)
		return 0;
	if (sodium_hex2bin(out, max, hex, strlen(hex), NULL, &len, NULL) != 0)
		return -1;
	return (long)len;
}

/* A hash of exactly 32 bytes; false for any other length. */
static bool hash32(json_t *v, uint8_t out[MERKLE_HASH_BYTES])
{
	uint8_t buf[128];

	return json_is_string(v) && unhex(json_string_value(v), buf, sizeof(buf)) == 32 &&
	       memcpy(out, buf, 32);
}

/* A proof (null means empty); false if any element is not 32 bytes. */
static bool proof_of(json_t *v, uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n)
{
	size_t i;
	json_t *h;

	*n = 0;
	if (json_is_null(v) || !v)
		return true;
	if (json_array_size(v) > MERKLE_PROOF_MAX)
		return false;
	json_array_foreach(v, i, h)
	{
		if (!hash32(h, proof[i]))
			return false;
	}
	*n = json_array_size(v);
	return true;
}

static void tree_of_vectors(struct merkle_tree *t, size_t n)
{
	json_t *inputs = json_object_get(vectors, "leaf_inputs");

	merkle_init(t);
	for (size_t i = 0; i < n; i++) {
		uint8_t in[64], leaf[MERKLE_HASH_BYTES];
		long len = unhex(json_string_value(json_array_get(inputs, i)), in, sizeof(in));

		assert_true(len >= 0);
		merkle_leaf_hash(leaf, in, (size_t)len);
		assert_int_equal(merkle_append(t, leaf), 0);
	}
}

static void test_hasher(void **state)
{
	json_t *v;
	size_t i;

	(void)state;
	json_array_foreach(json_object_get(vectors, "hasher_vectors"), i, v)
	{
		const char *op = json_string_value(json_object_get(v, "op"));
		uint8_t want[MERKLE_HASH_BYTES], got[MERKLE_HASH_BYTES], in[64];

		assert_true(hash32(json_object_get(v, "want"), want));
		if (strcmp(op, "empty_root") == 0) {
			struct merkle_tree t;

			merkle_init(&t);
			assert_int_equal(merkle_root(&t, 0, got), 0);
		} else if (strcmp(op, "hash_leaf") == 0) {
			const char *ascii = json_string_value(json_object_get(v, "input_ascii"));
			long len = ascii ? (long)strlen(ascii)
					 : unhex(json_string_value(json_object_get(v, "input_hex")),
						 in, sizeof(in));

			merkle_leaf_hash(got, ascii ? (const void *)ascii : in, (size_t)len);
		} else {
			const char *l = json_string_value(json_object_get(v, "left_ascii"));
			const char *r = json_string_value(json_object_get(v, "right_ascii"));

			merkle_hash_children(got, l, strlen(l), r, strlen(r));
		}
		assert_memory_equal(got, want, MERKLE_HASH_BYTES);
	}
}

static void test_roots_and_levels(void **state)
{
	json_t *roots = json_object_get(vectors, "root_hashes_by_tree_size"), *levels, *lv, *h;
	struct merkle_tree t;
	size_t k, i;

	(void)state;
	for (size_t n = 0; n < json_array_size(roots); n++) {
		uint8_t want[MERKLE_HASH_BYTES], got[MERKLE_HASH_BYTES];

		tree_of_vectors(&t, n);
		assert_true(hash32(json_array_get(roots, n), want));
		assert_int_equal(merkle_root(&t, n, got), 0);
		assert_memory_equal(got, want, MERKLE_HASH_BYTES);
		assert_int_equal(merkle_root(&t, n + 1, got), -1);
		merkle_free(&t);
	}
	/* Every complete subtree the tree of 8 keeps is the published node hash. */
	tree_of_vectors(&t, 8);
	levels = json_object_get(vectors, "node_hashes_by_level");
	json_array_foreach(levels, k, lv)
	{
		json_array_foreach(lv, i, h)
		{
			uint8_t want[MERKLE_HASH_BYTES];

			assert_true(hash32(h, want));
			assert_memory_equal(merkle_node(&t, k, i), want, MERKLE_HASH_BYTES);
		}
	}
	merkle_free(&t);
}

static void test_inclusion_probes(void **state)
{
	json_t *p;
	size_t i, passed = 0, expected = 0;

	(void)state;
	json_array_foreach(json_object_get(vectors, "inclusion_probes"), i, p)
	{
		uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_BYTES], root[MERKLE_HASH_BYTES],
			leaf[MERKLE_HASH_BYTES];
		size_t n;
		bool want_err = json_is_true(json_object_get(p, "wantErr"));
		int rc = -1;

		bool well_formed = proof_of(json_object_get(p, "proof"), proof, &n) &&
				   hash32(json_object_get(p, "root"), root) &&
				   hash32(json_object_get(p, "leafHash"), leaf);

		if (well_formed)
			rc = merkle_verify_inclusion(u64(json_object_get(p, "leafIdx")),
						     u64(json_object_get(p, "treeSize")), leaf,
						     (const uint8_t(*)[MERKLE_HASH_BYTES])proof, n,
						     root);
		/* A hash that is not 32 bytes is refused whatever the probe expects. */
		want_err = want_err || !well_formed;
		expected += !want_err;
		if ((rc != 0) != want_err)
			fail_msg("inclusion probe %s: got %d",
				 json_string_value(json_object_get(p, "file")), rc);
		passed += rc == 0;
	}
	assert_int_equal(passed, expected);
	assert_true(expected >= 5); /* the probes' happy paths were all run */
}

static void test_consistency_probes(void **state)
{
	json_t *p;
	size_t i, passed = 0, expected = 0;

	(void)state;
	json_array_foreach(json_object_get(vectors, "consistency_probes"), i, p)
	{
		uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_BYTES], r1[MERKLE_HASH_BYTES],
			r2[MERKLE_HASH_BYTES];
		size_t n;
		bool want_err = json_is_true(json_object_get(p, "wantErr"));
		int rc = -1;

		bool well_formed = proof_of(json_object_get(p, "proof"), proof, &n) &&
				   hash32(json_object_get(p, "root1"), r1) &&
				   hash32(json_object_get(p, "root2"), r2);

		if (well_formed)
			rc = merkle_verify_consistency(
				u64(json_object_get(p, "size1")), u64(json_object_get(p, "size2")),
				r1, r2, (const uint8_t(*)[MERKLE_HASH_BYTES])proof, n);
		/* A hash that is not 32 bytes is refused whatever the probe expects. */
		want_err = want_err || !well_formed;
		expected += !want_err;
		if ((rc != 0) != want_err)
			fail_msg("consistency probe %s: got %d",
				 json_string_value(json_object_get(p, "file")), rc);
		passed += rc == 0;
	}
	assert_int_equal(passed, expected);
	assert_true(expected >= 5); /* the probes' happy paths were all run */
}

/* Every proof the tree makes verifies, and a changed hash or size makes it fail. */
static void test_generated_proofs(void **state)
{
	enum { N = 70 };
	struct merkle_tree t;
	uint8_t leaves[N][MERKLE_HASH_BYTES], roots[N + 1][MERKLE_HASH_BYTES];
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_BYTES];
	size_t n;

	(void)state;
	merkle_init(&t);
	for (size_t i = 0; i < N; i++) {
		uint8_t entry[8];

		memcpy(entry, &i, sizeof(entry));
		merkle_leaf_hash(leaves[i], entry, sizeof(entry));
		assert_int_equal(merkle_append(&t, leaves[i]), 0);
	}
	for (uint64_t size = 0; size <= N; size++)
		assert_int_equal(merkle_root(&t, size, roots[size]), 0);
	for (uint64_t size = 1; size <= N; size++) {
		for (uint64_t i = 0; i < size; i++) {
			const uint8_t(*pr)[MERKLE_HASH_BYTES] =
				(const uint8_t(*)[MERKLE_HASH_BYTES])proof;

			assert_int_equal(merkle_inclusion_proof(&t, i, size, proof, &n), 0);
			assert_int_equal(
				merkle_verify_inclusion(i, size, leaves[i], pr, n, roots[size]), 0);
			assert_int_equal(merkle_verify_inclusion(i, size, leaves[(i + 1) % N], pr,
								 n, roots[size]),
					 -1);
			if (n) {
				proof[n - 1][0] ^= 1;
				assert_int_equal(merkle_verify_inclusion(i, size, leaves[i], pr, n,
									 roots[size]),
						 -1);
			}
		}
		for (uint64_t from = 1; from <= size; from++) {
			const uint8_t(*pr)[MERKLE_HASH_BYTES] =
				(const uint8_t(*)[MERKLE_HASH_BYTES])proof;

			assert_int_equal(merkle_consistency_proof(&t, from, size, proof, &n), 0);
			assert_int_equal(merkle_verify_consistency(from, size, roots[from],
								   roots[size], pr, n),
					 0);
			if (from < size)
				assert_int_equal(merkle_verify_consistency(from, size,
									   roots[from - 1],
									   roots[size], pr, n),
						 -1);
		}
	}
	assert_int_equal(merkle_inclusion_proof(&t, 5, 5, proof, &n), -1);
	assert_int_equal(merkle_consistency_proof(&t, 0, 5, proof, &n), -1);
	assert_int_equal(merkle_consistency_proof(&t, 5, N + 1, proof, &n), -1);
	merkle_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hasher),		 cmocka_unit_test(test_roots_and_levels),
		cmocka_unit_test(test_inclusion_probes), cmocka_unit_test(test_consistency_probes),
		cmocka_unit_test(test_generated_proofs),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, load, unload);
}
