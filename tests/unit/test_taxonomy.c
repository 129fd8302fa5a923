/* test_taxonomy.c - the shipped taxonomy and municipality list, and the loaders' checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "taxonomy.h"
#include "util/mem.h"

#ifndef DATA_DIR
#define DATA_DIR "data"
#endif

#define TAXONOMY_PATH	    DATA_DIR "/taxonomy.json"
#define MUNICIPALITIES_PATH DATA_DIR "/municipalities.tsv"

/* ---- the shipped taxonomy ---- */

static const struct {
	const char *section;
	const char *code;
} required[] = {
	{ "fraud_types", "phishing" },
	{ "fraud_types", "bank_helpdesk" },
	{ "fraud_types", "purchase_fraud" },
	{ "fraud_types", "sales_fraud" },
	{ "fraud_types", "fake_webshop" },
	{ "fraud_types", "investment_fraud" },
	{ "fraud_types", "friend_in_need" },
	{ "fraud_types", "romance_fraud" },
	{ "fraud_types", "invoice_ceo_fraud" },
	{ "fraud_types", "identity_fraud" },
	{ "fraud_types", "tech_support" },
	{ "fraud_types", "recovery_fraud" },
	{ "fraud_types", "money_mule_recruitment" },
	{ "fraud_types", "ransomware" },
	{ "fraud_types", "other" },
	{ "channels", "phone_call" },
	{ "channels", "sms" },
	{ "channels", "whatsapp" },
	{ "channels", "other_messaging" },
	{ "channels", "email" },
	{ "channels", "social_media" },
	{ "channels", "marketplace" },
	{ "channels", "website" },
	{ "channels", "search_or_ad" },
	{ "channels", "in_person" },
	{ "channels", "other" },
	{ "payment_methods", "bank_transfer" },
	{ "payment_methods", "ideal" },
	{ "payment_methods", "card" },
	{ "payment_methods", "crypto" },
	{ "payment_methods", "gift_card" },
	{ "payment_methods", "cash" },
	{ "payment_methods", "payment_request" },
	{ "payment_methods", "money_transfer" },
	{ "payment_methods", "other" },
	{ "payment_methods", "none" },
	{ "identifier_roles", "beneficiary" },
	{ "identifier_roles", "caller" },
	{ "identifier_roles", "sender" },
	{ "identifier_roles", "website" },
	{ "identifier_roles", "profile" },
	{ "identifier_roles", "payment_request_link" },
	{ "identifier_roles", "wallet" },
	{ "identifier_roles", "other" },
	{ "victim_types", "citizen" },
	{ "victim_types", "business" },
	{ "victim_types", "organisation" },
	{ "age_bands", "under_18" },
	{ "age_bands", "18_24" },
	{ "age_bands", "25_34" },
	{ "age_bands", "35_44" },
	{ "age_bands", "45_54" },
	{ "age_bands", "55_64" },
	{ "age_bands", "65_74" },
	{ "age_bands", "75_plus" },
	{ "partner_sectors", "bank" },
	{ "partner_sectors", "psp" },
	{ "partner_sectors", "telecom" },
	{ "partner_sectors", "marketplace" },
	{ "partner_sectors", "webshop" },
	{ "partner_sectors", "registry" },
	{ "partner_sectors", "police" },
	{ "partner_sectors", "helpdesk" },
	{ "partner_sectors", "victim_support" },
	{ "partner_sectors", "government" },
};

#define NREQUIRED (sizeof(required) / sizeof(required[0]))

static struct taxonomy *load_shipped(void)
{
	struct taxonomy *tx = NULL;
	char err[TAXONOMY_ERR_MAX] = "";
	int rc = taxonomy_load_file(TAXONOMY_PATH, &tx, err, sizeof(err));

	if (rc != TAXONOMY_OK)
		print_error("%s\n", err);
	assert_int_equal(rc, TAXONOMY_OK);
	assert_string_equal(err, "");
	assert_non_null(tx);
	return tx;
}

static void test_shipped_taxonomy_loads(void **state)
{
	struct taxonomy *tx = load_shipped();
	const char *v = taxonomy_version(tx);
	json_t *doc = taxonomy_json(tx);

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")), 1);
	assert_string_equal(v, json_string_value(json_object_get(doc, "version")));
	assert_int_equal(strlen(v), 10);
	assert_memory_equal(v, "2026-", 5);
	/* Exactly the seven sections plus the two version members. */
	assert_int_equal(json_object_size(doc), 9);
	taxonomy_free(tx);
}

