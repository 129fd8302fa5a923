/* test_rules.c - the shipped rules, what counts towards them and the loader's checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "taxonomy.h"
#include "util/mem.h"

#ifndef DATA_DIR
#define DATA_DIR "data"
#endif

#define TAXONOMY_PATH DATA_DIR "/taxonomy.json"
#define RULES_PATH    DATA_DIR "/rules.json"

static struct taxonomy *tx;

static int setup(void **state)
{
	char err[TAXONOMY_ERR_MAX] = "";

	(void)state;
	if (taxonomy_load_file(TAXONOMY_PATH, &tx, err, sizeof(err)) != TAXONOMY_OK) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	taxonomy_free(tx);
	return 0;
}

/* The whole file in a new buffer; *len excludes the terminating NUL added for convenience. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);

	assert_non_null(f);
	assert_non_null(buf);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n == cap - 1) {
			char *bigger = realloc(buf, cap * 2);

			assert_non_null(bigger);
			buf = bigger;
			cap *= 2;
		}
	}
	assert_false(ferror(f));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static struct rules *load_shipped(void)
{
	char err[RULES_ERR_MAX] = "";
	struct rules *rs = NULL;
	size_t len;
	char *buf = read_all(RULES_PATH, &len);
	int rc = rules_load_buffer(buf, len, tx, &rs, err, sizeof(err));

	if (rc != RULES_OK)
		print_error("%s: %s\n", RULES_PATH, err);
	assert_int_equal(rc, RULES_OK);
	assert_non_null(rs);
	free(buf);
	return rs;
}

static const struct rule *find(const struct rules *rs, const char *id)
{
	for (size_t i = 0; i < rules_count(rs); i++)
		if (!strcmp(rules_at(rs, i)->id, id))
			return rules_at(rs, i);
	fail_msg("no rule '%s'", id);
	return NULL;
}

static void assert_action(const struct rule *r, size_t i, enum rule_target to, const char *sector,
			  bool raw)
{
	assert_true(i < r->nactions);
	assert_int_equal(r->actions[i].to, to);
	assert_string_equal(r->actions[i].sector, sector);
	assert_int_equal(r->actions[i].raw, raw);
}

/* ---- the shipped file ---- */

static void test_shipped_loads(void **state)
{
	static const char *const ids[] = {
		"iban_three_reports",  "webshop_three_reports",		 "phone_three_reports",
		"spoofed_bank_number", "partner_signal_high_confidence",
	};
	struct rules *rs = load_shipped();
	const struct rule *r;
	json_t *doc, *list;
	size_t len;
	char *buf;

	(void)state;
	assert_string_equal(rules_version(rs), "2026-11-23");
	assert_int_equal(rules_count(rs), 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(rules_at(rs, i)->id, ids[i]);
	assert_null(rules_at(rs, 5));

	r = find(rs, "iban_three_reports");
	assert_int_equal(r->kinds, 1u << IDENT_IBAN);
	assert_int_equal(r->source, RULE_FROM_REPORTS);
	assert_int_equal(r->threshold, 3);
	assert_int_equal(r->window_days, 90);
	assert_int_equal(r->min_confidence, 0);
	assert_int_equal(r->nfraud_types, 0);
	assert_int_equal(r->nroles, 0);
	assert_true(r->make_public);
	assert_false(r->shield);
	assert_int_equal(r->nactions, 2);
	assert_action(r, 0, RULE_TO_HOLDING_BANK, "", true);
	assert_action(r, 1, RULE_TO_SECTOR, "police", true);

	r = find(rs, "webshop_three_reports");
	assert_int_equal(r->kinds, 1u << IDENT_URL | 1u << IDENT_DOMAIN);
	assert_int_equal(r->source, RULE_FROM_REPORTS);
	assert_int_equal(r->threshold, 3);
	assert_int_equal(r->window_days, 90);
	assert_true(r->make_public);
	assert_true(r->shield);
	assert_int_equal(r->nactions, 3);
	assert_action(r, 0, RULE_TO_SECTOR, "bank", false);
	assert_action(r, 1, RULE_TO_SECTOR, "psp", false);
	assert_action(r, 2, RULE_TO_TLD_REGISTRY, "", true);

	r = find(rs, "phone_three_reports");
	assert_int_equal(r->kinds, 1u << IDENT_PHONE);
	assert_int_equal(r->threshold, 3);
	assert_int_equal(r->window_days, 90);
	assert_true(r->make_public);
	assert_false(r->shield);
	assert_int_equal(r->nactions, 1);
	assert_action(r, 0, RULE_TO_SECTOR, "telecom", true);

	r = find(rs, "spoofed_bank_number");
	assert_int_equal(r->kinds, 1u << IDENT_PHONE);
	assert_int_equal(r->source, RULE_FROM_REPORTS);
	assert_int_equal(r->threshold, 1);
	assert_int_equal(r->nfraud_types, 1);
	assert_string_equal(r->fraud_types[0], "bank_helpdesk");
	assert_int_equal(r->nroles, 1);
	assert_string_equal(r->roles[0], "caller");
	assert_false(r->make_public);
	assert_false(r->shield);
	assert_int_equal(r->nactions, 2);
	assert_action(r, 0, RULE_TO_IMPERSONATED_BANK, "", true);
	assert_action(r, 1, RULE_TO_SECTOR, "telecom", true);

	r = find(rs, "partner_signal_high_confidence");
	assert_int_equal(r->kinds, (1u << IDENT_KIND_COUNT) - 1);
	assert_int_equal(r->source, RULE_FROM_SIGNALS);
	assert_int_equal(r->threshold, 1);
	assert_int_equal(r->min_confidence, 80);
	assert_false(r->make_public);
	assert_false(r->shield);
	assert_int_equal(r->nactions, 1);
	assert_action(r, 0, RULE_TO_SIGNAL_SCOPE, "", false);

	/* Published as the file says, word for word. */
	buf = read_all(RULES_PATH, &len);
	doc = json_loadb(buf, len, 0, NULL);
	assert_non_null(doc);
	assert_true(json_equal(doc, rules_json(rs)));
	list = json_object_get(rules_json(rs), "rules");
	assert_int_equal(json_array_size(list), 5);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(json_array_get(list, 0), "title"), "en")),
			    "Account number reported three times");
	json_decref(doc);
	free(buf);
	rules_free(rs);
}

