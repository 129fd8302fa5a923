/*
 * test_ristretto.c - src/ristretto.c against RFC 9496's vectors and against
 * libsodium, which every answer here must agree with.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ristretto.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

#define EB RISTRETTO_BYTES
#define SB RISTRETTO_SCALAR_BYTES

typedef const uint8_t (*cpoints)[EB];
typedef const uint8_t (*cscalars)[SB];

static const uint8_t zero[EB];

/* The reference: sum of s_i * P_i by libsodium, one product and one addition at a time. */
static void reference_sum(uint8_t out[EB], const uint8_t (*s)[SB], const uint8_t (*p)[EB], size_t n)
{
	uint8_t term[EB], wide[64] = { 0 }, reduced[SB];

	memset(out, 0, EB);
	for (size_t i = 0; i < n; i++) {
		/* libsodium ignores a scalar's top bit; reduce mod L first. */
		memcpy(wide, s[i], SB);
		crypto_core_ristretto255_scalar_reduce(reduced, wide);
		if (crypto_scalarmult_ristretto255(term, reduced, p[i]) != 0)
			continue; /* the identity: zero scalar or identity point */
		assert_int_equal(crypto_core_ristretto255_add(out, out, term), 0);
	}
}

static void random_scalar(uint8_t s[SB], unsigned kind)
{
	switch (kind % 6) {
	case 0: /* zero */ memset(s, 0, SB); break;
	case 1: /* one */
		memset(s, 0, SB);
		s[0] = 1;
		break;
	case 2: /* every bit set: above L and above 2^255 */ memset(s, 0xff, SB); break;
	case 3: /* L - 1 */
		crypto_core_ristretto255_scalar_negate(s, (const uint8_t[SB]){ 1 });
		break;
	default: /* uniform below L */ crypto_core_ristretto255_scalar_random(s); break;
	}
}

static void check_msm(size_t n, int with_identity)
{
	uint8_t(*s)[SB] = malloc(n * SB + 1), (*p)[EB] = malloc(n * EB + 1);
	uint8_t got[EB], want[EB];

	assert_non_null(s);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++) {
		random_scalar(s[i], (unsigned)(i + n));
		if (with_identity && i % 7 == 3)
			memset(p[i], 0, EB);
		else
			crypto_core_ristretto255_random(p[i]);
	}
	assert_int_equal(ristretto_msm_vartime(got, (cscalars)s, (cpoints)p, n), 0);
	reference_sum(want, (cscalars)s, (cpoints)p, n);
	if (memcmp(got, want, EB) != 0)
		fail_msg("sum of %zu products differs from libsodium's", n);
	free(s);
	free(p);
}

/* Sizes around the chunk of 32, and the batch sizes the server sees. */
static void test_msm_matches_libsodium(void **state)
{
	static const size_t sizes[] = { 1, 2, 3, 5, 31, 32, 33, 64, 65, 100, 257 };

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		check_msm(sizes[k], 0);
		check_msm(sizes[k], 1);
	}
}

/* Many small sums with fresh random values: each one a chance to differ. */
static void test_msm_random_pairs(void **state)
{
	uint8_t s[2][SB], p[2][EB], got[EB], want[EB];

	(void)state;
	for (int round = 0; round < 2000; round++) {
		for (int i = 0; i < 2; i++) {
			randombytes_buf(s[i], SB); /* full 256 bits */
			crypto_core_ristretto255_random(p[i]);
		}
		assert_int_equal(ristretto_msm_vartime(got, (cscalars)s, (cpoints)p, 2), 0);
		reference_sum(want, (cscalars)s, (cpoints)p, 2);
		assert_memory_equal(got, want, EB);
	}
}

/* P - P: the identity out, encoded as zeros, and accepted back in. */
static void test_msm_identity(void **state)
{
	uint8_t s[2][SB] = { { 1 }, { 0 } }, p[2][EB], got[EB];

	(void)state;
	crypto_core_ristretto255_scalar_negate(s[1], s[0]);
	crypto_core_ristretto255_random(p[0]);
	memcpy(p[1], p[0], EB);
	assert_int_equal(ristretto_msm_vartime(got, (cscalars)s, (cpoints)p, 2), 0);
	assert_memory_equal(got, zero, EB);
	assert_int_equal(ristretto_msm_vartime(got, (cscalars)s, (cpoints)p, 0), 0);
	assert_memory_equal(got, zero, EB);
	assert_int_equal(ristretto_is_valid(zero), 1);
}

/*
 * libsodium's answer, except for the top bit: libsodium 1.0.18 ignores it,
 * and so accepts an encoding that RFC 9496 calls non-canonical.
 */
static int sodium_valid(const uint8_t s[EB])
{
	return !(s[31] & 0x80) && crypto_core_ristretto255_is_valid_point(s);
}