static void test_required_codes(void **state)
{
	struct taxonomy *tx = load_shipped();
	size_t entries = 0, i;
	const char *key;
	json_t *v, *e;

	(void)state;
	assert_int_equal(NREQUIRED, 65);
	for (i = 0; i < NREQUIRED; i++) {
		if (!taxonomy_has(tx, required[i].section, required[i].code))
			print_error("missing %s %s\n", required[i].section, required[i].code);
		assert_true(taxonomy_has(tx, required[i].section, required[i].code));
	}
	/* No entry beyond the required ones, so the test lists the whole vocabulary. */
	json_object_foreach(taxonomy_json(tx), key, v) if (json_is_array(v)) entries +=
		json_array_size(v);
	assert_int_equal(entries, NREQUIRED);
	/* Every entry is written in both languages, descriptions as full sentences. */
	json_object_foreach(taxonomy_json(tx), key, v)
	{
		json_array_foreach(v, i, e)
		{
			const char *nl = json_string_value(
				json_object_get(json_object_get(e, "description"), "nl"));
			const char *en = json_string_value(
				json_object_get(json_object_get(e, "description"), "en"));

			assert_non_null(nl);
			assert_non_null(en);
			assert_int_equal(nl[strlen(nl) - 1], '.');
			assert_int_equal(en[strlen(en) - 1], '.');
		}
	}
	taxonomy_free(tx);
}

static void test_lookups(void **state)
{
	struct taxonomy *tx = load_shipped();

	(void)state;
	assert_true(taxonomy_has(tx, "fraud_types", "friend_in_need"));
	assert_false(taxonomy_has(tx, "fraud_types", "Friend_in_need"));
	assert_false(taxonomy_has(tx, "fraud_types", "friend_in"));
	assert_false(taxonomy_has(tx, "fraud_types", ""));
	assert_false(taxonomy_has(tx, "channels", "friend_in_need"));
	assert_false(taxonomy_has(tx, "fraud_type", "phishing"));
	assert_false(taxonomy_has(tx, "version", "phishing"));
	assert_false(taxonomy_has(tx, NULL, "phishing"));
	assert_false(taxonomy_has(tx, "fraud_types", NULL));
	assert_false(taxonomy_has(NULL, "fraud_types", "phishing"));

	assert_string_equal(taxonomy_label(tx, "fraud_types", "friend_in_need", "nl"),
			    "Vriend-in-noodfraude");
	assert_string_equal(taxonomy_label(tx, "fraud_types", "friend_in_need", "en"),
			    "Friend-in-need fraud");
	assert_string_equal(taxonomy_label(tx, "payment_methods", "payment_request", "nl"),
			    "Betaalverzoek (zoals Tikkie)");
	assert_null(taxonomy_label(tx, "fraud_types", "friend_in_need", "de"));
	assert_null(taxonomy_label(tx, "fraud_types", "nope", "nl"));
	assert_null(taxonomy_label(tx, "fraud_types", "phishing", NULL));

	assert_true(taxonomy_allows_kind(tx, "identifier_roles", "beneficiary", IDENT_IBAN));
	assert_false(taxonomy_allows_kind(tx, "identifier_roles", "beneficiary", IDENT_PHONE));
	assert_true(taxonomy_allows_kind(tx, "identifier_roles", "caller", IDENT_PHONE));
	assert_false(taxonomy_allows_kind(tx, "identifier_roles", "caller", IDENT_IBAN));
	assert_true(taxonomy_allows_kind(tx, "identifier_roles", "wallet", IDENT_CRYPTO));
	assert_true(taxonomy_allows_kind(tx, "identifier_roles", "website", IDENT_DOMAIN));
	assert_true(taxonomy_allows_kind(tx, "fraud_types", "fake_webshop", IDENT_URL));
	assert_false(taxonomy_allows_kind(tx, "fraud_types", "fake_webshop", IDENT_CRYPTO));
	for (int k = 0; k < IDENT_KIND_COUNT; k++) {
		assert_true(
			taxonomy_allows_kind(tx, "identifier_roles", "other", (enum ident_kind)k));
		assert_true(taxonomy_allows_kind(tx, "fraud_types", "other", (enum ident_kind)k));
	}
	assert_false(taxonomy_allows_kind(tx, "channels", "sms", IDENT_PHONE));
	assert_false(taxonomy_allows_kind(tx, "identifier_roles", "nope", IDENT_PHONE));
	assert_false(taxonomy_allows_kind(tx, "identifier_roles", "caller", IDENT_KIND_COUNT));
	taxonomy_free(tx);
}

/* The served document, written out and read back, is the same taxonomy. */
static void test_json_round_trip(void **state)
{
	struct taxonomy *tx = load_shipped(), *again = NULL;
	char err[TAXONOMY_ERR_MAX];
	char *text = json_dumps(taxonomy_json(tx), JSON_COMPACT);

	(void)state;
	assert_non_null(text);
	assert_int_equal(taxonomy_load_buffer(text, strlen(text), &again, err, sizeof(err)),
			 TAXONOMY_OK);
	assert_true(json_equal(taxonomy_json(tx), taxonomy_json(again)));
	assert_string_equal(taxonomy_version(tx), taxonomy_version(again));
	free(text);
	taxonomy_free(again);
	taxonomy_free(tx);
}

