/* test_pseudonym.c - pseudonym keys, key files, pseudonyms and sealing (src/pseudonym.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pseudonym.h"
#include "pseudonym_cache.h"

static const uint8_t seed_a[32] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
				    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
				    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };

static void hex_to(uint8_t *out, size_t want, const char *hex)
{
	size_t n = 0;

	assert_int_equal(sodium_hex2bin(out, want, hex, strlen(hex), NULL, &n, NULL), 0);
	assert_int_equal(n, want);
}

static void test_key_derivation(void **state)
{
	struct pseudonym_key k1, k2;
	uint8_t sk[32], pk[32], seed_b[32];

	(void)state;
	assert_int_equal(pseudonym_key_from_seed(&k1, seed_a), 0);
	assert_int_equal(voprf_derive_key_pair(VOPRF_MODE_VOPRF, sk, pk, seed_a,
					       (const uint8_t *)"signaal pseudonym key v1", 24),
			 0);
	assert_memory_equal(k1.seed, seed_a, 32);
	assert_memory_equal(k1.sk, sk, 32);
	assert_memory_equal(k1.pk, pk, 32);
	assert_memory_not_equal(k1.seal_key, k1.sk, 32);
	assert_memory_not_equal(k1.seal_key, k1.seed, 32);

	memcpy(seed_b, seed_a, 32);
	seed_b[31] ^= 1;
	assert_int_equal(pseudonym_key_from_seed(&k2, seed_b), 0);
	assert_memory_not_equal(k1.sk, k2.sk, 32);
	assert_memory_not_equal(k1.seal_key, k2.seal_key, 32);

	assert_int_equal(pseudonym_key_generate(&k2), 0);
	assert_memory_not_equal(k1.seed, k2.seed, 32);
	pseudonym_key_clear(&k2);
	assert_true(sodium_is_zero((const uint8_t *)&k2, sizeof(k2)));
	pseudonym_key_clear(&k1);
}

static void test_compute(void **state)
{
	static const char canon[] = "+31612345678";
	struct pseudonym_key key;
	uint8_t p1[64], p2[64], want[64], in[64], blind[1][32], blinded[1][32], eval[1][32];
	uint8_t proof[64], out[1][64];
	const uint8_t *inputs[1] = { in };
	size_t in_len = 0;
	char big[PSEUDONYM_KIND_MAX + 2];

	(void)state;
	assert_int_equal(pseudonym_key_from_seed(&key, seed_a), 0);
	assert_int_equal(pseudonym_compute(&key, "phone", canon, strlen(canon), p1), 0);

	/*
	 * Pinned from this implementation (whose VOPRF the RFC 9497 vectors cover),
	 * so that any change of input encoding or key derivation shows.
	 */
	hex_to(want, 64,
	       "c27da69bf323eab482e570e76ba8bc1f06e1301b9faa1a5a6f2b00b3e1468a61"
	       "6f7a884241f7d516e727205a382719686c597fa61c93b78bd7819c1ac8cb7b6d");
	assert_memory_equal(p1, want, 64);

	/* = Evaluate(skS, "phone" || 0x00 || canonical) */
	assert_int_equal(pseudonym_input("phone", canon, strlen(canon), in, sizeof(in), &in_len),
			 0);
	assert_int_equal(in_len, 6 + strlen(canon));
	assert_memory_equal(in, "phone\0+31612345678", in_len);
	assert_int_equal(voprf_evaluate(VOPRF_MODE_VOPRF, key.sk, in, in_len, p2), 0);
	assert_memory_equal(p1, p2, 64);

	/* ... and what a partner gets blindly, with the proof checked against the public key */
	assert_int_equal(voprf_blind(VOPRF_MODE_VOPRF, in, in_len, blind[0], blinded[0]), 0);
	assert_int_equal(voprf_blind_evaluate(VOPRF_MODE_VOPRF, key.sk, key.pk,
					      (const uint8_t(*)[32])blinded, eval, 1, proof),
			 0);
	assert_int_equal(voprf_finalize(VOPRF_MODE_VOPRF, key.pk, inputs, &in_len,
					(const uint8_t(*)[32])blind, (const uint8_t(*)[32])blinded,
					(const uint8_t(*)[32])eval, 1, proof, out),
			 0);
	assert_memory_equal(out[0], p1, 64);

	/* The kind separates equal canonical values */
	assert_int_equal(pseudonym_compute(&key, "handle", canon, strlen(canon), p2), 0);
	assert_memory_not_equal(p1, p2, 64);
	/* ... and the separator keeps "ab" || "c" apart from "a" || "bc" */
	assert_int_equal(pseudonym_compute(&key, "ab", "c", 1, p1), 0);
	assert_int_equal(pseudonym_compute(&key, "a", "bc", 2, p2), 0);
	assert_memory_not_equal(p1, p2, 64);

	/* Kind names */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pseudonym_compute(&key, big, "x", 1, p1), -1);
	big[PSEUDONYM_KIND_MAX] = '\0';
	assert_int_equal(pseudonym_compute(&key, big, "x", 1, p1), 0);
	assert_int_equal(pseudonym_compute(&key, "", "x", 1, p1), -1);
	assert_int_equal(pseudonym_compute(&key, "Phone", "x", 1, p1), -1);
	assert_int_equal(pseudonym_compute(&key, "ph one", "x", 1, p1), -1);
	assert_int_equal(pseudonym_compute(&key, NULL, "x", 1, p1), -1);
	assert_int_equal(pseudonym_compute(&key, "crypto_2", "", 0, p1), 0);
	assert_int_equal(pseudonym_input("phone", canon, strlen(canon), in, 17, &in_len), -1);
	pseudonym_key_clear(&key);
}

