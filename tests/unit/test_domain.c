/* test_domain.c - domain and email normalisation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ident/domain.h"
#include "ident/ident.h"
#include "util/mem.h"

typedef int (*normalize_fn)(struct ident *, const char *, size_t, char *, size_t);

struct ok_case {
	const char *in, *canonical, *attr1, *attr2; /* attributes in kind order */
};

struct bad_case {
	const char *in, *err;
};

static int norm(normalize_fn fn, struct ident *id, const char *in, size_t len, char *err)
{
	ident_release(id);
	err[0] = '\0';
	return fn(id, in, len, err, IDENT_ERR_MAX);
}

static void check_ok(normalize_fn fn, const struct ok_case *c, size_t n, const char *key1,
		     const char *key2)
{
	struct ident id = IDENT_INIT, again = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	for (size_t i = 0; i < n; i++) {
		if (norm(fn, &id, c[i].in, strlen(c[i].in), err) != IDENT_OK)
			fail_msg("'%s': %s", c[i].in, err);
		assert_string_equal(id.canonical, c[i].canonical);
		assert_string_equal(ident_attr_get(&id, key1), c[i].attr1);
		assert_string_equal(ident_attr_get(&id, key2), c[i].attr2);
		assert_int_equal(id.nattrs, 2);
		assert_int_equal(id.nexprs, 0);
		/* normalising the canonical value again changes nothing */
		assert_int_equal(norm(fn, &again, id.canonical, strlen(id.canonical), err),
				 IDENT_OK);
		assert_string_equal(again.canonical, id.canonical);
	}
	ident_release(&id);
	ident_release(&again);
}

static void check_bad(normalize_fn fn, const struct bad_case *c, size_t n)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

	for (size_t i = 0; i < n; i++) {
		int rc = norm(fn, &id, c[i].in, strlen(c[i].in), err);

		if (rc != IDENT_EINVAL)
			fail_msg("'%s' accepted as '%s'", c[i].in, id.canonical);
		if (!strstr(err, c[i].err))
			fail_msg("'%s': error '%s' lacks '%s'", c[i].in, err, c[i].err);
		assert_null(id.canonical);
		assert_int_equal(id.nattrs, 0);
	}
	ident_release(&id);
}

#define L10 "abcdefghij"
#define L63 L10 L10 L10 L10 L10 L10 "abc"

static const struct ok_case domain_ok[] = {
	{ "example.nl", "example.nl", "example.nl", "nl" },
	{ "Example.NL", "example.nl", "example.nl", "nl" },
	{ "example.nl.", "example.nl", "example.nl", "nl" },
	{ "  example.nl \n", "example.nl", "example.nl", "nl" },
	{ "b\xc3\xbc"
	  "cher.nl",
	  "xn--bcher-kva.nl", "xn--bcher-kva.nl", "nl" },
	{ "B\xc3\x9c"
	  "CHER.NL",
	  "xn--bcher-kva.nl", "xn--bcher-kva.nl", "nl" },
	{ "xn--bcher-kva.nl", "xn--bcher-kva.nl", "xn--bcher-kva.nl", "nl" },
	{ "XN--BCHER-KVA.NL.", "xn--bcher-kva.nl", "xn--bcher-kva.nl", "nl" },
	{ "www.example.co.uk", "www.example.co.uk", "example.co.uk", "co.uk" },
	{ "fa\xc3\x9f.de", "xn--fa-hia.de", "xn--fa-hia.de", "de" },
	{ "b\xc3\xbc"
	  "cher.\xd1\x80\xd1\x84",
	  "xn--bcher-kva.xn--p1ai", "xn--bcher-kva.xn--p1ai", "xn--p1ai" },
	{ "shop.foo.blogspot.com", "shop.foo.blogspot.com", "foo.blogspot.com", "blogspot.com" },
	{ "a-b.example.nl", "a-b.example.nl", "example.nl", "nl" },
	{ "123.example.nl", "123.example.nl", "example.nl", "nl" },
	{ L63 ".nl", L63 ".nl", L63 ".nl", "nl" },
	/* fullwidth letters and the ideographic full stop are mapped (UTS #46) */
	{ "\xef\xbd\x85\xef\xbd\x98\xef\xbd\x81\xef\xbd\x8d\xef\xbd\x90\xef\xbd\x8c\xef\xbd\x85.nl",
	  "example.nl", "example.nl", "nl" },
	{ "example\xe3\x80\x82nl", "example.nl", "example.nl", "nl" },
	{ "xn--80ak6aa92e.com", "xn--80ak6aa92e.com", "xn--80ak6aa92e.com", "com" },
	{ "mijn.overheid.nl", "mijn.overheid.nl", "overheid.nl", "nl" },
	{ "example.local", "example.local", "example.local", "local" },
};