/* ---- what counts ---- */

struct count_case {
	enum ident_kind kind;
	enum rule_source src;
	const char *fraud_type;
	const char *role;
	int confidence;
	bool counts;
};

static void check_counts(const char *id, const struct count_case *c, size_t n, size_t want_n)
{
	struct rules *rs = load_shipped();
	const struct rule *r = find(rs, id);

	assert_int_equal(n, want_n);
	for (size_t i = 0; i < n; i++) {
		bool got = rule_counts(r, c[i].kind, c[i].src, c[i].fraud_type, c[i].role,
				       c[i].confidence);

		if (got != c[i].counts)
			print_error("%s case %zu\n", id, i);
		assert_int_equal(got, c[i].counts);
	}
	rules_free(rs);
}

#define CHECK_COUNTS(id, table, n) check_counts(id, table, sizeof(table) / sizeof(table[0]), n)

static void test_counts_iban(void **state)
{
	static const struct count_case c[] = {
		{ IDENT_IBAN, RULE_FROM_REPORTS, "purchase_fraud", "beneficiary", 0, true },
		{ IDENT_IBAN, RULE_FROM_REPORTS, NULL, NULL, 0, true },
		{ IDENT_IBAN, RULE_FROM_REPORTS, "other", "other", 100, true },
		{ IDENT_IBAN, RULE_FROM_SIGNALS, "purchase_fraud", "beneficiary", 100, false },
		{ IDENT_PHONE, RULE_FROM_REPORTS, "purchase_fraud", "caller", 0, false },
		{ IDENT_URL, RULE_FROM_REPORTS, NULL, NULL, 0, false },
		{ IDENT_CRYPTO, RULE_FROM_REPORTS, NULL, NULL, 0, false },
		{ IDENT_KIND_COUNT, RULE_FROM_REPORTS, NULL, NULL, 0, false },
	};

	(void)state;
	CHECK_COUNTS("iban_three_reports", c, 8);
}

static void test_counts_webshop(void **state)
{
	static const struct count_case c[] = {
		{ IDENT_URL, RULE_FROM_REPORTS, "fake_webshop", "website", 0, true },
		{ IDENT_DOMAIN, RULE_FROM_REPORTS, "phishing", "website", 0, true },
		{ IDENT_DOMAIN, RULE_FROM_REPORTS, NULL, NULL, 0, true },
		{ IDENT_URL, RULE_FROM_REPORTS, "purchase_fraud", "payment_request_link", 0, true },
		{ IDENT_EMAIL, RULE_FROM_REPORTS, "phishing", "sender", 0, false },
		{ IDENT_IBAN, RULE_FROM_REPORTS, "fake_webshop", "beneficiary", 0, false },
		{ IDENT_URL, RULE_FROM_SIGNALS, "fake_webshop", "website", 100, false },
		{ IDENT_HANDLE, RULE_FROM_REPORTS, NULL, NULL, 0, false },
	};

	(void)state;
	CHECK_COUNTS("webshop_three_reports", c, 8);
}

