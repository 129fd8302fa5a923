/*
 * fuzz_b64url.c - the base64url decoder against libsodium's on arbitrary
 * bytes.  The first byte picks the decoded length (0 to 255), the rest is
 * the text.  Invariant: both accept exactly the same inputs, with the same
 * bytes, except that libsodium 1.0.18 reads every byte from 0x80 up as '_'
 * and this decoder refuses them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/b64url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memchr_high(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t a[256], b[256];
	size_t n, got = 0;
	char *s;
	int ra, rb;

	if (size < 1 || size > 1024)
		return 0;
	n = data[0];
	/* An exact-size copy, so reading past the end is caught. */
	s = calloc(1, size - 1 ? size - 1 : 1);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	ra = b64url_decode_exact(a, n, s, size - 1);
	rb = memchr_high(s, size - 1) ? -1
	     : sodium_base642bin(b, n, s, size - 1, NULL, &got, NULL,
				 sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
			     got == n
		     ? 0
		     : -1;
	if (ra != rb || (ra == 0 && memcmp(a, b, n) != 0))
		abort();
	free(s);
	return 0;
}
