/* test_iban.c - IBAN normalisation: the python-stdnum vectors plus own cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ident/ident.h"
#include "util/mem.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

#define FIELDS_MAX 4

/* Split a TSV line in place; returns the number of fields. */
static int split_tsv(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		char *tab = strchr(p, '\t');

		f[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	return n;
}

static int norm(struct ident *id, const char *in, char *err)
{
	ident_release(id);
	err[0] = '\0';
	return ident_iban_normalize(id, in, strlen(in), err, IDENT_ERR_MAX);
}

/* The canonical form computed independently: drop ' ', '-', '.', upper-case. */
static void compact(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *in && n + 1 < outsz; in++) {
		if (*in == ' ' || *in == '-' || *in == '.')
			continue;
		out[n++] = (char)toupper((unsigned char)*in);
	}
	out[n] = '\0';
}

static void assert_idempotent(const struct ident *id)
{
	struct ident again = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	assert_int_equal(norm(&again, id->canonical, err), IDENT_OK);
	assert_string_equal(again.canonical, id->canonical);
	ident_release(&again);
}

/* The message an invalid row of a given category must start with. */
static int category_matches(const char *category, const char *err)
{
	if (strcmp(category, "checksum") == 0)
		return strncmp(err, "checksum mismatch", 17) == 0;
	if (strcmp(category, "length") == 0)
		return strncmp(err, "wrong length for ", 17) == 0;
	if (strcmp(category, "format") == 0)
		return strncmp(err, "bban structure mismatch", 23) == 0 ||
		       strncmp(err, "unknown country code", 20) == 0;
	if (strcmp(category, "national_check") == 0)
		return strncmp(err, "national check digit", 20) == 0;
	if (strcmp(category, "corner_case") == 0)
		return strncmp(err, "unknown country code", 20) == 0;
	return 0;
}

static void test_iban_fixture(void **state)
{
	char line[512], want[128], err[IDENT_ERR_MAX];
	char *f[FIELDS_MAX];
	struct ident id = IDENT_INIT;
	int rows = 0, valid = 0;
	FILE *fp = fopen(FIXTURES_DIR "/iban.tsv", "r");

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_true(split_tsv(line, f, FIELDS_MAX) >= 3);
		rows++;
		if (strcmp(f[1], "valid") == 0) {
			if (norm(&id, f[0], err) != IDENT_OK)
				fail_msg("'%s' rejected: %s", f[0], err);
			compact(f[0], want, sizeof(want));
			assert_string_equal(id.canonical, want);
			assert_non_null(ident_attr_get(&id, "country"));
			assert_memory_equal(ident_attr_get(&id, "country"), want, 2);
			assert_idempotent(&id);
			valid++;
		} else {
			assert_string_equal(f[1], "invalid");
			if (norm(&id, f[0], err) != IDENT_EINVAL)
				fail_msg("'%s' accepted as %s", f[0], id.canonical);
			if (!category_matches(f[2], err))
				fail_msg("'%s' (%s): unexpected message '%s'", f[0], f[2], err);
		}
	}
	fclose(fp);
	ident_release(&id);
	assert_int_equal(rows, 219);
	assert_int_equal(valid, 196);
}

static void test_iban_ops_fixture(void **state)
{
	char line[512], err[IDENT_ERR_MAX], msg[IDENT_ERR_MAX];
	char *f[FIELDS_MAX];
	struct ident id = IDENT_INIT;
	int rows = 0;
	FILE *fp = fopen(FIXTURES_DIR "/iban_ops.tsv", "r");

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(split_tsv(line, f, FIELDS_MAX), 3);
		rows++;
		if (strcmp(f[0], "compact") == 0 || strcmp(f[0], "validate") == 0) {
			assert_int_equal(norm(&id, f[1], err), IDENT_OK);
			assert_string_equal(id.canonical, f[2]);
		} else if (strcmp(f[0], "format") == 0) {
			/* the printed form must normalise back to the compact one */
			assert_int_equal(norm(&id, f[2], err), IDENT_OK);
			assert_string_equal(id.canonical, f[1]);
		} else if (strcmp(f[0], "calc_check_digits") == 0) {
			char in[64];

			snprintf(in, sizeof(in), "%.2s00%s", f[1], f[1] + 4);
			assert_int_equal(norm(&id, in, err), IDENT_EINVAL);
			snprintf(msg, sizeof(msg),
				 "checksum mismatch: expected check digits %s, got 00", f[2]);
			assert_string_equal(err, msg);
		} else {
			fail_msg("unknown op '%s'", f[0]);
		}
	}
	fclose(fp);
	ident_release(&id);
	assert_int_equal(rows, 5);
}

struct attr_case {
	const char *in, *canonical, *country, *bank_code, *bank;
};