static void test_counts_phone(void **state)
{
	static const struct count_case c[] = {
		{ IDENT_PHONE, RULE_FROM_REPORTS, "friend_in_need", "sender", 0, true },
		{ IDENT_PHONE, RULE_FROM_REPORTS, "bank_helpdesk", "caller", 0, true },
		{ IDENT_PHONE, RULE_FROM_REPORTS, NULL, NULL, 0, true },
		{ IDENT_PHONE, RULE_FROM_SIGNALS, "bank_helpdesk", "caller", 90, false },
		{ IDENT_IBAN, RULE_FROM_REPORTS, "bank_helpdesk", NULL, 0, false },
		{ IDENT_HANDLE, RULE_FROM_REPORTS, "friend_in_need", "sender", 0, false },
	};

	(void)state;
	CHECK_COUNTS("phone_three_reports", c, 6);
}

static void test_counts_spoofed(void **state)
{
	static const struct count_case c[] = {
		{ IDENT_PHONE, RULE_FROM_REPORTS, "bank_helpdesk", "caller", 0, true },
		{ IDENT_PHONE, RULE_FROM_REPORTS, "bank_helpdesk", "sender", 0, false },
		{ IDENT_PHONE, RULE_FROM_REPORTS, "bank_helpdesk", "other", 0, false },
		{ IDENT_PHONE, RULE_FROM_REPORTS, "bank_helpdesk", NULL, 0, false },
		{ IDENT_PHONE, RULE_FROM_REPORTS, "phishing", "caller", 0, false },
		{ IDENT_PHONE, RULE_FROM_REPORTS, NULL, "caller", 0, false },
		{ IDENT_PHONE, RULE_FROM_SIGNALS, "bank_helpdesk", "caller", 100, false },
		{ IDENT_IBAN, RULE_FROM_REPORTS, "bank_helpdesk", "caller", 0, false },
		{ IDENT_URL, RULE_FROM_REPORTS, "bank_helpdesk", "caller", 0, false },
	};

	(void)state;
	CHECK_COUNTS("spoofed_bank_number", c, 9);
}

static void test_counts_signal(void **state)
{
	static const struct count_case c[] = {
		{ IDENT_IBAN, RULE_FROM_SIGNALS, "purchase_fraud", NULL, 80, true },
		{ IDENT_IBAN, RULE_FROM_SIGNALS, "purchase_fraud", NULL, 79, false },
		{ IDENT_URL, RULE_FROM_SIGNALS, NULL, NULL, 100, true },
		{ IDENT_HANDLE, RULE_FROM_SIGNALS, "romance_fraud", "profile", 95, true },
		{ IDENT_CRYPTO, RULE_FROM_SIGNALS, NULL, "wallet", 0, false },
		{ IDENT_EMAIL, RULE_FROM_SIGNALS, NULL, NULL, -1, false },
		{ IDENT_PHONE, RULE_FROM_REPORTS, NULL, NULL, 100, false },
		{ IDENT_DOMAIN, RULE_FROM_REPORTS, "phishing", "website", 80, false },
	};

	(void)state;
	CHECK_COUNTS("partner_signal_high_confidence", c, 8);
}

/* ---- documents built for the tests ---- */

/* clang-format off */
#define HEAD  "{\"schema_version\":1,\"version\":\"2026-11-23\",\"rules\":["
#define TAIL  "]}"
#define TITLE "\"title\":{\"nl\":\"T\",\"en\":\"T\"}"
#define DESC  "\"description\":{\"nl\":\"D\",\"en\":\"D\"}"
#define RULE(id, when, then) \
	"{\"id\":\"" id "\"," TITLE "," DESC ",\"when\":{" when "},\"then\":{" then "}}"
#define W_IBAN  "\"kinds\":[\"iban\"],\"source\":\"reports\",\"threshold\":3,\"window_days\":90"
#define W_PHONE "\"kinds\":[\"phone\"],\"source\":\"reports\",\"threshold\":3,\"window_days\":90"
#define W_URL   "\"kinds\":[\"url\"],\"source\":\"reports\",\"threshold\":3,\"window_days\":90"
#define W_SIG   "\"kinds\":[\"iban\"],\"source\":\"signals\",\"threshold\":1,\"window_days\":1"
#define W_KS(kinds, src, t, w) \
	"\"kinds\":[" kinds "],\"source\":\"" src "\",\"threshold\":" t ",\"window_days\":" w
#define PUB     "\"alert\":[],\"public\":true,\"shield\":false"
#define ALERT(a) "\"alert\":[" a "],\"public\":false,\"shield\":false"
#define ONE(when, then) HEAD RULE("r", when, then) TAIL
#define R0 "rules[0] 'r': "
/* clang-format on */