static void test_seal_open(void **state)
{
	static const char msg[] = "+31612345678";
	struct pseudonym_key key, other;
	uint8_t p[64], q[64], sealed[128], sealed2[128], opened[64], empty[PSEUDONYM_SEAL_OVERHEAD];
	size_t slen = 0, slen2 = 0, olen = 0;
	size_t mlen = sizeof(msg) - 1;

	(void)state;
	assert_int_equal(pseudonym_key_from_seed(&key, seed_a), 0);
	assert_int_equal(pseudonym_key_generate(&other), 0);
	assert_int_equal(pseudonym_compute(&key, "phone", msg, mlen, p), 0);
	assert_int_equal(pseudonym_compute(&key, "phone", "+31612345679", 12, q), 0);

	assert_int_equal(
		pseudonym_seal(&key, p, (const uint8_t *)msg, mlen, sealed, sizeof(sealed), &slen),
		0);
	assert_int_equal(slen, mlen + PSEUDONYM_SEAL_OVERHEAD);
	assert_int_equal(pseudonym_open(&key, p, sealed, slen, opened, sizeof(opened), &olen), 0);
	assert_int_equal(olen, mlen);
	assert_memory_equal(opened, msg, mlen);

	/* A fresh nonce each time */
	assert_int_equal(pseudonym_seal(&key, p, (const uint8_t *)msg, mlen, sealed2,
					sizeof(sealed2), &slen2),
			 0);
	assert_int_equal(slen2, slen);
	assert_memory_not_equal(sealed, sealed2, slen);

	/* Every bit of nonce, ciphertext and tag is covered */
	for (size_t bit = 0; bit < slen * 8; bit++) {
		memcpy(sealed2, sealed, slen);
		sealed2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(opened, 0x55, sizeof(opened));
		assert_int_equal(
			pseudonym_open(&key, p, sealed2, slen, opened, sizeof(opened), &olen), -1);
		assert_true(sodium_is_zero(opened, mlen));
	}
	assert_int_equal(pseudonym_open(&key, q, sealed, slen, opened, sizeof(opened), &olen), -1);
	assert_int_equal(pseudonym_open(&other, p, sealed, slen, opened, sizeof(opened), &olen),
			 -1);
	assert_int_equal(pseudonym_open(&key, p, sealed, slen - 1, opened, sizeof(opened), &olen),
			 -1);
	assert_int_equal(pseudonym_open(&key, p, sealed, PSEUDONYM_SEAL_OVERHEAD - 1, opened,
					sizeof(opened), &olen),
			 -1);
	assert_int_equal(pseudonym_open(&key, p, sealed, slen, opened, mlen - 1, &olen), -1);
	assert_int_equal(
		pseudonym_seal(&key, p, (const uint8_t *)msg, mlen, sealed2, slen - 1, &slen2), -1);

	/* Empty plaintext */
	assert_int_equal(pseudonym_seal(&key, p, NULL, 0, empty, sizeof(empty), &slen), 0);
	assert_int_equal(slen, PSEUDONYM_SEAL_OVERHEAD);
	assert_int_equal(pseudonym_open(&key, p, empty, slen, opened, 0, &olen), 0);
	assert_int_equal(olen, 0);
	pseudonym_key_clear(&key);
	pseudonym_key_clear(&other);
}

/* The cache answers what pseudonym_compute() answers, hit or miss, even when slots collide. */
static void test_cache(void **state)
{
	struct pseudonym_key key;
	struct pseudonym_cache *c = pseudonym_cache_new(3); /* 4 slots: collisions certain */
	uint8_t want[PSEUDONYM_BYTES], got[PSEUDONYM_BYTES];
	char canon[32];

	(void)state;
	assert_non_null(c);
	assert_int_equal(pseudonym_key_generate(&key), 0);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 40; i++) {
			int n = snprintf(canon, sizeof(canon), "+3161234%04d", i);

			assert_int_equal(pseudonym_compute(&key, "phone", canon, (size_t)n, want),
					 0);
			assert_int_equal(pseudonym_cached(c, &key, "phone", canon, (size_t)n, got),
					 0);
			assert_memory_equal(got, want, sizeof(want));
			/* The same canonical value of another kind is another pseudonym. */
			assert_int_equal(pseudonym_cached(c, &key, "handle", canon, (size_t)n, got),
					 0);
			assert_memory_not_equal(got, want, sizeof(want));
		}
	/* Values too long for the short digest take the other one, hit and miss alike. */
	{
		char url[400];

		memset(url, 'a', sizeof(url));
		memcpy(url, "https://", 8);
		for (size_t len = 250; len <= sizeof(url); len += 25)
			for (int round = 0; round < 2; round++) {
				assert_int_equal(pseudonym_compute(&key, "url", url, len, want), 0);
				assert_int_equal(pseudonym_cached(c, &key, "url", url, len, got),
						 0);
				assert_memory_equal(got, want, sizeof(want));
			}
	}
	/* No cache at all is allowed too. */
	assert_int_equal(pseudonym_cached(NULL, &key, "phone", "+31612340000", 12, got), 0);
	assert_int_equal(pseudonym_compute(&key, "phone", "+31612340000", 12, want), 0);
	assert_memory_equal(got, want, sizeof(want));
	pseudonym_cache_free(c);
	pseudonym_key_clear(&key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_derivation),
		cmocka_unit_test(test_compute),
		cmocka_unit_test(test_seal_open),
		cmocka_unit_test(test_cache),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