/* ---- broken taxonomies ---- */

#define TEXT	    "{\"nl\": \"x\", \"en\": \"y\"}"
#define ENTRY(code) "{\"code\": \"" code "\", \"label\": " TEXT ", \"description\": " TEXT "}"
#define KENTRY(code, kinds)                                                    \
	"{\"code\": \"" code "\", \"label\": " TEXT ", \"description\": " TEXT \
	", \"identifier_kinds\": [" kinds "]}"
#define AGE(code, ages) \
	"{\"code\": \"" code "\", \"label\": " TEXT ", \"description\": " TEXT ", " ages "}"
#define HEAD  "\"schema_version\": 1, \"version\": \"2026-11-23\", "
#define FT_OK KENTRY("phishing", "\"url\", \"email\"")
#define AGES_OK \
	AGE("under_18", "\"min_age\": 0, \"max_age\": 17") ", " AGE("18_plus", "\"min_age\": 18")
#define CHANNELS "\"channels\": [" ENTRY("sms") "], "
#define REST                                                                                     \
	"\"payment_methods\": [" ENTRY("cash") "], "                                             \
					       "\"identifier_roles\": [" KENTRY(                 \
						       "caller",                                 \
						       "\"phone\"") "], "                        \
								    "\"victim_types\": [" ENTRY( \
									    "citizen") "], "
#define SECTORS "\"partner_sectors\": [" ENTRY("bank") "]"
/* A whole document: head members, the fraud types, the age bands, more members. */
#define DOC(head, ft, ages, extra)                                                   \
	"{" head "\"fraud_types\": [" ft "], " CHANNELS REST "\"age_bands\": [" ages \
	"], " SECTORS extra "}"
#define DOC_FT(ft)     DOC(HEAD, ft, AGES_OK, "")
#define DOC_AGES(ages) DOC(HEAD, FT_OK, ages, "")
#define FT(label, description)                                                         \
	"{\"code\": \"phishing\", \"label\": " label ", \"description\": " description \
	", \"identifier_kinds\": [\"url\"]}"

#define KINDS "iban, phone, url, domain, email, crypto, handle"
#define SECTIONS                                                                   \
	"fraud_types, channels, payment_methods, identifier_roles, victim_types, " \
	"age_bands, partner_sectors"