/* The buffer need not be NUL-terminated; bytes after `len` are not read. */
static void test_length(void **state)
{
	const char *doc = ONE(W_IBAN, PUB) "garbage";
	char err[RULES_ERR_MAX];
	struct rules *rs;

	(void)state;
	assert_int_equal(rules_load_buffer(doc, strlen(doc) - 7, tx, &rs, err, sizeof(err)),
			 RULES_OK);
	assert_int_equal(rules_count(rs), 1);
	assert_true(rules_at(rs, 0)->make_public);
	assert_int_equal(rules_at(rs, 0)->nactions, 0);
	rules_free(rs);
	assert_int_equal(rules_load_buffer(doc, strlen(doc), tx, &rs, err, sizeof(err)),
			 RULES_EINVAL);
	assert_null(rs);
	assert_int_equal(rules_load_buffer(NULL, 0, tx, &rs, err, sizeof(err)), RULES_EINVAL);
	assert_null(rs);
	assert_string_equal(err, "invalid json at line 1, column 0: '[' or '{' expected near end "
				 "of file");
	/* A small error buffer truncates the message but stays terminated. */
	assert_int_equal(rules_load_buffer("[]", 2, tx, &rs, err, 9), RULES_EINVAL);
	assert_string_equal(err, "the docu");
	rules_free(NULL);
}

/* Bounds that load, and rules the loader must accept as they are. */
static void test_accepted(void **state)
{
	static const char *const ok[] = {
		ONE(W_KS("\"iban\"", "reports", "1", "1"), PUB),
		ONE(W_KS("\"iban\"", "reports", "1000", "3650"), PUB),
		ONE(W_SIG ",\"min_confidence\":0",
		    ALERT("{\"to\":\"signal_scope\",\"raw\":false}")),
		ONE(W_SIG ",\"min_confidence\":100", PUB),
		ONE(W_KS("\"email\",\"domain\"", "reports", "2", "30"),
		    ALERT("{\"to\":\"tld_registry\",\"raw\":true}")),
		ONE(W_URL, "\"alert\":[],\"public\":false,\"shield\":true"),
		ONE(W_IBAN ",\"fraud_types\":[],\"roles\":[]", PUB),
		/* A role counts if it can occur with one of the kinds. */
		ONE(W_KS("\"iban\",\"phone\"", "reports", "3", "90") ",\"roles\":[\"caller\"]",
		    PUB),
		ONE(W_PHONE, ALERT("{\"to\":\"sector\",\"sector\":\"telecom\",\"raw\":true},"
				   "{\"to\":\"sector\",\"sector\":\"police\",\"raw\":true}")),
	};
	char err[RULES_ERR_MAX];
	struct rules *rs;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		rc = rules_load_buffer(ok[i], strlen(ok[i]), tx, &rs, err, sizeof(err));
		if (rc != RULES_OK)
			print_error("case %zu: %s\n", i, err);
		assert_int_equal(rc, RULES_OK);
		rules_free(rs);
	}
	rc = rules_load_buffer(ok[1], strlen(ok[1]), tx, &rs, err, sizeof(err));
	assert_int_equal(rc, RULES_OK);
	assert_int_equal(rules_at(rs, 0)->threshold, 1000);
	assert_int_equal(rules_at(rs, 0)->window_days, 3650);
	rules_free(rs);
	rc = rules_load_buffer(ok[3], strlen(ok[3]), tx, &rs, err, sizeof(err));
	assert_int_equal(rc, RULES_OK);
	assert_int_equal(rules_at(rs, 0)->min_confidence, 100);
	assert_true(rule_counts(rules_at(rs, 0), IDENT_IBAN, RULE_FROM_SIGNALS, NULL, NULL, 100));
	assert_false(rule_counts(rules_at(rs, 0), IDENT_IBAN, RULE_FROM_SIGNALS, NULL, NULL, 99));
	rules_free(rs);
}

/* clang-format off */
#define DUP_DOC HEAD RULE("a", W_IBAN, PUB) "," RULE("b", W_IBAN, PUB) "," \
	RULE("a", W_IBAN, PUB) TAIL
#define NINE "\"other\",\"phishing\",\"bank_helpdesk\",\"purchase_fraud\",\"sales_fraud\"," \
	"\"fake_webshop\",\"investment_fraud\",\"friend_in_need\",\"romance_fraud\""
/* clang-format on */

