/*
 * test_keccak.c - Keccak-256 (Ethereum's variant, padding 0x01).
 *
 * The vectors for 135, 136 and 200 bytes of 'a' straddle the 136-byte rate:
 * one block with the padding in the last byte, a message that fills a block
 * exactly (padding alone in a second block), and two blocks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/keccak.h"

struct keccak_case {
	const char *msg; /* NULL: `reps` times the byte 'a' */
	size_t reps;
	const char *hex;
};

static const struct keccak_case cases[] = {
	{ "", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470" },
	{ "abc", 0, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45" },
	{ "testing", 0, "5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02" },
	{ "The quick brown fox jumps over the lazy dog", 0,
	  "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15" },
	{ NULL, 135, "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446" },
	{ NULL, 136, "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e" },
	{ NULL, 200, "96ea54061def936c4be90b518992fdc6f12f535068a256229aca54267b4d084d" },
};

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void test_keccak_vectors(void **state)
{
	uint8_t msg[256], digest[KECCAK256_DIGEST_LEN];
	char hex[2 * KECCAK256_DIGEST_LEN + 1];
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct keccak_case *c = &cases[i];
		size_t len = c->msg ? strlen(c->msg) : c->reps;

		assert_true(len <= sizeof(msg));
		if (c->msg)
			memcpy(msg, c->msg, len);
		else
			memset(msg, 'a', len);
		keccak256(msg, len, digest);
		to_hex(digest, sizeof(digest), hex);
		assert_string_equal(hex, c->hex);
		n++;
	}
	assert_int_equal(n, 7);
}

/* The digest must depend on the input only, not on what lies beyond it. */
static void test_keccak_ignores_trailing_bytes(void **state)
{
	uint8_t buf[300], d1[KECCAK256_DIGEST_LEN], d2[KECCAK256_DIGEST_LEN];

	(void)state;
	memset(buf, 'a', sizeof(buf));
	keccak256(buf, 200, d1);
	memset(buf + 200, 0xff, sizeof(buf) - 200);
	keccak256(buf, 200, d2);
	assert_memory_equal(d1, d2, sizeof(d1));
	keccak256(buf, 201, d2);
	assert_memory_not_equal(d1, d2, sizeof(d1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keccak_vectors),
		cmocka_unit_test(test_keccak_ignores_trailing_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
