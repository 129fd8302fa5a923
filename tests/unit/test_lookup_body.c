/*
 * test_lookup_body.c - the lookup body's fast path takes exactly the common
 * form and leaves every other body to jansson.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api/lookup_body.h"

#define BYTES 64
#define MAX   5

static char p64[3][sodium_base64_ENCODED_LEN(BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
static uint8_t raw[3][BYTES];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		randombytes_buf(raw[i], BYTES);
		sodium_bin2base64(p64[i], sizeof(p64[i]), raw[i], BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	}
	return 0;
}

static int scan(const char *body, uint8_t out[MAX][BYTES], size_t *n)
{
	return lookup_body_pseudonyms(body, strlen(body), (uint8_t *)out, BYTES, MAX, n);
}

static void test_common_form(void **state)
{
	char body[1024];
	uint8_t out[MAX][BYTES];
	size_t n;

	(void)state;
	snprintf(body, sizeof(body), "{\"items\":[{\"pseudonym\":\"%s\"},{\"pseudonym\":\"%s\"}]}",
		 p64[0], p64[1]);
	assert_int_equal(scan(body, out, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out[0], raw[0], BYTES);
	assert_memory_equal(out[1], raw[1], BYTES);

	/* JSON whitespace anywhere between tokens */
	snprintf(
		body, sizeof(body),
		" \r\n{ \"items\" :\t[ { \"pseudonym\" : \"%s\" } ,\n{\"pseudonym\":\"%s\"}\n] }\n",
		p64[2], p64[0]);
	assert_int_equal(scan(body, out, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out[0], raw[2], BYTES);
	assert_memory_equal(out[1], raw[0], BYTES);
}

/* Everything else goes to jansson, which parses it or says what is wrong. */
/* form with @P replaced by a pseudonym, @S by a shortened one. */
static void fill(char *out, size_t size, const char *form)
{
	size_t o = 0;

	for (const char *f = form; *f && o + 100 < size; f++) {
		if (f[0] == '@' && (f[1] == 'P' || f[1] == 'S')) {
			size_t len = f[1] == 'P' ? strlen(p64[0]) : 80;

			memcpy(out + o, p64[0], len);
			o += len;
			f++;
		} else {
			out[o++] = *f;
		}
	}
	out[o] = '\0';
}

static void test_everything_else_declined(void **state)
{
	static const char *forms[] = {
		"{\"items\":[{\"pseudonym\":\"@P\"}]} x",	      /* trailing garbage */
		"{\"items\":[{\"pseudonym\":\"@P\"}],\"x\":1}",	      /* another member */
		"{\"items\":[{\"pseudonym\":\"@P\",\"x\":1}]}",	      /* another key in an item */
		"{\"items\":[{\"pseudonym\":\"@P\"},]}",	      /* trailing comma */
		"{\"items\":[{\"pseudonym\":\"@P\"}]",		      /* unterminated */
		"{\"items\":[{\"pseudonym\":\"\\u0041@P\"}]}",	      /* an escape */
		"{\"items\":[{\"pseudonym\":\"@P=\"}]}",	      /* padding */
		"{\"items\":[{\"pseudonym\":\"@S\"}]}",		      /* too short */
		"{\"items\":[{\"kind\":\"iban\",\"value\":\"@P\"}]}", /* not a pseudonym */
		"{\"items\":[{\"pseudonym\":\"@P\"}, {\"kind\":\"iban\",\"value\":\"x\"}]}",
		"{\"Items\":[{\"pseudonym\":\"@P\"}]}", /* names are exact */
		"[{\"pseudonym\":\"@P\"}]",		/* not an object */
		"{\"items\":[]}@P",			/* no items */
	};
	char body[1024];
	uint8_t out[MAX + 1][BYTES];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		fill(body, sizeof(body), forms[i]);
		if (lookup_body_pseudonyms(body, strlen(body), (uint8_t *)out, BYTES, MAX, &n) !=
		    -1)
			fail_msg("took form %zu: %s", i, body);
	}
	/* A NUL inside the body (strlen would stop at it) */
	snprintf(body, sizeof(body), "{\"items\":[{\"pseudonym\":\"%s\"}]}", p64[0]);
	{
		size_t len = strlen(body);

		body[len] = '\0';
		body[len + 1] = ' ';
		assert_int_equal(
			lookup_body_pseudonyms(body, len + 2, (uint8_t *)out, BYTES, MAX, &n), -1);
	}
	/* More than max items */
	{
		size_t o = (size_t)snprintf(body, sizeof(body), "{\"items\":[");

		for (int i = 0; i <= MAX; i++)
			o += (size_t)snprintf(body + o, sizeof(body) - o,
					      "%s{\"pseudonym\":\"%s\"}", i ? "," : "", p64[i % 3]);
		snprintf(body + o, sizeof(body) - o, "]}");
		assert_true(o + 3 < sizeof(body));
	}
	assert_int_equal(lookup_body_pseudonyms(body, strlen(body), (uint8_t *)out, BYTES, MAX, &n),
			 -1);
	assert_int_equal(
		lookup_body_pseudonyms(body, strlen(body), (uint8_t *)out, BYTES, MAX + 1, &n), 0);
	assert_int_equal(n, MAX + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_form),
		cmocka_unit_test(test_everything_else_declined),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, NULL);
}