static const struct {
	const char *doc;
	const char *err;
} broken[] = {
	{ "\xef\xbb\xbf{}",
	  "the file starts with a byte order mark; save it as utf-8 without one" },
	{ "{\"a\":1,\"a\":2}",
	  "invalid json at line 1, column 10: duplicate object key near '\"a\"'" },
	{ "[]", "the document must be a json object with schema_version, version and rules" },
	{ "{}", "missing schema_version (this build reads 1)" },
	{ "{\"schema_version\":2}", "schema_version must be 1, the only one this build reads" },
	{ "{\"schema_version\":1}", "missing version (a date like \"2026-11-23\")" },
	{ "{\"schema_version\":1,\"version\":\"2026-13-01\"}",
	  "version must be a date in the form yyyy-mm-dd, like \"2026-11-23\"" },
	{ "{\"schema_version\":1,\"version\":\"2026-11-23\",\"rule\":[]}",
	  "unknown member 'rule' (allowed: schema_version, version, rules)" },
	{ "{\"schema_version\":1,\"version\":\"2026-11-23\"}", "missing rules" },
	{ HEAD TAIL, "rules must be a non-empty array of rules" },
	{ HEAD "[]" TAIL, "rules[0]: must be an object" },
	{ HEAD "{}" TAIL, "rules[0]: missing id" },
	{ HEAD "{\"id\":1}" TAIL, "rules[0]: id must be a string" },
	{ HEAD "{\"id\":\"Iban-3\"}" TAIL,
	  "rules[0]: id 'Iban-3' is not snake_case (allowed: a-z and 0-9 in words joined by "
	  "single '_', at most 47 bytes)" },
	{ HEAD "{\"id\":\"a23456789012345678901234567890123456789012345678\"}" TAIL,
	  "rules[0]: id 'a23456789012345678901234567890123456789012345678' is not snake_case "
	  "(allowed: a-z and 0-9 in words joined by single '_', at most 47 bytes)" },
	{ DUP_DOC, "rules[2]: duplicate id 'a', first at rules[0]" },
	{ HEAD "{\"id\":\"r\",\"if\":{}}" TAIL,
	  R0 "unknown member 'if' (allowed: id, title, description, when, then)" },
	{ HEAD "{\"id\":\"r\"}" TAIL, R0 "missing title" },
	{ HEAD "{\"id\":\"r\",\"title\":{\"nl\":\"T\"}}" TAIL, R0 "title has no 'en' text" },
	{ HEAD "{\"id\":\"r\",\"title\":{\"nl\":\"T\",\"en\":\"T\",\"fr\":\"T\"}}" TAIL,
	  R0 "title language 'fr' is not served (allowed: nl, en)" },
	{ HEAD "{\"id\":\"r\"," TITLE "}" TAIL, R0 "missing description" },
	{ HEAD "{\"id\":\"r\"," TITLE ",\"description\":\"D\"}" TAIL,
	  R0 "description must be an object of texts by language, like {\"nl\": ..., "
	     "\"en\": ...}" },
	{ HEAD "{\"id\":\"r\"," TITLE ",\"description\":{\"nl\":\"\",\"en\":\"D\"}}" TAIL,
	  R0 "description.nl must be a non-empty string" },
	{ HEAD "{\"id\":\"r\"," TITLE ",\"description\":{\"nl\":\"a\\tb\",\"en\":\"D\"}}" TAIL,
	  R0 "description.nl contains a control character such as a newline or tab" },
	{ HEAD "{\"id\":\"r\"," TITLE "," DESC "}" TAIL, R0 "missing when" },
	{ HEAD "{\"id\":\"r\"," TITLE "," DESC ",\"when\":[]}" TAIL,
	  R0 "when must be an object with kinds, source, threshold, window_days, fraud_types, "
	     "roles, min_confidence" },
	{ ONE(W_IBAN ",\"sources\":2", PUB),
	  R0 "when: unknown member 'sources' (allowed: kinds, source, threshold, window_days, "
	     "fraud_types, roles, min_confidence)" },
	{ ONE("\"source\":\"reports\"", PUB), R0 "missing when.kinds" },
	{ ONE("\"kinds\":[]", PUB), R0 "when.kinds must be a non-empty array of identifier kinds" },
	{ ONE("\"kinds\":\"iban\"", PUB),
	  R0 "when.kinds must be a non-empty array of identifier kinds" },
	{ ONE("\"kinds\":[\"iban\",7]", PUB), R0 "when.kinds[1] must be a string" },
	{ ONE("\"kinds\":[\"bic\"]", PUB),
	  R0 "when.kinds: unknown identifier kind 'bic' (allowed: iban, phone, url, domain, "
	     "email, crypto, handle)" },
	{ ONE("\"kinds\":[\"url\",\"domain\",\"url\"]", PUB), R0 "when.kinds lists 'url' twice" },
	{ ONE("\"kinds\":[\"iban\"]", PUB), R0 "missing when.source" },
	{ ONE("\"kinds\":[\"iban\"],\"source\":\"report\"", PUB),
	  R0 "when.source must be \"reports\" or \"signals\"" },
	{ ONE("\"kinds\":[\"iban\"],\"source\":1", PUB),
	  R0 "when.source must be \"reports\" or \"signals\"" },
	{ ONE("\"kinds\":[\"iban\"],\"source\":\"reports\"", PUB), R0 "missing when.threshold" },
	{ ONE(W_KS("\"iban\"", "reports", "0", "90"), PUB),
	  R0 "when.threshold must be a whole number from 1 to 1000 (independent sources)" },
	{ ONE(W_KS("\"iban\"", "reports", "1001", "90"), PUB),
	  R0 "when.threshold must be a whole number from 1 to 1000 (independent sources)" },
	{ ONE(W_KS("\"iban\"", "reports", "3.0", "90"), PUB),
	  R0 "when.threshold must be a whole number from 1 to 1000 (independent sources)" },
	{ ONE(W_KS("\"iban\"", "reports", "\"3\"", "90"), PUB),
	  R0 "when.threshold must be a whole number from 1 to 1000 (independent sources)" },
	{ ONE("\"kinds\":[\"iban\"],\"source\":\"reports\",\"threshold\":3", PUB),
	  R0 "missing when.window_days" },
	{ ONE(W_KS("\"iban\"", "reports", "3", "0"), PUB),
	  R0 "when.window_days must be a whole number from 1 to 3650" },
	{ ONE(W_KS("\"iban\"", "reports", "3", "3651"), PUB),
	  R0 "when.window_days must be a whole number from 1 to 3650" },
	{ ONE(W_KS("\"iban\"", "reports", "3", "99999999999999999999"), PUB),
	  "invalid json at line 1, column 216: too big integer near '99999999999999999999'" },
	{ ONE(W_IBAN ",\"fraud_types\":\"phishing\"", PUB),
	  R0 "when.fraud_types must be an array of codes" },
	{ ONE(W_IBAN ",\"fraud_types\":[true]", PUB), R0 "when.fraud_types[0] must be a string" },
	{ ONE(W_IBAN ",\"fraud_types\":[\"fishing\"]", PUB),
	  R0 "when.fraud_types: unknown fraud type 'fishing' (allowed: the codes of the "
	     "taxonomy's fraud_types)" },
	{ ONE(W_IBAN ",\"fraud_types\":[\"caller\"]", PUB),
	  R0 "when.fraud_types: unknown fraud type 'caller' (allowed: the codes of the "
	     "taxonomy's fraud_types)" },
	{ ONE(W_IBAN ",\"fraud_types\":[\"other\",\"phishing\",\"other\"]", PUB),
	  R0 "when.fraud_types lists 'other' twice" },
	{ ONE(W_IBAN ",\"fraud_types\":[" NINE "]", PUB),
	  R0 "when.fraud_types has 9 codes, at most 8 allowed" },
	{ ONE(W_PHONE ",\"roles\":[\"spoofed_number\"]", PUB),
	  R0 "when.roles: unknown identifier role 'spoofed_number' (allowed: the codes of the "
	     "taxonomy's identifier_roles)" },
	{ ONE(W_PHONE ",\"roles\":[\"caller\",\"caller\"]", PUB),
	  R0 "when.roles lists 'caller' twice" },
	{ ONE(W_IBAN ",\"roles\":[\"caller\"]", PUB),
	  R0 "when.roles: role 'caller' is never held by an identifier of kind iban" },
	{ ONE(W_KS("\"url\",\"domain\"", "reports", "3", "90") ",\"roles\":[\"wallet\"]", PUB),
	  R0 "when.roles: role 'wallet' is never held by an identifier of kind url, domain" },
	{ ONE(W_IBAN ",\"min_confidence\":80", PUB),
	  R0 "when.min_confidence applies only to source \"signals\" (reports have no "
	     "confidence)" },
	{ ONE(W_SIG ",\"min_confidence\":101", PUB),
	  R0 "when.min_confidence must be a whole number from 0 to 100" },
	{ ONE(W_SIG ",\"min_confidence\":-1", PUB),
	  R0 "when.min_confidence must be a whole number from 0 to 100" },
	{ HEAD "{\"id\":\"r\"," TITLE "," DESC ",\"when\":{" W_IBAN "}}" TAIL, R0 "missing then" },
	{ HEAD "{\"id\":\"r\"," TITLE "," DESC ",\"when\":{" W_IBAN "},\"then\":true}" TAIL,
	  R0 "then must be an object with alert, public, shield" },
	{ ONE(W_IBAN, PUB ",\"takedown\":true"),
	  R0 "then: unknown member 'takedown' (allowed: alert, public, shield)" },
	{ ONE(W_IBAN, "\"public\":true,\"shield\":false"), R0 "missing then.alert" },
	{ ONE(W_IBAN, "\"alert\":{},\"public\":true,\"shield\":false"),
	  R0 "then.alert must be an array of recipients" },
	{ ONE(W_IBAN, "\"alert\":[],\"shield\":false"), R0 "missing then.public" },
	{ ONE(W_IBAN, "\"alert\":[],\"public\":1,\"shield\":false"),
	  R0 "then.public must be true or false" },
	{ ONE(W_IBAN, "\"alert\":[],\"public\":true"), R0 "missing then.shield" },
	{ ONE(W_IBAN, "\"alert\":[],\"public\":true,\"shield\":null"),
	  R0 "then.shield must be true or false" },
	{ ONE(W_IBAN, "\"alert\":[],\"public\":false,\"shield\":false"),
	  R0 "then: the rule does nothing; list an alert or set public or shield to true" },
	{ ONE(W_PHONE, "\"alert\":[],\"public\":true,\"shield\":true"),
	  R0 "then.shield holds only urls and domains; when.kinds also lists phone" },
	{ ONE(W_IBAN, ALERT("\"holding_bank\"")),
	  R0 "then.alert[0] must be an object with to, sector, raw" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"holding_bank\",\"raw\":true,\"url\":\"x\"}")),
	  R0 "then.alert[0]: unknown member 'url' (allowed: to, sector, raw)" },
	{ ONE(W_IBAN, ALERT("{\"raw\":true}")), R0 "then.alert[0]: missing to" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"bank\",\"raw\":true}")),
	  R0 "then.alert[0]: to must be one of holding_bank, tld_registry, sector, "
	     "signal_scope, impersonated_bank" },
	{ ONE(W_IBAN, ALERT("{\"to\":[\"sector\"],\"raw\":true}")),
	  R0 "then.alert[0]: to must be one of holding_bank, tld_registry, sector, "
	     "signal_scope, impersonated_bank" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"sector\",\"raw\":true}")),
	  R0 "then.alert[0]: to \"sector\" needs a sector" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"sector\",\"sector\":\"banks\",\"raw\":true}")),
	  R0 "then.alert[0]: unknown sector 'banks' (allowed: the codes of the taxonomy's "
	     "partner_sectors)" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"sector\",\"sector\":3,\"raw\":true}")),
	  R0 "then.alert[0]: unknown sector '' (allowed: the codes of the taxonomy's "
	     "partner_sectors)" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"holding_bank\",\"sector\":\"bank\",\"raw\":true}")),
	  R0 "then.alert[0]: sector is only for to \"sector\", not \"holding_bank\"" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"holding_bank\"}")), R0 "then.alert[0]: missing raw" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"holding_bank\",\"raw\":\"yes\"}")),
	  R0 "then.alert[0]: raw must be true or false" },
	{ ONE(W_PHONE, ALERT("{\"to\":\"holding_bank\",\"raw\":true}")),
	  R0 "then.alert[0]: holding_bank needs when.kinds to be only iban, not phone" },
	{ ONE(W_KS("\"iban\",\"crypto\"", "reports", "3", "90"),
	      ALERT("{\"to\":\"holding_bank\",\"raw\":true}")),
	  R0 "then.alert[0]: holding_bank needs when.kinds to be only iban, not iban, crypto" },
	{ ONE(W_KS("\"url\",\"phone\",\"handle\"", "reports", "3", "90"),
	      ALERT("{\"to\":\"tld_registry\",\"raw\":true}")),
	  R0 "then.alert[0]: tld_registry needs when.kinds among url, domain, email, not phone, "
	     "handle" },
	{ ONE(W_IBAN, ALERT("{\"to\":\"signal_scope\",\"raw\":false}")),
	  R0 "then.alert[0]: signal_scope needs when.source \"signals\"" },
	{ ONE(W_PHONE, ALERT("{\"to\":\"sector\",\"sector\":\"telecom\",\"raw\":true},"
			     "{\"to\":\"impersonated_bank\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"telecom\",\"raw\":false}")),
	  R0 "then.alert[2] repeats then.alert[0] (to \"sector\", telecom)" },
	{ ONE(W_PHONE, ALERT("{\"to\":\"impersonated_bank\",\"raw\":true},"
			     "{\"to\":\"impersonated_bank\",\"raw\":false}")),
	  R0 "then.alert[1] repeats then.alert[0] (to \"impersonated_bank\")" },
	{ ONE(W_PHONE, ALERT("{\"to\":\"impersonated_bank\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"bank\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"psp\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"telecom\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"marketplace\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"webshop\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"registry\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"police\",\"raw\":true},"
			     "{\"to\":\"sector\",\"sector\":\"helpdesk\",\"raw\":true}")),
	  R0 "then.alert has 9 recipients, at most 8 allowed" },
	/* The second rule is named in the message. */
	{ HEAD RULE("ok", W_IBAN, PUB) "," RULE("bad", W_IBAN, "\"alert\":[]") TAIL,
	  "rules[1] 'bad': missing then.public" },
	/* Quoted input stays one printable line. */
	{ ONE(W_IBAN ",\"fraud_types\":[\"a\\nb\"]", PUB),
	  R0 "when.fraud_types: unknown fraud type 'a?b' (allowed: the codes of the taxonomy's "
	     "fraud_types)" },
};