static const struct {
	const char *doc;
	const char *err; /* "" for a valid document */
} broken[] = {
	{ DOC_FT(FT_OK), "" },
	{ DOC(HEAD, FT_OK, AGES_OK, ", \"extra\": 1"),
	  "unknown section 'extra' (allowed: " SECTIONS ")" },
	{ DOC(HEAD, FT_OK, AGES_OK, ", \"a\\nb\": 1"),
	  "unknown section 'a?b' (allowed: " SECTIONS ")" },
	{ "{" HEAD "\"fraud_types\": [" FT_OK "], " REST "\"age_bands\": [" AGES_OK "], " SECTORS
	  "}",
	  "missing section 'channels'" },
	{ "{", "invalid json at line 1, column 1: string or '}' expected near end of file" },
	{ "", "invalid json at line 1, column 0: '[' or '{' expected near end of file" },
	{ "{\"a\": 1, \"a\": 2}",
	  "invalid json at line 1, column 12: duplicate object key near '\"a\"'" },
	{ "\xef\xbb\xbf{}",
	  "the file starts with a byte order mark; save it as utf-8 without one" },
	{ "[]", "the document must be a json object with schema_version, version and the "
		"sections" },
	{ DOC("\"version\": \"2026-11-23\", ", FT_OK, AGES_OK, ""),
	  "missing schema_version (this build reads 1)" },
	{ DOC("\"schema_version\": 2, \"version\": \"2026-11-23\", ", FT_OK, AGES_OK, ""),
	  "schema_version must be 1, the only one this build reads" },
	{ DOC("\"schema_version\": \"1\", \"version\": \"2026-11-23\", ", FT_OK, AGES_OK, ""),
	  "schema_version must be 1, the only one this build reads" },
	{ DOC("\"schema_version\": 1, ", FT_OK, AGES_OK, ""),
	  "missing version (a date like \"2026-11-23\")" },
	{ DOC("\"schema_version\": 1, \"version\": \"2026-11-1\", ", FT_OK, AGES_OK, ""),
	  "version must be a date in the form yyyy-mm-dd, like \"2026-11-23\"" },
	{ DOC("\"schema_version\": 1, \"version\": \"2026-02-29\", ", FT_OK, AGES_OK, ""),
	  "version must be a date in the form yyyy-mm-dd, like \"2026-11-23\"" },
	{ DOC("\"schema_version\": 1, \"version\": \"2028-02-29\", ", FT_OK, AGES_OK, ""), "" },
	{ DOC_FT(""), "section 'fraud_types' must be a non-empty array of entries" },
	{ DOC_FT("\"phishing\""), "fraud_types[0]: must be an object" },
	{ DOC_FT(FT_OK ", {\"label\": " TEXT "}"), "fraud_types[1]: missing code" },
	{ DOC_FT("{\"code\": 7}"), "fraud_types[0]: code must be a string" },
	{ DOC_FT(KENTRY("Phishing", "\"url\"")),
	  "fraud_types[0]: code 'Phishing' is not snake_case (allowed: a-z and 0-9 in words "
	  "joined by single '_', at most 48 bytes)" },
	{ DOC_FT(KENTRY("bank__helpdesk", "\"url\"")),
	  "fraud_types[0]: code 'bank__helpdesk' is not snake_case (allowed: a-z and 0-9 in "
	  "words joined by single '_', at most 48 bytes)" },
	{ DOC_FT(KENTRY("_x", "\"url\"")),
	  "fraud_types[0]: code '_x' is not snake_case (allowed: a-z and 0-9 in words joined "
	  "by single '_', at most 48 bytes)" },
	{ DOC_FT(KENTRY("bank-helpdesk", "\"url\"")),
	  "fraud_types[0]: code 'bank-helpdesk' is not snake_case (allowed: a-z and 0-9 in "
	  "words joined by single '_', at most 48 bytes)" },
	{ DOC_FT(KENTRY("a23456789_123456789_123456789_123456789_12345678", "\"url\"")), "" },
	{ DOC_FT(KENTRY("a23456789_123456789_123456789_123456789_123456789", "\"url\"")),
	  "fraud_types[0]: code 'a23456789_123456789_123456789_123456789_123456789' is not "
	  "snake_case (allowed: a-z and 0-9 in words joined by single '_', at most 48 bytes)" },
	{ DOC_FT(FT_OK ", " KENTRY("sms", "\"phone\"") ", " FT_OK),
	  "fraud_types[2]: duplicate code 'phishing', first at fraud_types[0]" },
	{ DOC_FT("{\"code\": \"phishing\"}"), "fraud_types[0] 'phishing': missing label" },
	{ DOC_FT(FT("\"Phishing\"", TEXT)),
	  "fraud_types[0] 'phishing': label must be an object of texts by language, like "
	  "{\"nl\": ..., \"en\": ...}" },
	{ DOC_FT(FT("{\"en\": \"Phishing\"}", TEXT)),
	  "fraud_types[0] 'phishing': label has no 'nl' text" },
	{ DOC_FT(FT("{\"nl\": \"Phishing\"}", TEXT)),
	  "fraud_types[0] 'phishing': label has no 'en' text" },
	{ DOC_FT(FT(TEXT, "{\"nl\": \"x\", \"en\": \"\"}")),
	  "fraud_types[0] 'phishing': description.en must be a non-empty string" },
	{ DOC_FT(FT(TEXT, "{\"nl\": null, \"en\": \"y\"}")),
	  "fraud_types[0] 'phishing': description.nl must be a non-empty string" },
	{ DOC_FT(FT("{\"nl\": \"x\", \"en\": \"y\", \"FR\": \"z\"}", TEXT)),
	  "fraud_types[0] 'phishing': label language 'FR' is not a two-letter lower-case code "
	  "like 'nl'" },
	{ DOC_FT(FT("{\"nl\": \"x\", \"en\": \"y\", \"fy\": \"z\"}", TEXT)), "" },
	{ DOC_FT(FT("{\"nl\": \"x\\ny\", \"en\": \"y\"}", TEXT)),
	  "fraud_types[0] 'phishing': label.nl contains a control character such as a newline "
	  "or tab" },
	{ DOC_FT("{\"code\": \"phishing\", \"lable\": " TEXT "}"),
	  "fraud_types[0] 'phishing': unknown member 'lable' (allowed: code, label, "
	  "description, identifier_kinds)" },
	{ DOC_FT(ENTRY("phishing")), "fraud_types[0] 'phishing': missing identifier_kinds" },
	{ DOC_FT(KENTRY("phishing", "")),
	  "fraud_types[0] 'phishing': identifier_kinds must be a non-empty array of kinds (" KINDS
	  ")" },
	{ DOC_FT(KENTRY("phishing", "\"url\", \"ibam\"")),
	  "fraud_types[0] 'phishing': unknown identifier kind 'ibam' (allowed: " KINDS ")" },
	{ DOC_FT(KENTRY("phishing", "\"url\", 3")),
	  "fraud_types[0] 'phishing': identifier_kinds[1] must be a string" },
	{ DOC_FT(KENTRY("phishing", "\"url\", \"iban\", \"url\"")),
	  "fraud_types[0] 'phishing': identifier_kinds lists 'url' twice" },
	{ "{" HEAD "\"fraud_types\": [" FT_OK "], \"channels\": [" KENTRY(
		  "sms", "\"phone\"") "], " REST "\"age_bands\": [" AGES_OK "], " SECTORS "}",
	  "channels[0] 'sms': unknown member 'identifier_kinds' (allowed: code, label, "
	  "description)" },
	/* clang-format off */
	{ "{" HEAD "\"fraud_types\": [" FT_OK "], " CHANNELS
	  "\"payment_methods\": [" ENTRY("cash") "], \"identifier_roles\": ["
	  KENTRY("caller", "\"phone\"") ", " KENTRY("x", "\"tel\"") "], \"victim_types\": ["
	  ENTRY("citizen") "], \"age_bands\": [" AGES_OK "], " SECTORS "}",
	  "identifier_roles[1] 'x': unknown identifier kind 'tel' (allowed: " KINDS ")" },
	/* clang-format on */
	{ DOC_AGES(AGE("all", "\"min_age\": 0")), "" },
	{ DOC_AGES(AGE("all", "\"min_age\": 1")),
	  "age_bands[0] 'all': min_age is 1 but must be 0, so that the bands follow each other "
	  "without gap or overlap" },
	{ DOC_AGES(AGE("all", "\"max_age\": 99")), "age_bands[0] 'all': missing min_age" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0, \"max_age\": 17") ", " AGE("b", "\"min_age\": 25")),
	  "age_bands[1] 'b': min_age is 25 but must be 18, so that the bands follow each other "
	  "without gap or overlap" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0, \"max_age\": 17") ", " AGE("b", "\"min_age\": 17")),
	  "age_bands[1] 'b': min_age is 17 but must be 18, so that the bands follow each other "
	  "without gap or overlap" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0") ", " AGE("b", "\"min_age\": 18")),
	  "age_bands[0] 'a': missing max_age; only the last band may be open-ended" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0, \"max_age\": 17") ", " AGE(
		  "b", "\"min_age\": 18, \"max_age\": 150")),
	  "age_bands[1] 'b': the last band must be open-ended, without max_age" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0, \"max_age\": 17.5") ", " AGE("b", "\"min_age\": 18")),
	  "age_bands[0] 'a': max_age must be a whole number from 0 to 150" },
	{ DOC_AGES(AGE("a", "\"min_age\": -1")),
	  "age_bands[0] 'a': min_age must be a whole number from 0 to 150" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0, \"max_age\": 10") ", " AGE(
		  "b", "\"min_age\": 11, \"max_age\": 5") ", " AGE("c", "\"min_age\": 6")),
	  "age_bands[1] 'b': max_age 5 is below min_age 11" },
	{ DOC_AGES(AGE("a", "\"min_age\": 0, \"minimum\": 3")),
	  "age_bands[0] 'a': unknown member 'minimum' (allowed: code, label, description, "
	  "min_age, max_age)" },
};

