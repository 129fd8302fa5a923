/* Unit tests for casecode.c: format, round trip, typing errors caught. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "casecode.h"

static const char symbols[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void test_format_and_round_trip(void **state)
{
	char code[CASECODE_TEXT_MAX], typed[CASECODE_TEXT_MAX];
	uint8_t h1[CASECODE_HASH_BYTES], h2[CASECODE_HASH_BYTES];

	(void)state;
	for (int n = 0; n < 1000; n++) {
		casecode_new(code, h1);
		assert_int_equal(strlen(code), 33);
		for (int i = 0; i < 33; i++) {
			if (i % 5 == 4)
				assert_int_equal(code[i], '-');
			else
				assert_non_null(strchr(symbols, code[i]));
		}
		assert_int_equal(casecode_parse(code, h2), 0);
		assert_memory_equal(h1, h2, sizeof(h1));
		/* As a person may type it: lower case, spaces, no dashes. */
		size_t p = 0;
		for (int i = 0; code[i]; i++) {
			if (code[i] == '-')
				typed[p++] = ' ';
			else
				typed[p++] = (char)(code[i] >= 'A' ? code[i] + 32 : code[i]);
		}
		typed[p] = '\0';
		assert_int_equal(casecode_parse(typed, h2), 0);
		assert_memory_equal(h1, h2, sizeof(h1));
	}
}

static void test_codes_differ(void **state)
{
	char a[CASECODE_TEXT_MAX], b[CASECODE_TEXT_MAX];
	uint8_t ha[CASECODE_HASH_BYTES], hb[CASECODE_HASH_BYTES];

	(void)state;
	casecode_new(a, ha);
	casecode_new(b, hb);
	assert_string_not_equal(a, b);
	assert_memory_not_equal(ha, hb, sizeof(ha));
}

/* Every single changed symbol is caught by the check symbol. */
static void test_single_errors_caught(void **state)
{
	char code[CASECODE_TEXT_MAX], bad[CASECODE_TEXT_MAX];
	uint8_t h[CASECODE_HASH_BYTES];
	int caught = 0, tried = 0, swaps = 0, swaps_caught = 0;

	(void)state;
	for (int n = 0; n < 50; n++) {
		casecode_new(code, h);
		for (int i = 0; code[i]; i++) {
			if (code[i] == '-')
				continue;
			for (int s = 0; s < 32; s++) {
				if (symbols[s] == code[i])
					continue;
				memcpy(bad, code, sizeof(bad));
				bad[i] = symbols[s];
				tried++;
				caught += casecode_parse(bad, h) != 0;
			}
			if (code[i + 1] && code[i + 1] != '-' && code[i + 1] != code[i]) {
				memcpy(bad, code, sizeof(bad));
				bad[i] = code[i + 1];
				bad[i + 1] = code[i];
				swaps++;
				swaps_caught += casecode_parse(bad, h) != 0;
			}
		}
	}
	assert_int_equal(caught, tried);
	/* Luhn mod N misses only a few swaps; most must be caught. */
	assert_true(swaps_caught * 10 >= swaps * 9);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"0000",
		"0000-0000-0000-0000-0000-0000-00",   /* one symbol short */
		"0000-0000-0000-0000-0000-0000-0000", /* one too many */
		"8000-0000-0000-0000-0000-0000-000",  /* more than 128 bits */
		"0000-0000-0000-0000-0000-0000-00U",  /* U is no symbol */
		"0000-0000-0000-0000-0000-0000-00*",
		"0000-0000-0000-0000-0000-0000-00\xc3\xa9",
	};
	uint8_t h[CASECODE_HASH_BYTES];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (casecode_parse(bad[i], h) == 0)
			fail_msg("accepted '%s'", bad[i]);
	/* All zero bits with its own check symbol is a well-formed code; O and I/L read as 0 and 1. */
	assert_int_equal(casecode_parse("0000-0000-0000-0000-0000-0000-000", h), 0);
	assert_int_equal(casecode_parse("oooo-OOOO-0000-0000-0000-0000-000", h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_and_round_trip),
		cmocka_unit_test(test_codes_differ),
		cmocka_unit_test(test_single_errors_caught),
		cmocka_unit_test(test_rejects),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