static void test_broken(void **state)
{
	char err[RULES_ERR_MAX];
	struct rules *rs;
	size_t n = 0;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		rs = (struct rules *)1;
		rc = rules_load_buffer(broken[i].doc, strlen(broken[i].doc), tx, &rs, err,
				       sizeof(err));
		if (rc != RULES_EINVAL || strcmp(err, broken[i].err))
			print_error("case %zu: %s\n", i, err);
		assert_int_equal(rc, RULES_EINVAL);
		assert_null(rs);
		assert_string_equal(err, broken[i].err);
		n++;
	}
	assert_int_equal(n, 89);
}

static void test_limits(void **state)
{
	size_t cap = 1024 * 1024, used;
	char err[RULES_ERR_MAX];
	char *doc = malloc(cap);
	struct rules *rs;
	char *last;

	(void)state;
	assert_non_null(doc);
	/* 100 rules load; 101 do not. */
	used = (size_t)snprintf(doc, cap, "%s", HEAD);
	for (int i = 0; i < 101; i++)
		used += (size_t)snprintf(doc + used, cap - used,
					 "%s{\"id\":\"r%d\"," TITLE "," DESC ",\"when\":{" W_IBAN
					 "},\"then\":{" PUB "}}",
					 i ? "," : "", i);
	used += (size_t)snprintf(doc + used, cap - used, "%s", TAIL);
	assert_true(used < cap);
	assert_int_equal(rules_load_buffer(doc, used, tx, &rs, err, sizeof(err)), RULES_EINVAL);
	assert_string_equal(err, "rules has 101 entries, at most 100 allowed");
	last = strstr(doc, ",{\"id\":\"r100\"");
	assert_non_null(last);
	memcpy(last, TAIL, 2);
	assert_int_equal(
		rules_load_buffer(doc, (size_t)(last - doc) + 2, tx, &rs, err, sizeof(err)),
		RULES_OK);
	assert_int_equal(rules_count(rs), 100);
	assert_string_equal(rules_at(rs, 99)->id, "r99");
	rules_free(rs);

	/* A 1000-byte description loads, 1001 bytes do not. */
	for (size_t len = 1000; len <= 1001; len++) {
		used = (size_t)snprintf(doc, cap,
					HEAD "{\"id\":\"r\"," TITLE
					     ",\"description\":{\"en\":\"D\","
					     "\"nl\":\"");
		memset(doc + used, 'x', len);
		used += len;
		used += (size_t)snprintf(doc + used, cap - used,
					 "\"},\"when\":{" W_IBAN "},\"then\":{" PUB "}}" TAIL);
		int rc = rules_load_buffer(doc, used, tx, &rs, err, sizeof(err));

		if (len == 1000) {
			assert_int_equal(rc, RULES_OK);
			rules_free(rs);
		} else {
			assert_int_equal(rc, RULES_EINVAL);
			assert_string_equal(err, R0 "description.nl is 1001 bytes, at most 1000 "
						    "allowed");
		}
	}
	free(doc);
}