static void test_broken_documents(void **state)
{
	char err[TAXONOMY_ERR_MAX];
	struct taxonomy *tx;
	size_t valid = 0;
	int rc;

	(void)state;
	assert_int_equal(sizeof(broken) / sizeof(broken[0]), 55);
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		tx = (struct taxonomy *)1;
		rc = taxonomy_load_buffer(broken[i].doc, strlen(broken[i].doc), &tx, err,
					  sizeof(err));
		if (strcmp(err, broken[i].err))
			print_error("case %zu:\n got  %s\n want %s\n", i, err, broken[i].err);
		assert_string_equal(err, broken[i].err);
		if (broken[i].err[0]) {
			assert_int_equal(rc, TAXONOMY_EINVAL);
			assert_null(tx);
		} else {
			assert_int_equal(rc, TAXONOMY_OK);
			assert_non_null(tx);
			assert_true(taxonomy_has(tx, "channels", "sms"));
			taxonomy_free(tx);
			valid++;
		}
	}
	assert_int_equal(valid, 5);
}

static void test_too_many_entries(void **state)
{
	char err[TAXONOMY_ERR_MAX], *doc, *p;
	size_t cap = 300 * 200 + 4096;
	struct taxonomy *tx;
	int n;

	(void)state;
	doc = malloc(cap);
	assert_non_null(doc);
	p = doc;
	p += snprintf(p, 200, "{" HEAD "\"fraud_types\": [" FT_OK);
	for (int i = 0; i < 256; i++) {
		n = snprintf(p, 200, ", " KENTRY("c%d", "\"url\""), i);
		assert_true(n > 0 && n < 200);
		p += n;
	}
	n = snprintf(p, cap - (size_t)(p - doc),
		     "], " CHANNELS REST "\"age_bands\": [" AGES_OK "], " SECTORS "}");
	assert_true(n > 0 && (size_t)n < cap - (size_t)(p - doc));
	assert_int_equal(taxonomy_load_buffer(doc, strlen(doc), &tx, err, sizeof(err)),
			 TAXONOMY_EINVAL);
	assert_string_equal(err, "section 'fraud_types' has 257 entries, at most 256 allowed");
	free(doc);
}