static const struct bad_case domain_bad[] = {
	{ "", "empty domain" },
	{ " \t ", "empty domain" },
	{ "nl", "'nl' is a public suffix, not a registrable domain" },
	{ "NL.", "'nl' is a public suffix" },
	{ "co.uk", "'co.uk' is a public suffix, not a registrable domain: give the full name, "
		   "such as example.co.uk" },
	{ "blogspot.com", "'blogspot.com' is a public suffix" },
	{ "localhost", "domain 'localhost' has a single label" },
	{ "1.2.3.4", "'1.2.3.4' is an ip address, not a domain name: use kind url" },
	{ "3279880203", "is an ip address, not a domain name: use kind url" },
	{ "0x7f.1", "is an ip address" },
	{ "\xef\xbc\x91.\xef\xbc\x92.\xef\xbc\x93.\xef\xbc\x94", "'1.2.3.4' is an ip address" },
	{ "[::1]", "'[::1]' is an ip address" },
	{ "2001:db8::1", "':' is not allowed in domain '2001:db8::1'" },
	{ "example.nl:8080", "':' is not allowed in domain 'example.nl:8080': only the name, "
			     "without port: use kind url" },
	{ "https://example.nl/path", "'https://example.nl/path' looks like a url, not a domain "
				     "name: use kind url" },
	{ "example.nl/path", "looks like a url" },
	{ "example.nl?x", "looks like a url" },
	{ "jan@example.nl", "looks like an email address, not a domain name: use kind email" },
	{ "exa_mple.nl", "invalid character '_' in domain 'exa_mple.nl': only letters, digits, "
			 "'-' and '.' are allowed" },
	{ "exa mple.nl", "invalid character ' '" },
	{ "exam\x01ple.nl", "invalid character '?' in domain 'exam?ple.nl'" },
	{ "a..b.nl", "empty label in domain 'a..b.nl'" },
	{ ".example.nl", "empty label" },
	{ "example.nl..", "empty label" },
	{ "x" L63 ".nl", "label 'xabcdefghij" },
	{ "x" L63 ".nl", "too long: 64 octets, at most 63 allowed" },
	{ "-example.nl", "label '-example' of domain '-example.nl' starts or ends with '-'" },
	{ "example-.nl", "starts or ends with '-'" },
	{ "ab--cd.nl", "forbidden two hyphens" },
	{ "xn--zz.nl", "invalid punycode" },
	{ "\xe2\x98\x83.com", "cannot convert '\xe2\x98\x83.com' to an ascii (idna) name" },
	{ "example.123", "top-level label of domain 'example.123' is all digits" },
	{ "1.2.3.4.5", "all digits" },
	{ "\xff.nl", "domain '?.nl' is not valid utf-8" },
	{ "b\xc3.nl", "is not valid utf-8" },
};

static void test_domain_ok(void **state)
{
	size_t n = sizeof(domain_ok) / sizeof(domain_ok[0]);

	(void)state;
	check_ok(ident_domain_normalize, domain_ok, n, "registrable_domain", "tld");
	assert_int_equal(n, 20);
}

static void test_domain_bad(void **state)
{
	size_t n = sizeof(domain_bad) / sizeof(domain_bad[0]);

	(void)state;
	check_bad(ident_domain_normalize, domain_bad, n);
	assert_int_equal(n, 35);
}