static void test_iban_attributes(void **state)
{
	static const struct attr_case cases[] = {
		{ "NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "NL", "ABNA", "ABN AMRO Bank" },
		{ "nl20ingb0001234567", "NL20INGB0001234567", "NL", "INGB", "ING" },
		{ "NL44-RABO-0123-4567-89", "NL44RABO0123456789", "NL", "RABO", "Rabobank" },
		{ "NL23.BUNQ.2025.4402.58", "NL23BUNQ2025440258", "NL", "BUNQ", "bunq" },
		{ "NL70 TRIO 0123 4567 89", "NL70TRIO0123456789", "NL", "TRIO", "Triodos Bank" },
		{ "NL12SNSB0123456789", "NL12SNSB0123456789", "NL", "SNSB", "SNS" },
		/* a well-formed bank code nobody holds: no name, still valid */
		{ "NL51ZZZZ0123456789", "NL51ZZZZ0123456789", "NL", "ZZZZ", NULL },
		{ "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE", "37040044", NULL },
		{ "GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819", "GB", "NWBK", NULL },
		{ "IT60X0542811101000000123456", "IT60X0542811101000000123456", "IT", "05428",
		  NULL },
		{ "BE68539007547034", "BE68539007547034", "BE", "539", NULL },
		{ "MU17BOMM0101101030300200000MUR", "MU17BOMM0101101030300200000MUR", "MU",
		  "BOMM01", NULL },
		/* bank position not known for Poland: attribute omitted */
		{ "PL61109010140000071219812874", "PL61109010140000071219812874", "PL", NULL,
		  NULL },
	};
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct attr_case *c = &cases[i];
		const char *v;

		if (norm(&id, c->in, err) != IDENT_OK)
			fail_msg("'%s' rejected: %s", c->in, err);
		assert_string_equal(id.canonical, c->canonical);
		assert_string_equal(ident_attr_get(&id, "country"), c->country);
		v = ident_attr_get(&id, "bank_code");
		if (c->bank_code)
			assert_string_equal(v, c->bank_code);
		else
			assert_null(v);
		v = ident_attr_get(&id, "bank");
		if (c->bank)
			assert_string_equal(v, c->bank);
		else
			assert_null(v);
		assert_idempotent(&id);
	}
	ident_release(&id);
}

static void test_iban_errors(void **state)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{ "NL91 ABNA 0417 1643 01", "checksum mismatch: expected check digits 64, got 91" },
		{ "NL00ABNA0417164300", "checksum mismatch: expected check digits 91, got 00" },
		{ "NL91ABNA041716430", "wrong length for NL: expected 18 characters, got 17" },
		{ "NL91ABNA04171643000", "wrong length for NL: expected 18 characters, got 19" },
		{ "NL91ABN10417164300",
		  "bban structure mismatch for NL at position 8: expected a letter, got '1' "
		  "(format 4!a10!n)" },
		{ "NL56 3003 0A17 1643 00",
		  "bban structure mismatch for NL at position 5: expected a letter, got '3' "
		  "(format 4!a10!n)" },
		{ "DE89 3704 0044 0532 0130 0X",
		  "bban structure mismatch for DE at position 22: expected a digit, got 'X' "
		  "(format 8!n10!n)" },
		{ "XX431234", "unknown country code 'XX': not in the iban registry" },
		{ "0001", "unknown country code '00': an iban starts with two letters" },
		{ "N", "too short: 'N' is not an iban" },
		{ "NLAAABNA0417164300", "check digits must be two digits, got 'AA'" },
		{ "NL91_ABNA0417164300",
		  "invalid character '_' at position 5; allowed are letters, digits, spaces, "
		  "dashes and dots" },
		{ "NL91ABNA0417164300\xc3\xa9",
		  "invalid character '\\xc3' at position 19; allowed are letters, digits, "
		  "spaces, dashes and dots" },
		{ " - . ", "empty iban: no letters or digits" },
		{ "NL91ABNA04171643001234567890123456789",
		  "too long: an iban has at most 34 characters" },
		{ "ES2121000418450200051331",
		  "national check digits mismatch for ES: expected 40, got 45" },
		{ "BE36 5390 0754 7034 1234",
		  "wrong length for BE: expected 16 characters, got 20" },
	};
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (norm(&id, cases[i].in, err) != IDENT_EINVAL)
			fail_msg("'%s' accepted", cases[i].in);
		assert_string_equal(err, cases[i].err);
		assert_null(id.canonical);
	}
	ident_release(&id);
}

/* Not NUL-terminated: the function must read exactly len bytes. */
static void test_iban_length_bound(void **state)
{
	static const char buf[] = "NL91ABNA0417164300XYZ";
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	(void)state;
	assert_int_equal(ident_iban_normalize(&id, buf, 18, err, sizeof(err)), IDENT_OK);
	assert_string_equal(id.canonical, "NL91ABNA0417164300");
	ident_release(&id);
}

static void test_iban_enomem(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int rc;

	(void)state;
	mem_fail_after(0);
	rc = norm(&id, "NL91ABNA0417164300", err);
	mem_fail_after(-1);
	assert_int_equal(rc, IDENT_ENOMEM);
	ident_release(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iban_fixture),	  cmocka_unit_test(test_iban_ops_fixture),
		cmocka_unit_test(test_iban_attributes),	  cmocka_unit_test(test_iban_errors),
		cmocka_unit_test(test_iban_length_bound), cmocka_unit_test(test_iban_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