/* ---- files ---- */

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_file_errors(void **state)
{
	char err[TAXONOMY_ERR_MAX], want[TAXONOMY_ERR_MAX];
	const char *tmpdir = getenv("TMPDIR");
	char path[256];
	struct municipalities *m = (struct municipalities *)1;
	struct taxonomy *tx = (struct taxonomy *)1;
	char *big;
	int fd;

	(void)state;
	assert_int_equal(taxonomy_load_file("no/such/taxonomy.json", &tx, err, sizeof(err)),
			 TAXONOMY_EIO);
	assert_null(tx);
	assert_string_equal(err, "no/such/taxonomy.json: cannot open: No such file or directory");
	assert_int_equal(municipalities_load_file("no/such.tsv", &m, err, sizeof(err)),
			 TAXONOMY_EIO);
	assert_null(m);
	assert_string_equal(err, "no/such.tsv: cannot open: No such file or directory");

	fd = snprintf(path, sizeof(path), "%s/test_taxonomy_XXXXXX", tmpdir ? tmpdir : "/tmp");
	assert_true(fd > 0 && (size_t)fd < sizeof(path));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "[]", 2);
	assert_int_equal(taxonomy_load_file(path, &tx, err, sizeof(err)), TAXONOMY_EINVAL);
	snprintf(want, sizeof(want),
		 "%s: the document must be a json object with "
		 "schema_version, version and the sections",
		 path);
	assert_string_equal(err, want);
	write_file(path, "code\tname\n", 10);
	assert_int_equal(municipalities_load_file(path, &m, err, sizeof(err)), TAXONOMY_EINVAL);
	snprintf(want, sizeof(want),
		 "%s: line 1: missing column 'province_code' (the header "
		 "must name code, name, province_code and province)",
		 path);
	assert_string_equal(err, want);

	/* Exactly at the limit the content is judged; one byte over, the size. */
	big = malloc(TAXONOMY_FILE_MAX + 1);
	assert_non_null(big);
	memset(big, ' ', TAXONOMY_FILE_MAX + 1);
	memcpy(big, "{}", 2);
	write_file(path, big, TAXONOMY_FILE_MAX);
	assert_int_equal(taxonomy_load_file(path, &tx, err, sizeof(err)), TAXONOMY_EINVAL);
	snprintf(want, sizeof(want), "%s: missing schema_version (this build reads 1)", path);
	assert_string_equal(err, want);
	write_file(path, big, TAXONOMY_FILE_MAX + 1);
	assert_int_equal(taxonomy_load_file(path, &tx, err, sizeof(err)), TAXONOMY_EINVAL);
	snprintf(want, sizeof(want), "%s: the file is larger than 1048576 bytes", path);
	assert_string_equal(err, want);
	free(big);

	/* A small error buffer truncates the message but stays terminated. */
	assert_int_equal(taxonomy_load_file("no/such/taxonomy.json", &tx, err, 10), TAXONOMY_EIO);
	assert_string_equal(err, "no/such/t");
	unlink(path);
}

/*
 * Every failed allocation, in jansson too, is reported, never a crash or a
 * leak.  jansson's parser reports some of its own allocation failures as a
 * syntax error at the token it was reading; that is the one other outcome
 * allowed while the document is parsed.
 */
static void test_out_of_memory(void **state)
{
	const char *prefix = TAXONOMY_PATH ": invalid json at line ";
	char err[TAXONOMY_ERR_MAX];
	struct municipalities *m;
	struct taxonomy *tx;
	long n, nomem = 0;
	int rc;

	(void)state;
	for (n = 0; n < 100000; n++) {
		mem_fail_after(n);
		rc = taxonomy_load_file(TAXONOMY_PATH, &tx, err, sizeof(err));
		mem_fail_after(-1);
		if (rc == TAXONOMY_OK)
			break;
		assert_null(tx);
		if (rc == TAXONOMY_EINVAL) {
			assert_memory_equal(err, prefix, strlen(prefix));
			continue;
		}
		assert_int_equal(rc, TAXONOMY_ENOMEM);
		assert_string_equal(err, TAXONOMY_PATH ": out of memory");
		nomem++;
	}
	assert_int_equal(rc, TAXONOMY_OK);
	assert_true(n > 100);
	assert_true(nomem > 2);
	taxonomy_free(tx);

	for (n = 0; n < 100000; n++) {
		mem_fail_after(n);
		rc = municipalities_load_file(MUNICIPALITIES_PATH, &m, err, sizeof(err));
		mem_fail_after(-1);
		if (rc == TAXONOMY_OK)
			break;
		assert_int_equal(rc, TAXONOMY_ENOMEM);
		assert_null(m);
		assert_string_equal(err, MUNICIPALITIES_PATH ": out of memory");
	}
	assert_int_equal(rc, TAXONOMY_OK);
	assert_true(n > 342);
	municipalities_free(m);
}

/* ---- municipalities ---- */