/* 253 octets is the most a DNS name can have; 254 is one too many. */
static void test_domain_length(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX], in[300];

	(void)state;
	/* 3 x 63 + 3 dots + 58 + ".nl" = 253 */
	snprintf(in, sizeof(in), "%s.%s.%s.%.58s.nl", L63, L63, L63, L63);
	assert_int_equal(strlen(in), 253);
	assert_int_equal(norm(ident_domain_normalize, &id, in, strlen(in), err), IDENT_OK);
	assert_string_equal(id.canonical, in);
	/* registrable domain and tld fit, so both are there */
	assert_string_equal(ident_attr_get(&id, "tld"), "nl");
	snprintf(in, sizeof(in), "%s.%s.%s.%.59s.nl", L63, L63, L63, L63);
	assert_int_equal(norm(ident_domain_normalize, &id, in, strlen(in), err), IDENT_EINVAL);
	assert_non_null(strstr(err, "domain too long: 254 octets, at most 253 allowed"));
	ident_release(&id);
}

#define LOCAL64 L10 L10 L10 L10 L10 L10 "abcd"

static const struct ok_case email_ok[] = {
	{ "Jan.Jansen@Example.NL", "Jan.Jansen@example.nl", "example.nl", "example.nl" },
	{ "jan+tag@b\xc3\xbc"
	  "cher.nl",
	  "jan+tag@xn--bcher-kva.nl", "xn--bcher-kva.nl", "xn--bcher-kva.nl" },
	{ " jan@example.nl. ", "jan@example.nl", "example.nl", "example.nl" },
	{ "\"jan jansen\"@example.nl", "\"jan jansen\"@example.nl", "example.nl", "example.nl" },
	{ "\"a@b\"@example.nl", "\"a@b\"@example.nl", "example.nl", "example.nl" },
	{ "\"a\\\"b\"@example.nl", "\"a\\\"b\"@example.nl", "example.nl", "example.nl" },
	{ "user@mail.example.co.uk", "user@mail.example.co.uk", "mail.example.co.uk",
	  "example.co.uk" },
	{ "o'brien@example.ie", "o'brien@example.ie", "example.ie", "example.ie" },
	{ "j\xc3\xbcrgen@example.de", "j\xc3\xbcrgen@example.de", "example.de", "example.de" },
	{ LOCAL64 "@example.nl", LOCAL64 "@example.nl", "example.nl", "example.nl" },
	{ "!#$%&'*+-/=?^_`{|}~@example.nl", "!#$%&'*+-/=?^_`{|}~@example.nl", "example.nl",
	  "example.nl" },
	{ "helpdesk@ING.nl", "helpdesk@ing.nl", "ing.nl", "ing.nl" },
};

static const struct bad_case email_bad[] = {
	{ "", "empty email address" },
	{ "jan.example.nl", "no '@' in 'jan.example.nl': an email address is local@domain" },
	{ "@example.nl", "empty local part in '@example.nl'" },
	{ "jan@", "empty domain in 'jan@'" },
	{ ".jan@example.nl", "local part of '.jan@example.nl' starts or ends with '.'" },
	{ "jan.@example.nl", "starts or ends with '.'" },
	{ "ja..n@example.nl", "local part of 'ja..n@example.nl' has '..'" },
	{ "ja n@example.nl", "invalid character ' ' in the local part of 'ja n@example.nl'" },
	{ "jan<x>@example.nl", "invalid character '<'" },
	{ "jan\x01@example.nl", "invalid character '?'" },
	{ "j\xffn@example.nl", "local part of 'j?n@example.nl' is not valid utf-8" },
	{ "\"jan@example.nl", "unterminated quoted local part" },
	{ "\"a\"b\"@example.nl", "invalid character '\"'" },
	{ "\"a\\\"@example.nl", "unterminated quoted local part" },
	{ "x" LOCAL64 "@example.nl", "too long: 65 octets, at most 64 allowed" },
	{ "jan@example", "email domain 'example' has a single label" },
	{ "jan@nl", "'nl' is a public suffix" },
	{ "jan@co.uk", "'co.uk' is a public suffix" },
	{ "jan@[192.0.2.1]", "address literal in 'jan@[192.0.2.1]' not accepted" },
	{ "jan@192.0.2.1", "'192.0.2.1' is an ip address, not a domain name" },
	{ "jan@example.nl:25", "':' is not allowed in email domain 'example.nl:25'" },
	{ "jan@exa_mple.nl", "invalid character '_' in email domain" },
	{ "jan@example.nl/x", "looks like a url" },
	{ "mailto:jan@example.nl", "remove 'mailto:'" },
	{ "jan@-x.nl", "label '-x' of email domain '-x.nl' starts or ends with '-'" },
	{ "jan@\xe2\x98\x83.nl", "cannot convert '\xe2\x98\x83.nl' to an ascii (idna) name" },
};