/* Validity agrees with libsodium on valid points, their bit flips and random bytes. */
static void test_valid_matches_libsodium(void **state)
{
	uint8_t p[EB], q[EB];
	int valid = 0;

	(void)state;
	for (int round = 0; round < 200; round++) {
		crypto_core_ristretto255_random(p);
		assert_int_equal(ristretto_is_valid(p), 1);
		for (int bit = 0; bit < 256; bit++) {
			memcpy(q, p, EB);
			q[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (ristretto_is_valid(q) != sodium_valid(q))
				fail_msg("validity differs from libsodium at round %d bit %d",
					 round, bit);
		}
	}
	for (int round = 0; round < 20000; round++) {
		randombytes_buf(q, EB);
		q[0] &= 0xfe; /* odd ones are all negative: make the rest count */
		valid += ristretto_is_valid(q);
		if (ristretto_is_valid(q) != sodium_valid(q))
			fail_msg("validity differs from libsodium on random bytes");
	}
	/* About one in eight even strings below p decode (a square, then a sign). */
	assert_true(valid > 20000 / 16 && valid < 20000 / 4);
}

/* Field encodings at and around p = 2^255 - 19. */
static void test_noncanonical_rejected(void **state)
{
	uint8_t s[EB];

	(void)state;
	for (int low = 0xe0; low <= 0xff; low++) {
		memset(s, 0xff, EB);
		s[31] = 0x7f;
		s[0] = (uint8_t)low; /* p - 13 .. 2^255 - 1 */
		assert_int_equal(ristretto_is_valid(s), sodium_valid(s));
		if (low >= 0xed)
			assert_int_equal(ristretto_is_valid(s), 0);
	}
	crypto_core_ristretto255_random(s);
	s[31] |= 0x80; /* the top bit is never set (libsodium 1.0.18 accepts it) */
	assert_int_equal(ristretto_is_valid(s), 0);
}

/* An invalid point anywhere in the batch fails the whole sum. */
static void test_msm_invalid_point(void **state)
{
	enum { N = 40 };
	uint8_t s[N][SB], p[N][EB], out[EB];

	(void)state;
	for (size_t i = 0; i < N; i++) {
		crypto_core_ristretto255_scalar_random(s[i]);
		crypto_core_ristretto255_random(p[i]);
	}
	for (size_t bad = 0; bad < N; bad += 13) {
		uint8_t keep[EB];

		memcpy(keep, p[bad], EB);
		p[bad][0] |= 1; /* negative */
		assert_int_equal(ristretto_msm_vartime(out, (cscalars)s, (cpoints)p, N), -1);
		memcpy(p[bad], keep, EB);
	}
	/* ... even with a zero scalar, which skips only the arithmetic. */
	memset(s[5], 0, SB);
	p[5][0] |= 1;
	assert_int_equal(ristretto_msm_vartime(out, (cscalars)s, (cpoints)p, N), -1);
}

/* ---- RFC 9496, Appendix A ---- */

static int hex_decode(uint8_t *out, size_t len, const char *hex)
{
	size_t bin_len = 0;

	return strlen(hex) == 2 * len &&
			       sodium_hex2bin(out, len, hex, 2 * len, NULL, &bin_len, NULL) == 0 &&
			       bin_len == len
		       ? 0
		       : -1;
}

static void test_rfc9496_vectors(void **state)
{
	FILE *f = fopen(FIXTURES_DIR "/ristretto255_rfc9496.tsv", "r");
	char line[512], kind[16], input[160], expected[80];
	uint8_t base[EB], s[SB], want[EB], got[EB], wide[64];
	int multiples = 0, invalid = 0, maps = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(crypto_scalarmult_ristretto255_base(base, (const uint8_t[SB]){ 1 }), 0);
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(
			sscanf(line, "%15[^\t]\t%159[^\t]\t%79[^\t\n]", kind, input, expected), 3);
		if (strcmp(kind, "multiple") == 0) {
			memset(s, 0, SB);
			s[0] = (uint8_t)strtol(input, NULL, 10);
			assert_int_equal(hex_decode(want, EB, expected), 0);
			assert_int_equal(
				ristretto_msm_vartime(got, (cscalars)&s, (cpoints)&base, 1), 0);
			assert_memory_equal(got, want, EB);
			assert_int_equal(ristretto_is_valid(want), 1);
			multiples++;
		} else if (strcmp(kind, "invalid") == 0) {
			assert_int_equal(hex_decode(want, EB, input), 0);
			if (ristretto_is_valid(want))
				fail_msg("accepted the invalid (%s) encoding %s", expected, input);
			s[0] = 1;
			assert_int_equal(
				ristretto_msm_vartime(got, (cscalars)&s, (cpoints)&want, 1), -1);
			invalid++;
		} else if (strcmp(kind, "map") == 0) {
			/*
			 * The map is libsodium's (hash to group in voprf.c); its
			 * outputs must also decode and encode again here.
			 */
			assert_int_equal(hex_decode(wide, sizeof(wide), input), 0);
			assert_int_equal(hex_decode(want, EB, expected), 0);
			assert_int_equal(crypto_core_ristretto255_from_hash(got, wide), 0);
			assert_memory_equal(got, want, EB);
			assert_int_equal(ristretto_is_valid(want), 1);
			memset(s, 0, SB);
			s[0] = 1;
			assert_int_equal(
				ristretto_msm_vartime(got, (cscalars)&s, (cpoints)&want, 1), 0);
			assert_memory_equal(got, want, EB);
			maps++;
		} else {
			fail_msg("unknown kind '%s' in the vectors", kind);
		}
	}
	fclose(f);
	/* RFC 9496 Appendix A: 16 multiples, 29 invalid encodings, 11 map vectors. */
	assert_int_equal(multiples, 16);
	assert_int_equal(invalid, 29);
	assert_int_equal(maps, 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9496_vectors),
		cmocka_unit_test(test_msm_matches_libsodium),
		cmocka_unit_test(test_msm_random_pairs),
		cmocka_unit_test(test_msm_identity),
		cmocka_unit_test(test_valid_matches_libsodium),
		cmocka_unit_test(test_noncanonical_rejected),
		cmocka_unit_test(test_msm_invalid_point),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