static struct municipalities *load_municipalities(void)
{
	struct municipalities *m = NULL;
	char err[TAXONOMY_ERR_MAX] = "";
	int rc = municipalities_load_file(MUNICIPALITIES_PATH, &m, err, sizeof(err));

	if (rc != TAXONOMY_OK)
		print_error("%s\n", err);
	assert_int_equal(rc, TAXONOMY_OK);
	assert_string_equal(err, "");
	return m;
}

static void test_shipped_municipalities(void **state)
{
	struct municipalities *m = load_municipalities();
	const struct municipality *a;
	json_t *arr = municipalities_json(m), *o;
	char provinces[16][5];
	size_t nprov = 0, i, k;

	(void)state;
	assert_int_equal(municipalities_count(m), 342);
	assert_int_equal(json_array_size(arr), 342);

	a = municipalities_find(m, "GM0363");
	assert_non_null(a);
	assert_string_equal(a->code, "GM0363");
	assert_string_equal(a->name, "Amsterdam");
	assert_string_equal(a->province_code, "PV27");
	assert_string_equal(a->province, "Noord-Holland");
	assert_string_equal(municipalities_find(m, "GM0518")->name, "'s-Gravenhage");
	assert_string_equal(municipalities_find(m, "GM1900")->name, "Súdwest-Fryslân");
	assert_string_equal(municipalities_find(m, "GM1900")->province, "Fryslân");
	assert_string_equal(municipalities_find(m, "GM0014")->name, "Groningen");
	assert_string_equal(municipalities_find(m, "GM1992")->name, "Voorne aan Zee");
	assert_null(municipalities_find(m, "GM0000"));
	assert_null(municipalities_find(m, "gm0363"));
	assert_null(municipalities_find(m, "GM0363 "));
	assert_null(municipalities_find(m, "GM9001"));
	assert_null(municipalities_find(m, ""));
	assert_null(municipalities_find(m, NULL));
	assert_null(municipalities_at(m, 342));

	/* The array, the rows and the index agree; 12 provinces. */
	for (i = 0; i < municipalities_count(m); i++) {
		a = municipalities_at(m, i);
		o = json_array_get(arr, i);
		assert_ptr_equal(municipalities_find(m, a->code), a);
		assert_int_equal(json_object_size(o), 4);
		assert_string_equal(json_string_value(json_object_get(o, "code")), a->code);
		assert_string_equal(json_string_value(json_object_get(o, "name")), a->name);
		assert_string_equal(json_string_value(json_object_get(o, "province_code")),
				    a->province_code);
		assert_string_equal(json_string_value(json_object_get(o, "province")), a->province);
		for (k = 0; k < nprov; k++)
			if (!strcmp(provinces[k], a->province_code))
				break;
		if (k == nprov) {
			assert_true(nprov < 16);
			snprintf(provinces[nprov++], sizeof(provinces[0]), "%s", a->province_code);
		}
	}
	assert_int_equal(nprov, 12);
	municipalities_free(m);
}

#define HDR "code\tname\tprovince_code\tprovince\n"
#define AMS "GM0363\tAmsterdam\tPV27\tNoord-Holland\n"
#define HLM "GM0392\tHaarlem\tPV27\tNoord-Holland\n"

