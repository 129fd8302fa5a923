/* test_b64url.c - src/util/b64url.c against libsodium's decoder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <sodium.h>

#include "util/b64url.h"

/*
 * libsodium's answer for the same question: n bytes exactly, nothing
 * ignored.  Except that libsodium 1.0.18 reads every byte from 0x80 up as
 * '_' (63), which is no base64url; those are refused here.
 */
static int sodium_decode(uint8_t *out, size_t n, const char *s, size_t len)
{
	size_t got = 0;

	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return -1;
	return sodium_base642bin(out, n, s, len, NULL, &got, NULL,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
			       got == n
		       ? 0
		       : -1;
}

static void check_same(size_t n, const char *s, size_t len)
{
	uint8_t a[128], b[128];
	int ra = b64url_decode_exact(a, n, s, len), rb = sodium_decode(b, n, s, len);

	if (ra != rb)
		fail_msg("n=%zu len=%zu '%.*s': %d here, %d in libsodium", n, len, (int)len, s, ra,
			 rb);
	if (ra == 0)
		assert_memory_equal(a, b, n);
}

/* Every length up to 100 bytes, round trip and the same bytes as libsodium. */
static void test_round_trip(void **state)
{
	uint8_t in[100], out[100];
	char s[sodium_base64_ENCODED_LEN(100, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

	(void)state;
	for (size_t n = 0; n <= sizeof(in); n++) {
		randombytes_buf(in, n);
		sodium_bin2base64(s, sizeof(s), in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		assert_int_equal(b64url_decode_exact(out, n, s, strlen(s)), 0);
		assert_memory_equal(out, in, n);
		check_same(n, s, strlen(s));
	}
}

/* Every one-character change of valid encodings, and wrong lengths. */
static void test_mutations_agree(void **state)
{
	uint8_t in[64];
	char s[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	static const size_t sizes[] = { 1, 2, 3, 32, 64 };

	(void)state;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k], len;

		randombytes_buf(in, n);
		sodium_bin2base64(s, sizeof(s), in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		len = strlen(s);
		for (size_t i = 0; i < len; i++) {
			char keep = s[i];

			for (int c = 1; c < 256; c++) {
				s[i] = (char)c;
				check_same(n, s, len);
			}
			s[i] = keep;
		}
		check_same(n, s, len - 1);
		check_same(n ? n - 1 : 0, s, len);
		check_same(n + 1, s, len);
	}
}

/* Leftover bits must be zero: "QQ" is 'A', "QR" is not an encoding. */
static void test_trailing_bits(void **state)
{
	uint8_t out[2];

	(void)state;
	assert_int_equal(b64url_decode_exact(out, 1, "QQ", 2), 0);
	assert_int_equal(out[0], 'A');
	assert_int_equal(b64url_decode_exact(out, 1, "QR", 2), -1);
	assert_int_equal(b64url_decode_exact(out, 2, "QUI", 3), 0);
	assert_int_equal(b64url_decode_exact(out, 2, "QUJ", 3), -1);
	assert_int_equal(b64url_decode_exact(out, 1, "QQ==", 4), -1);  /* no padding */
	assert_int_equal(b64url_decode_exact(out, 1, "Q+", 2), -1);    /* not URL-safe */
	assert_int_equal(b64url_decode_exact(out, 1, "\xfeg", 2), -1); /* libsodium: 0xfe */
	check_same(1, "QR", 2);
	check_same(2, "QUJ", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_mutations_agree),
		cmocka_unit_test(test_trailing_bits),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
