/* test_phone.c - phone normalisation: libphonenumber's Dutch examples plus own cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ident/ident.h"
#include "util/mem.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

#define FIELDS_MAX 5

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
	return ident_phone_normalize(id, in, strlen(in), err, IDENT_ERR_MAX);
}

static void expect_ok(const char *in, const char *canonical, const char *country, const char *type)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	if (norm(&id, in, err) != IDENT_OK)
		fail_msg("'%s' rejected: %s", in, err);
	if (strcmp(id.canonical, canonical) != 0)
		fail_msg("'%s': got %s, want %s", in, id.canonical, canonical);
	assert_string_equal(ident_attr_get(&id, "country"), country);
	if (strcmp(ident_attr_get(&id, "type"), type) != 0)
		fail_msg("'%s': type %s, want %s", in, ident_attr_get(&id, "type"), type);
	/* idempotence: the canonical form is a fixed point */
	assert_int_equal(norm(&again, id.canonical, err), IDENT_OK);
	assert_string_equal(again.canonical, id.canonical);
	assert_string_equal(ident_attr_get(&again, "type"), type);
	ident_release(&id);
	ident_release(&again);
}

static void expect_err(const char *in, const char *msg)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	if (norm(&id, in, err) != IDENT_EINVAL)
		fail_msg("'%s' accepted as %s", in, id.canonical);
	if (strcmp(err, msg) != 0)
		fail_msg("'%s': message '%s', want '%s'", in, err, msg);
	assert_null(id.canonical);
	ident_release(&id);
}

/* libphonenumber's type names as this module spells them. */
static const char *type_name(const char *t)
{
	static const struct {
		const char *xml, *name;
	} map[] = {
		{ "fixedLine", "fixed_line" },
		{ "mobile", "mobile" },
		{ "pager", "pager" },
		{ "tollFree", "toll_free" },
		{ "premiumRate", "premium_rate" },
		{ "voip", "voip" },
		{ "uan", "uan" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].xml, t) == 0)
			return map[i].name;
	fail_msg("unknown type '%s'", t);
	return NULL;
}

static void test_phone_fixture(void **state)
{
	char line[1024], in[64], want[64], msg[IDENT_ERR_MAX];
	char *f[FIELDS_MAX];
	int rows = 0, full = 0;
	FILE *fp = fopen(FIXTURES_DIR "/phone_nl.tsv", "r");

	(void)state;
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(split_tsv(line, f, FIELDS_MAX), 5);
		rows++;
		if (strcmp(f[0], "PhoneNumberMetadata.xml") == 0) {
			/* the example with trunk 0, and in international form */
			snprintf(want, sizeof(want), "+31%s", f[2]);
			snprintf(in, sizeof(in), "0%s", f[2]);
			expect_ok(in, want, "NL", type_name(f[1]));
			snprintf(in, sizeof(in), "+31 %s", f[2]);
			expect_ok(in, want, "NL", type_name(f[1]));
			full++;
		} else {
			assert_string_equal(f[0], "ShortNumberMetadata.xml");
			/* short numbers are never suspect numbers */
			if (strcmp(f[2], "112") == 0 || strcmp(f[2], "911") == 0)
				snprintf(msg, sizeof(msg),
					 "'%s' is an emergency number, not a "
					 "valid suspect number",
					 f[2]);
			else
				snprintf(msg, sizeof(msg),
					 "'%s' is a short service number, not a "
					 "subscriber number",
					 f[2]);
			expect_err(f[2], msg);
		}
	}
	fclose(fp);
	assert_int_equal(rows, 13);
	assert_int_equal(full, 7);
}