static const struct {
	const char *tsv;
	size_t count;	 /* rows expected when valid */
	const char *err; /* "" for a valid file */
} tsv_cases[] = {
	{ HDR AMS HLM, 2, "" },
	{ HDR AMS "GM0392\tHaarlem\tPV27\tNoord-Holland", 2, "" },
	{ "code\tname\tprovince_code\tprovince\r\nGM0363\tAmsterdam\tPV27\tNoord-Holland\r\n", 1,
	  "" },
	{ "province\tcode\tprovince_code\tname\nNoord-Holland\tGM0363\tPV27\tAmsterdam\n", 1, "" },
	{ "", 0,
	  "the file is empty; expected a header row (code, name, province_code, province) "
	  "and one row per municipality" },
	{ HDR, 0, "no municipalities after the header" },
	{ "\xef\xbb\xbf" HDR AMS, 0,
	  "line 1: the file starts with a byte order mark; save it as utf-8 without one" },
	{ "code\tname\tprovince\n" AMS, 0,
	  "line 1: missing column 'province_code' (the header "
	  "must name code, name, province_code and province)" },
	{ "code\tname\tprovince_code\tprovince\tpopulation\n", 0,
	  "line 1: unknown column 'population' (allowed: code, name, province_code, province)" },
	{ "code\tname\tcode\tprovince\n", 0, "line 1: column 'code' appears twice" },
	{ HDR AMS "\n" HLM, 0, "line 3: empty line" },
	{ HDR AMS "\n", 0, "line 3: empty line" },
	{ HDR "GM0363\tAmsterdam\tPV27\n", 0,
	  "line 2: 3 fields, but the header has 4 (fields are separated by tabs)" },
	{ HDR "GM0363 Amsterdam PV27 Noord-Holland\n", 0,
	  "line 2: 1 fields, but the header has 4 (fields are separated by tabs)" },
	{ HDR AMS "GM0363\tAmsterdam\tPV27\tNoord-Holland\tx\n", 0,
	  "line 3: 5 fields, but the header has 4 (fields are separated by tabs)" },
	{ HDR "GM363\tAmsterdam\tPV27\tNoord-Holland\n", 0,
	  "line 2: code 'GM363' is not a municipality code (expected GM and 4 digits, like "
	  "GM0363)" },
	{ HDR "gm0363\tAmsterdam\tPV27\tNoord-Holland\n", 0,
	  "line 2: code 'gm0363' is not a municipality code (expected GM and 4 digits, like "
	  "GM0363)" },
	{ HDR "GM03631\tAmsterdam\tPV27\tNoord-Holland\n", 0,
	  "line 2: code 'GM03631' is not a municipality code (expected GM and 4 digits, like "
	  "GM0363)" },
	{ HDR "GM0363\tAmsterdam\t27\tNoord-Holland\n", 0,
	  "line 2: province_code '27' is not a province code (expected PV and 2 digits, like "
	  "PV27)" },
	{ HDR "GM0363\t\tPV27\tNoord-Holland\n", 0, "line 2: name is empty" },
	{ HDR "GM0363\tAmsterdam \tPV27\tNoord-Holland\n", 0,
	  "line 2: name 'Amsterdam ' starts or ends with a space" },
	{ HDR "GM0363\tAmster\x01"
	      "dam\tPV27\tNoord-Holland\n",
	  0, "line 2: name contains a control character" },
	{ HDR "GM0363\tAmsterdam\tPV27\tNoord-Holland\r\r\n", 0,
	  "line 2: province contains a control character" },
	{ HDR "GM0363\tAmst\xe9rdam\tPV27\tNoord-Holland\n", 0, "line 2: name is not valid utf-8" },
	{ HDR "GM0363\tAmsterdam\tPV27\tNoord-Holland\xed\xa0\x80\n", 0,
	  "line 2: province is not valid utf-8" },
	{ HDR "GM0363\t0123456789012345678901234567890123456789012345678901234567890123456789"
	      "012345678901234567890123456789x\tPV27\tNoord-Holland\n",
	  0, "line 2: name is 101 bytes, at most 100 allowed" },
	{ HDR AMS HLM "GM0363\tAmsterdam-Oost\tPV27\tNoord-Holland\n", 0,
	  "line 4: duplicate code 'GM0363', first on line 2" },
	{ HDR AMS "GM0392\tHaarlem\tPV27\tNoord Holland\n", 0,
	  "line 3: province PV27 is named 'Noord Holland' here but 'Noord-Holland' on line 2" },
	{ HDR "GM0363\tA\xff\tPV27\tNoord-Holland\n", 0, "line 2: name is not valid utf-8" },
	{ HDR "GM\xff\tA\tPV27\tNoord-Holland\n", 0,
	  "line 2: code 'GM?' is not a municipality code (expected GM and 4 digits, like "
	  "GM0363)" },
};

static void test_municipality_files(void **state)
{
	char err[TAXONOMY_ERR_MAX];
	struct municipalities *m;
	size_t valid = 0, ncases = sizeof(tsv_cases) / sizeof(tsv_cases[0]);
	int rc;

	(void)state;
	assert_int_equal(ncases, 30);
	for (size_t i = 0; i < ncases; i++) {
		m = (struct municipalities *)1;
		rc = municipalities_load_buffer(tsv_cases[i].tsv, strlen(tsv_cases[i].tsv), &m, err,
						sizeof(err));
		if (strcmp(err, tsv_cases[i].err))
			print_error("case %zu:\n got  %s\n want %s\n", i, err, tsv_cases[i].err);
		assert_string_equal(err, tsv_cases[i].err);
		if (tsv_cases[i].err[0]) {
			assert_int_equal(rc, TAXONOMY_EINVAL);
			assert_null(m);
			continue;
		}
		assert_int_equal(rc, TAXONOMY_OK);
		assert_int_equal(municipalities_count(m), tsv_cases[i].count);
		assert_string_equal(municipalities_find(m, "GM0363")->name, "Amsterdam");
		assert_string_equal(municipalities_find(m, "GM0363")->province, "Noord-Holland");
		assert_string_equal(municipalities_at(m, 0)->code, "GM0363");
		municipalities_free(m);
		valid++;
	}
	assert_int_equal(valid, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_taxonomy_loads),
		cmocka_unit_test(test_required_codes),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_broken_documents),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_shipped_municipalities),
		cmocka_unit_test(test_municipality_files),
	};

	/* So that fault injection reaches the allocations jansson makes, too. */
	json_set_alloc_funcs(mem_alloc, mem_free);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