/*
 * Every failed allocation, in jansson too, is reported, never a crash or a
 * leak; jansson's parser may report one of its own as a syntax error.
 */
static void test_out_of_memory(void **state)
{
	const char *prefix = "invalid json at line ";
	char err[RULES_ERR_MAX];
	long n, nomem = 0;
	struct rules *rs;
	size_t len;
	char *buf = read_all(RULES_PATH, &len);
	int rc = RULES_EINVAL;

	(void)state;
	for (n = 0; n < 100000; n++) {
		mem_fail_after(n);
		rc = rules_load_buffer(buf, len, tx, &rs, err, sizeof(err));
		mem_fail_after(-1);
		if (rc == RULES_OK)
			break;
		assert_null(rs);
		if (rc == RULES_EINVAL) {
			assert_memory_equal(err, prefix, strlen(prefix));
			continue;
		}
		assert_int_equal(rc, RULES_ENOMEM);
		assert_string_equal(err, "out of memory");
		nomem++;
	}
	assert_int_equal(rc, RULES_OK);
	assert_true(n > 50);
	assert_true(nomem > 2);
	assert_int_equal(rules_count(rs), 5);
	rules_free(rs);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_loads),  cmocka_unit_test(test_counts_iban),
		cmocka_unit_test(test_counts_webshop), cmocka_unit_test(test_counts_phone),
		cmocka_unit_test(test_counts_spoofed), cmocka_unit_test(test_counts_signal),
		cmocka_unit_test(test_length),	       cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_broken),	       cmocka_unit_test(test_limits),
		cmocka_unit_test(test_out_of_memory),
	};

	json_set_alloc_funcs(mem_alloc, mem_free);
	return cmocka_run_group_tests(tests, setup, teardown);
}