static void test_email_ok(void **state)
{
	size_t n = sizeof(email_ok) / sizeof(email_ok[0]);

	(void)state;
	check_ok(ident_email_normalize, email_ok, n, "domain", "registrable_domain");
	assert_int_equal(n, 12);
}

static void test_email_bad(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	size_t n = sizeof(email_bad) / sizeof(email_bad[0]);

	(void)state;
	check_bad(ident_email_normalize, email_bad, n);
	assert_int_equal(n, 26);
	/* an ip address in an email domain: no advice to use the url kind */
	assert_int_equal(norm(ident_email_normalize, &id, "a@1.2.3.4", 9, err), IDENT_EINVAL);
	assert_null(strstr(err, "kind url"));
	ident_release(&id);
}

static void test_ipv4_parse(void **state)
{
	static const struct {
		const char *in, *out;
	} c[] = {
		{ "1.2.3.4", "1.2.3.4" },
		{ "0x7f.1", "127.0.0.1" },
		{ "0X7F.0.0.01", "127.0.0.1" },
		{ "4294967295", "255.255.255.255" },
		{ "4294967296", NULL },
		{ "1.2.3.4.5", NULL },
		{ "1..2", NULL },
		{ "08.1.1.1", NULL },
		{ "0x", NULL },
		{ "1.2.3.4 ", "1.2.3.4" },
		{ "1.2.3.4  abcdefgh", NULL },
		{ "example.nl", NULL },
		{ "0", "0.0.0.0" },
		{ "1.2.65536", "1.2.0.0" },
	};
	char out[DOMAIN_IPV4_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = domain_ipv4_parse(c[i].in, strlen(c[i].in), out);

		if (!c[i].out) {
			if (rc != -1)
				fail_msg("'%s' parsed as %s", c[i].in, out);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, c[i].out);
	}
}

static void test_enomem(void **state)
{
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];
	int rc = IDENT_ENOMEM, failed = 0;

	(void)state;
	for (long n = 0; n < 50 && rc != IDENT_OK; n++) {
		mem_fail_after(n);
		rc = norm(ident_email_normalize, &id,
			  "Jan@B\xc3\xbc"
			  "cher.nl",
			  14, err);
		mem_fail_after(-1);
		if (rc == IDENT_ENOMEM)
			failed++;
		else
			assert_int_equal(rc, IDENT_OK);
	}
	assert_int_equal(rc, IDENT_OK);
	assert_string_equal(id.canonical, "Jan@xn--bcher-kva.nl");
	assert_true(failed >= 2);
	rc = IDENT_ENOMEM;
	failed = 0;
	for (long n = 0; n < 50 && rc != IDENT_OK; n++) {
		mem_fail_after(n);
		rc = norm(ident_domain_normalize, &id, "example.nl", 10, err);
		mem_fail_after(-1);
		failed += rc == IDENT_ENOMEM;
	}
	assert_int_equal(rc, IDENT_OK);
	assert_true(failed >= 1);
	ident_release(&id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_ok),     cmocka_unit_test(test_domain_bad),
		cmocka_unit_test(test_domain_length), cmocka_unit_test(test_email_ok),
		cmocka_unit_test(test_email_bad),     cmocka_unit_test(test_ipv4_parse),
		cmocka_unit_test(test_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