static void test_phone_five_forms(void **state)
{
	static const char *const forms[] = {
		"06-12345678",	     "0612345678",	"+31 6 12345678",
		"+31 (0)6 12345678", "0031 6 12345678",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		expect_ok(forms[i], "+31612345678", "NL", "mobile");
}

static void test_phone_valid(void **state)
{
	static const struct {
		const char *in, *canonical, *country, *type;
	} cases[] = {
		/* Dutch, every type and the ways people write them */
		{ "+31 06 12345678", "+31612345678", "NL", "mobile" },
		{ "612345678", "+31612345678", "NL", "mobile" },
		{ "31612345678", "+31612345678", "NL", "mobile" },
		{ "(06) 123 456 78", "+31612345678", "NL", "mobile" },
		{ "06.12.34.56.78", "+31612345678", "NL", "mobile" },
		{ "\t06 5123 4567 ", "+31651234567", "NL", "mobile" },
		{ "097012345678", "+3197012345678", "NL", "mobile" },
		{ "+31 97 0123 45678", "+3197012345678", "NL", "mobile" },
		{ "020-1234567", "+31201234567", "NL", "fixed_line" },
		{ "010 123 4567", "+31101234567", "NL", "fixed_line" },
		{ "(0318) 123456", "+31318123456", "NL", "fixed_line" },
		{ "070/1234567", "+31701234567", "NL", "fixed_line" },
		{ "+31 (0)20 123 4567", "+31201234567", "NL", "fixed_line" },
		{ "0800-1234", "+318001234", "NL", "toll_free" },
		{ "0800 0432", "+318000432", "NL", "toll_free" },
		{ "0900-8844", "+319008844", "NL", "premium_rate" },
		{ "0906 1234567", "+319061234567", "NL", "premium_rate" },
		{ "0909-123456", "+31909123456", "NL", "premium_rate" },
		{ "085 123 4567", "+31851234567", "NL", "voip" },
		{ "091 123 4567", "+31911234567", "NL", "voip" },
		{ "084 123 4567", "+31841234567", "NL", "uan" },
		{ "087 123 4567", "+31871234567", "NL", "uan" },
		{ "088 123 4567", "+31881234567", "NL", "uan" },
		{ "066 1234567", "+31661234567", "NL", "pager" },
		{ "14020", "+3114020", "NL", "uan" },
		{ "14 010", "+3114010", "NL", "uan" },
		{ "+31 14020", "+3114020", "NL", "uan" },
		{ "140111", "+31140111", "NL", "uan" },
		/* elsewhere: by length only */
		{ "+32 2 123 45 67", "+3221234567", "BE", "unknown" },
		{ "+49 (0)30 1234567", "+49301234567", "DE", "unknown" },
		{ "+49 030 1234567", "+49301234567", "DE", "unknown" },
		{ "0049 30 1234567", "+49301234567", "DE", "unknown" },
		{ "+44 20 7946 0958", "+442079460958", "GB/GG/IM/JE", "unknown" },
		{ "+44 (0)20 7946 0958", "+442079460958", "GB/GG/IM/JE", "unknown" },
		{ "+1 (202) 555-0123", "+12025550123", "NANP", "unknown" },
		{ "001 202 555 0123", "+12025550123", "NANP", "unknown" },
		{ "+1 242 357 1234", "+12423571234", "NANP", "unknown" },
		{ "+39 06 1234 5678", "+390612345678", "IT/VA", "unknown" },
		{ "+33 6 12 34 56 78", "+33612345678", "FR", "unknown" },
		{ "+33 (0)6 12 34 56 78", "+33612345678", "FR", "unknown" },
		{ "+7 912 345 67 89", "+79123456789", "RU/KZ", "unknown" },
		{ "+86 138 0013 8000", "+8613800138000", "CN", "unknown" },
		{ "+234 803 123 4567", "+2348031234567", "NG", "unknown" },
		{ "+800 1234 5678", "+80012345678", "international", "toll_free" },
		{ "+377 93 15 00 00", "+37793150000", "MC", "unknown" },
		{ "+299 12 34 56", "+299123456", "GL", "unknown" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_ok(cases[i].in, cases[i].canonical, cases[i].country, cases[i].type);
}

static void test_phone_invalid(void **state)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{ "112", "'112' is an emergency number, not a valid suspect number" },
		{ "144", "'144' is an emergency number, not a valid suspect number" },
		{ "911", "'911' is an emergency number, not a valid suspect number" },
		{ "+31 112", "'112' is an emergency number, not a valid suspect number" },
		{ "1200", "'1200' is a short service number, not a subscriber number" },
		{ "116 000", "'116000' is a short service number, not a subscriber number" },
		{ "0601234567", "dutch number +31601234567 fits no range of the numbering plan" },
		{ "06-76012345", "dutch number +31676012345 fits no range of the numbering plan" },
		{ "061234567", "wrong length for a dutch mobile number: national number "
			       "'61234567' has 8 digits, 9 allowed" },
		{ "06123456789", "wrong length for a dutch mobile number: national number "
				 "'6123456789' has 10 digits, 9 allowed" },
		{ "0800-123", "wrong length for a dutch toll-free number: national number "
			      "'800123' has 6 digits, 7 to 10 allowed" },
		{ "020-123456", "wrong length for a dutch fixed-line number: national number "
				"'20123456' has 8 digits, 9 allowed" },
		{ "0101234", "wrong length for a dutch fixed-line number: national number "
			     "'101234' has 6 digits, 9 allowed" },
		{ "06", "too short for +31 (NL): national number '6' has 1 digits, 5 to 11 "
			"allowed" },
		{ "+31 6 1234 5678 9012", "too long for +31 (NL): national number "
					  "'6123456789012' has 13 digits, 5 to 11 allowed" },
		{ "+32 2 123 456", "too short for +32 (BE): national number has 7 digits, "
				   "8 to 9 allowed" },
		{ "+33 6 12 34 56 78 9", "too long for +33 (FR): national number has 10 digits, "
					 "9 allowed" },
		{ "+1 202 555 012", "too short for +1 (NANP): national number has 9 digits, "
				    "10 allowed" },
		{ "+49 12", "too short for +49 (DE): national number has 2 digits, 4 to 13 "
			    "allowed" },
		{ "+49 00 30 1234567", "no national number for +49 (DE) starts with 0" },
		{ "+28 1234567", "unknown country calling code: '+281' is not assigned" },
		{ "+999 123456", "unknown country calling code: '+999' is not assigned" },
		{ "+0 6 12345678", "country calling code starts with 0 in '+0612345678'; codes "
				   "start with 1 to 9" },
		{ "00", "no country calling code after the international prefix" },
		{ "+", "no digits in phone number" },
		{ " - ", "no digits in phone number" },
		{ "0800-FRAUDE", "letter 'F' at position 6: a phone number is digits only" },
		{ "06 1234 5678 ext", "letter 'e' at position 14: a phone number is digits only" },
		{ "06_12345678", "invalid character '_' at position 3; allowed are digits, "
				 "spaces, dashes, dots, slashes, parentheses and a leading +" },
		{ "06\xe2\x80\x8b"
		  "12345678",
		  "invalid character '\\xe2' at position 3; allowed "
		  "are digits, spaces, dashes, dots, slashes, parentheses and a leading +" },
		{ "06 12 +34 5678", "'+' at position 7: only allowed once, before the first "
				    "digit" },
		{ "++31612345678", "'+' at position 2: only allowed once, before the first digit" },
		{ "(06 12345678", "'(' without ')'" },
		{ "06) 12345678", "')' at position 3 without '('" },
		{ "((06)) 12345678", "nested '(' at position 2" },
		{ "+316123456781234567890", "too long: more than 20 digits; an e.164 number has "
					    "at most 15" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_err(cases[i].in, cases[i].err);
}

/* Not NUL-terminated: exactly len bytes are read. */
static void test_phone_length_bound(void **state)
{
	static const char buf[] = "0612345678999";
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	(void)state;
	assert_int_equal(ident_phone_normalize(&id, buf, 10, err, sizeof(err)), IDENT_OK);
	assert_string_equal(id.canonical, "+31612345678");
	ident_release(&id);
}

static void test_phone_enomem(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int rc;

	(void)state;
	mem_fail_after(0);
	rc = norm(&id, "0612345678", err);
	mem_fail_after(-1);
	assert_int_equal(rc, IDENT_ENOMEM);
	ident_release(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_fixture),	   cmocka_unit_test(test_phone_five_forms),
		cmocka_unit_test(test_phone_valid),	   cmocka_unit_test(test_phone_invalid),
		cmocka_unit_test(test_phone_length_bound), cmocka_unit_test(test_phone_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
