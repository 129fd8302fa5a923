/* test_advice.c - the shipped advice, the selection of steps and the loader's checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"
#include "taxonomy.h"
#include "util/mem.h"

#ifndef DATA_DIR
#define DATA_DIR "data"
#endif

#define TAXONOMY_PATH DATA_DIR "/taxonomy.json"
#define ADVICE_PATH   DATA_DIR "/advice.json"

/* The steps every victim sees, whatever happened. */
static const char *const always_ids[] = {
	"keep_evidence", "report_police", "fraudehelpdesk", "victim_support", "warn_others",
};

#define NALWAYS (sizeof(always_ids) / sizeof(always_ids[0]))

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

static struct advice *load_shipped(void)
{
	char err[ADVICE_ERR_MAX] = "";
	struct advice *a = NULL;
	size_t len;
	char *buf = read_all(ADVICE_PATH, &len);
	int rc = advice_load_buffer(buf, len, tx, &a, err, sizeof(err));

	if (rc != ADVICE_OK)
		print_error("%s: %s\n", ADVICE_PATH, err);
	assert_int_equal(rc, ADVICE_OK);
	assert_non_null(a);
	free(buf);
	return a;
}

/* Compare the ids of a selection with a list ending in NULL. */
static void assert_ids(json_t *steps, const char *const *want)
{
	size_t n = 0;

	assert_non_null(steps);
	assert_true(json_is_array(steps));
	for (; want[n]; n++) {
		json_t *s = json_array_get(steps, n);

		assert_non_null(s);
		assert_string_equal(json_string_value(json_object_get(s, "id")), want[n]);
	}
	assert_int_equal(json_array_size(steps), n);
}

static bool has_id(json_t *steps, const char *id)
{
	size_t i;
	json_t *s;

	json_array_foreach(steps, i, s)
	{
		if (!strcmp(json_string_value(json_object_get(s, "id")), id))
			return true;
	}
	return false;
}

static const char *field(json_t *steps, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(steps, i), key));
}

/* ---- the shipped file ---- */

static void test_shipped_loads(void **state)
{
	struct advice *a;
	json_t *doc, *steps;
	char *buf;
	size_t len;

	(void)state;
	a = load_shipped();
	assert_string_equal(advice_version(a), "2026-11-23");
	advice_free(a);

	/* Enough steps, each with an id, and no two the same (the loader checks that). */
	buf = read_all(ADVICE_PATH, &len);
	doc = json_loadb(buf, len, 0, NULL);
	assert_non_null(doc);
	steps = json_object_get(doc, "steps");
	assert_true(json_array_size(steps) >= 15);
	assert_true(json_array_size(steps) <= 30);
	json_decref(doc);
	free(buf);
}

static void test_bank_helpdesk(void **state)
{
	static const char *const want[] = {
		"call_bank_now",   "block_card",
		"bank_never_asks", "pnbf_procedure",
		"keep_evidence",   "report_police",
		"fraudehelpdesk",  "victim_support",
		"warn_others",	   NULL,
	};
	unsigned kinds = 1u << IDENT_IBAN | 1u << IDENT_PHONE;
	struct advice *a = load_shipped();
	json_t *nl, *en, *s;
	size_t i;

	(void)state;
	nl = advice_select(a, "bank_helpdesk", "bank_transfer", kinds, "nl");
	assert_ids(nl, want);
	assert_string_equal(field(nl, 0, "title"), "Bel nu uw bank");
	assert_true(json_is_true(json_object_get(json_array_get(nl, 0), "urgent")));
	assert_true(json_is_false(json_object_get(json_array_get(nl, 3), "urgent")));
	assert_non_null(strstr(field(nl, 0, "text"), "achterkant van uw bankpas"));
	assert_non_null(strstr(field(nl, 2, "text"), "'veilige rekening'"));

	en = advice_select(a, "bank_helpdesk", "bank_transfer", kinds, "en");
	assert_ids(en, want);
	assert_string_equal(field(en, 0, "title"), "Call your bank now");
	assert_non_null(strstr(field(en, 2, "text"), "never sends a courier"));

	/* Exactly the four members, with the right types. */
	json_array_foreach(en, i, s)
	{
		assert_int_equal(json_object_size(s), 4);
		assert_true(json_is_string(json_object_get(s, "title")));
		assert_true(json_is_string(json_object_get(s, "text")));
		assert_true(json_is_boolean(json_object_get(s, "urgent")));
		assert_string_equal(field(en, i, "id"), field(nl, i, "id"));
		assert_string_not_equal(field(en, i, "text"), field(nl, i, "text"));
	}
	json_decref(nl);
	json_decref(en);
	advice_free(a);
}

static void test_phishing(void **state)
{
	static const char *const want[] = {
		"call_bank_now",  "secure_accounts", "whatsapp_takeover",
		"keep_evidence",  "report_police",   "fraudehelpdesk",
		"victim_support", "warn_others",     NULL,
	};
	struct advice *a = load_shipped();
	json_t *s;

	(void)state;
	s = advice_select(a, "phishing", NULL, 0, "en");
	assert_ids(s, want);
	assert_string_equal(field(s, 1, "title"), "Secure your accounts");
	assert_non_null(strstr(field(s, 1, "text"), "two-step verification"));
	assert_non_null(strstr(field(s, 1, "text"), "forward"));
	json_decref(s);
	s = advice_select(a, "phishing", NULL, 0, "nl");
	assert_ids(s, want);
	assert_string_equal(field(s, 1, "title"), "Beveilig uw accounts");
	assert_non_null(strstr(field(s, 2, "text"), "registreer uw telefoonnummer opnieuw"));
	json_decref(s);
	advice_free(a);
}

static void test_recovery_fraud(void **state)
{
	static const char *const want[] = {
		"remote_access_disconnect",
		"stop_paying",
		"never_pay_recovery",
		"keep_evidence",
		"report_police",
		"fraudehelpdesk",
		"victim_support",
		"warn_others",
		NULL,
	};
	struct advice *a = load_shipped();
	json_t *s;

	(void)state;
	s = advice_select(a, "recovery_fraud", "none", 0, "nl");
	assert_ids(s, want);
	assert_string_equal(field(s, 2, "title"), "Betaal nooit om uw geld terug te krijgen");
	json_decref(s);
	s = advice_select(a, "recovery_fraud", "none", 0, "en");
	assert_ids(s, want);
	assert_string_equal(field(s, 2, "title"), "Never pay to get your money back");
	json_decref(s);
	advice_free(a);
}

static void test_payment_and_kinds(void **state)
{
	static const char *const card[] = {
		"block_card",	  "refund_via_provider", "keep_evidence", "report_police",
		"fraudehelpdesk", "victim_support",	 "warn_others",	  NULL,
	};
	static const char *const crypto_kind[] = {
		"crypto_platform",
		"keep_evidence",
		"report_police",
		"fraudehelpdesk",
		"victim_support",
		"warn_others",
		NULL,
	};
	static const char *const only_always[] = {
		"keep_evidence",  "report_police", "fraudehelpdesk",
		"victim_support", "warn_others",   NULL,
	};
	struct advice *a = load_shipped();
	json_t *s;

	(void)state;
	s = advice_select(a, NULL, "card", 0, "en");
	assert_ids(s, card);
	assert_non_null(strstr(field(s, 0, "text"), "+31 88 385 53 72"));
	json_decref(s);
	s = advice_select(a, NULL, NULL, 1u << IDENT_CRYPTO, "en");
	assert_ids(s, crypto_kind);
	json_decref(s);
	/* Nothing known, unknown codes and kinds without a step: only the general steps. */
	s = advice_select(a, NULL, NULL, 0, "nl");
	assert_ids(s, only_always);
	assert_string_equal(field(s, 0, "title"), "Bewaar alle bewijs");
	json_decref(s);
	s = advice_select(a, "no_such_type", "no_such_method", 1u << IDENT_DOMAIN | 1u << 31, "nl");
	assert_ids(s, only_always);
	json_decref(s);
	advice_free(a);
}

/* Any language but English gets Dutch, the language of the country's services. */
static void test_language_fallback(void **state)
{
	struct advice *a = load_shipped();
	const char *langs[] = { "nl", "de", "", "EN", "en-GB", NULL };
	json_t *s;

	(void)state;
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		s = advice_select(a, NULL, NULL, 0, langs[i]);
		assert_non_null(s);
		assert_string_equal(field(s, 0, "title"), "Bewaar alle bewijs");
		json_decref(s);
	}
	advice_free(a);
}

/*
 * Every fraud type of the taxonomy gets the general steps, after its own
 * (every type but "other" has some); so does every payment method a victim
 * can act on.
 */
static void test_every_fraud_type(void **state)
{
	static const char *const methods[] = {
		"bank_transfer", "ideal",     "payment_request", "card",
		"crypto",	 "gift_card", "money_transfer",
	};
	struct advice *a = load_shipped();
	json_t *types = json_object_get(taxonomy_json(tx), "fraud_types"), *e, *s;
	const char *langs[] = { "nl", "en" };
	size_t i, n = 0;

	(void)state;
	json_array_foreach(types, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "code"));

		for (size_t l = 0; l < 2; l++) {
			s = advice_select(a, code, NULL, 0, langs[l]);
			assert_non_null(s);
			assert_true(json_array_size(s) >= NALWAYS);
			for (size_t k = 0; k < NALWAYS; k++) {
				if (!has_id(s, always_ids[k]))
					print_error("%s lacks %s\n", code, always_ids[k]);
				assert_true(has_id(s, always_ids[k]));
				/* The general steps close the list, in this order. */
				assert_string_equal(
					field(s, json_array_size(s) - NALWAYS + k, "id"),
					always_ids[k]);
			}
			if (strcmp(code, "other"))
				assert_true(json_array_size(s) > NALWAYS);
			else
				assert_int_equal(json_array_size(s), NALWAYS);
			json_decref(s);
		}
		n++;
	}
	assert_int_equal(n, 15);
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		assert_true(taxonomy_has(tx, "payment_methods", methods[i]));
		s = advice_select(a, NULL, methods[i], 0, "en");
		assert_true(json_array_size(s) > NALWAYS);
		assert_true(json_is_true(json_object_get(json_array_get(s, 0), "urgent")));
		json_decref(s);
	}
	advice_free(a);
}

/* ---- the loader, on small documents ---- */

#define HEAD  "{\"schema_version\":1,\"version\":\"2026-11-23\",\"steps\":["
#define TAIL  "]}"
#define TITLE "\"title\":{\"nl\":\"T\",\"en\":\"T\"}"
#define TEXT  "\"text\":{\"nl\":\"X\",\"en\":\"X\"}"
/* A step with the given id, priority, urgency and "when" members. */
#define STEP(id, prio, urgent, when)                                                       \
	"{\"id\":\"" id "\",\"priority\":" #prio ",\"urgent\":" #urgent "," TITLE "," TEXT \
	",\"when\":{" when "}}"
#define ALWAYS "\"always\":true"

static struct advice *load_string(const char *doc)
{
	char err[ADVICE_ERR_MAX] = "";
	struct advice *a = NULL;
	int rc = advice_load_buffer(doc, strlen(doc), tx, &a, err, sizeof(err));

	if (rc != ADVICE_OK)
		print_error("%s\n", err);
	assert_int_equal(rc, ADVICE_OK);
	return a;
}

/* clang-format off */
static const char order_doc[] = HEAD
	STEP("b", 5, false, ALWAYS) ","
	STEP("a", 5, false, ALWAYS) ","
	STEP("c", 9, true, ALWAYS) ","
	STEP("d", 1, false, ALWAYS) ","
	STEP("e", 9999, true, ALWAYS) TAIL;
/* clang-format on */

static void test_order(void **state)
{
	static const char *const want[] = { "c", "e", "d", "a", "b", NULL };
	struct advice *a = load_string(order_doc);
	json_t *s;

	(void)state;
	s = advice_select(a, NULL, NULL, 0, "en");
	assert_ids(s, want);
	json_decref(s);
	advice_free(a);
}

/* clang-format off */
static const char conditions_doc[] = HEAD
	STEP("t", 1, false, "\"fraud_types\":[\"phishing\",\"other\"]") ","
	STEP("m", 1, false, "\"payment_methods\":[\"cash\"],\"always\":false") ","
	STEP("k", 1, false, "\"identifier_kinds\":[\"handle\",\"email\"],\"fraud_types\":[]")
	TAIL;
/* clang-format on */

/* Any one condition is enough; none of them, no step. */
static void test_conditions(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const by_type[] = { "t", NULL };
	static const char *const by_method[] = { "m", NULL };
	static const char *const by_kind[] = { "k", NULL };
	static const char *const all[] = { "k", "m", "t", NULL };
	struct advice *a = load_string(conditions_doc);
	json_t *s;

	(void)state;
	s = advice_select(a, NULL, NULL, 0, "nl");
	assert_ids(s, none);
	json_decref(s);
	s = advice_select(a, "other", "ideal", 1u << IDENT_IBAN, "nl");
	assert_ids(s, by_type);
	json_decref(s);
	s = advice_select(a, "cash", "cash", 0, "nl");
	assert_ids(s, by_method);
	json_decref(s);
	s = advice_select(a, NULL, NULL, 1u << IDENT_EMAIL, "nl");
	assert_ids(s, by_kind);
	json_decref(s);
	s = advice_select(a, "phishing", "cash", 1u << IDENT_HANDLE, "nl");
	assert_ids(s, all);
	json_decref(s);
	advice_free(a);
}

/* The buffer need not be NUL-terminated; bytes after `len` are not read. */
static void test_length(void **state)
{
	const char *doc = HEAD STEP("a", 1, false, ALWAYS) TAIL "garbage";
	char err[ADVICE_ERR_MAX];
	struct advice *a;

	(void)state;
	assert_int_equal(advice_load_buffer(doc, strlen(doc) - 7, tx, &a, err, sizeof(err)),
			 ADVICE_OK);
	advice_free(a);
	assert_int_equal(advice_load_buffer(doc, strlen(doc), tx, &a, err, sizeof(err)),
			 ADVICE_EINVAL);
	assert_null(a);
	assert_int_equal(advice_load_buffer(NULL, 0, tx, &a, err, sizeof(err)), ADVICE_EINVAL);
	assert_null(a);
	assert_string_equal(err, "invalid json at line 1, column 0: '[' or '{' expected near end "
				 "of file");
	/* A small error buffer truncates the message but stays terminated. */
	assert_int_equal(advice_load_buffer("[]", 2, tx, &a, err, 9), ADVICE_EINVAL);
	assert_string_equal(err, "the docu");
	advice_free(NULL);
}

/* clang-format off */
#define DUP_DOC HEAD \
	STEP("a", 1, false, ALWAYS) "," \
	STEP("b", 1, false, ALWAYS) "," \
	STEP("a", 1, false, ALWAYS) TAIL
/* clang-format on */

static const struct {
	const char *doc;
	const char *err;
} broken[] = {
	{ "\xef\xbb\xbf{}",
	  "the file starts with a byte order mark; save it as utf-8 without one" },
	{ "{\"a\":1,\"a\":2}",
	  "invalid json at line 1, column 10: duplicate object key near '\"a\"'" },
	{ "[]", "the document must be a json object with schema_version, version and steps" },
	{ "{}", "missing schema_version (this build reads 1)" },
	{ "{\"schema_version\":2}", "schema_version must be 1, the only one this build reads" },
	{ "{\"schema_version\":\"1\"}", "schema_version must be 1, the only one this build reads" },
	{ "{\"schema_version\":1}", "missing version (a date like \"2026-11-23\")" },
	{ "{\"schema_version\":1,\"version\":\"2026-02-29\"}",
	  "version must be a date in the form yyyy-mm-dd, like \"2026-11-23\"" },
	{ "{\"schema_version\":1,\"version\":\"2026-11-23\",\"step\":[]}",
	  "unknown member 'step' (allowed: schema_version, version, steps)" },
	{ "{\"schema_version\":1,\"version\":\"2026-11-23\"}", "missing steps" },
	{ HEAD TAIL, "steps must be a non-empty array of steps" },
	{ HEAD "1" TAIL, "steps[0]: must be an object" },
	{ HEAD "{}" TAIL, "steps[0]: missing id" },
	{ HEAD "{\"id\":7}" TAIL, "steps[0]: id must be a string" },
	{ HEAD "{\"id\":\"Call_Bank\"}" TAIL,
	  "steps[0]: id 'Call_Bank' is not snake_case (allowed: a-z and 0-9 in words joined by "
	  "single '_', at most 48 bytes)" },
	{ DUP_DOC, "steps[2]: duplicate id 'a', first at steps[0]" },
	{ HEAD "{\"id\":\"a\",\"prio\":1}" TAIL, "steps[0] 'a': unknown member 'prio' (allowed: "
						 "id, priority, urgent, title, text, when)" },
	{ HEAD "{\"id\":\"a\"}" TAIL, "steps[0] 'a': missing priority" },
	{ HEAD "{\"id\":\"a\",\"priority\":-1}" TAIL,
	  "steps[0] 'a': priority must be a whole number from 0 to 9999 (lower comes first)" },
	{ HEAD "{\"id\":\"a\",\"priority\":1.5}" TAIL,
	  "steps[0] 'a': priority must be a whole number from 0 to 9999 (lower comes first)" },
	{ HEAD "{\"id\":\"a\",\"priority\":1}" TAIL, "steps[0] 'a': missing urgent" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":1}" TAIL,
	  "steps[0] 'a': urgent must be true or false" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true}" TAIL,
	  "steps[0] 'a': missing title" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":\"T\"}" TAIL,
	  "steps[0] 'a': title must be an object of texts by language, like {\"nl\": ..., "
	  "\"en\": ...}" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"nl\":\"T\"}}" TAIL,
	  "steps[0] 'a': title has no 'en' text" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"en\":\"T\"}}" TAIL,
	  "steps[0] 'a': title has no 'nl' text" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"nl\":\"T\",\"en\":\"T\","
	       "\"de\":\"T\"}}" TAIL,
	  "steps[0] 'a': title language 'de' is not served (allowed: nl, en)" },
	{ HEAD
	  "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"nl\":\"\",\"en\":\"T\"}}" TAIL,
	  "steps[0] 'a': title.nl must be a non-empty string" },
	{ HEAD
	  "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"nl\":\"T\",\"en\":1}}" TAIL,
	  "steps[0] 'a': title.en must be a non-empty string" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"nl\":\"a\\nb\","
	       "\"en\":\"T\"}}" TAIL,
	  "steps[0] 'a': title.nl contains a control character such as a newline or tab" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true," TITLE "}" TAIL,
	  "steps[0] 'a': missing text" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true," TITLE
	       ",\"text\":{\"nl\":\"X\",\"en\":\"X\"}}" TAIL,
	  "steps[0] 'a': missing when" },
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true," TITLE "," TEXT ",\"when\":[]}" TAIL,
	  "steps[0] 'a': when must be an object with fraud_types, payment_methods, "
	  "identifier_kinds, always" },
	{ HEAD STEP("a", 1, false, "\"if\":true") TAIL,
	  "steps[0] 'a': when: unknown member 'if' (allowed: fraud_types, payment_methods, "
	  "identifier_kinds, always)" },
	{ HEAD STEP("a", 1, false, "\"always\":\"yes\"") TAIL,
	  "steps[0] 'a': when.always must be true or false" },
	{ HEAD STEP("a", 1, false, "\"fraud_types\":\"phishing\"") TAIL,
	  "steps[0] 'a': when.fraud_types must be an array of codes" },
	{ HEAD STEP("a", 1, false, "\"fraud_types\":[\"phishing\",3]") TAIL,
	  "steps[0] 'a': when.fraud_types[1] must be a string" },
	{ HEAD STEP("a", 1, false, "\"fraud_types\":[\"fishing\"]") TAIL,
	  "steps[0] 'a': when.fraud_types: unknown fraud type 'fishing' (allowed: the codes of "
	  "the taxonomy's fraud_types)" },
	{ HEAD STEP("a", 1, false, "\"fraud_types\":[\"card\"]") TAIL,
	  "steps[0] 'a': when.fraud_types: unknown fraud type 'card' (allowed: the codes of "
	  "the taxonomy's fraud_types)" },
	{ HEAD STEP("a", 1, false, "\"fraud_types\":[\"phishing\",\"other\",\"phishing\"]") TAIL,
	  "steps[0] 'a': when.fraud_types lists 'phishing' twice" },
	{ HEAD STEP("a", 1, false, "\"payment_methods\":[\"paypal\"]") TAIL,
	  "steps[0] 'a': when.payment_methods: unknown payment method 'paypal' (allowed: the "
	  "codes of the taxonomy's payment_methods)" },
	{ HEAD STEP("a", 1, false, "\"payment_methods\":{}") TAIL,
	  "steps[0] 'a': when.payment_methods must be an array of codes" },
	{ HEAD STEP("a", 1, false, "\"identifier_kinds\":[\"ip\"]") TAIL,
	  "steps[0] 'a': when.identifier_kinds: unknown identifier kind 'ip' (allowed: iban, "
	  "phone, url, domain, email, crypto, handle)" },
	{ HEAD STEP("a", 1, false, "\"identifier_kinds\":[\"url\",\"url\"]") TAIL,
	  "steps[0] 'a': when.identifier_kinds lists 'url' twice" },
	{ HEAD STEP("a", 1, false, "\"identifier_kinds\":[null]") TAIL,
	  "steps[0] 'a': when.identifier_kinds[0] must be a string" },
	{ HEAD STEP("a", 1, false, "\"identifier_kinds\":\"url\"") TAIL,
	  "steps[0] 'a': when.identifier_kinds must be an array of kinds" },
	{ HEAD STEP("a", 1, false, ALWAYS ",\"identifier_kinds\":[\"url\"]") TAIL,
	  "steps[0] 'a': when: a step that applies always must not list conditions" },
	{ HEAD STEP("a", 1, false, "") TAIL,
	  "steps[0] 'a': when: the step never applies; set always to true or list a fraud type, "
	  "payment method or identifier kind" },
	{ HEAD STEP("a", 1, false, "\"always\":false,\"fraud_types\":[]") TAIL,
	  "steps[0] 'a': when: the step never applies; set always to true or list a fraud type, "
	  "payment method or identifier kind" },
	/* Quoted input stays one printable line. */
	{ HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,\"title\":{\"nl\":\"T\",\"en\":\"T\","
	       "\"\\t\":\"T\"}}" TAIL,
	  "steps[0] 'a': title language '?' is not served (allowed: nl, en)" },
};

static void test_broken(void **state)
{
	char err[ADVICE_ERR_MAX];
	struct advice *a;
	size_t n = 0;
	int rc;

	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		a = (struct advice *)1;
		rc = advice_load_buffer(broken[i].doc, strlen(broken[i].doc), tx, &a, err,
					sizeof(err));
		if (rc != ADVICE_EINVAL || strcmp(err, broken[i].err))
			print_error("case %zu: %s\n", i, err);
		assert_int_equal(rc, ADVICE_EINVAL);
		assert_null(a);
		assert_string_equal(err, broken[i].err);
		n++;
	}
	assert_int_equal(n, 50);
}

static void test_limits(void **state)
{
	char err[ADVICE_ERR_MAX], want[ADVICE_ERR_MAX];
	size_t cap = 2 * 1024 * 1024, used;
	char *doc = malloc(cap);
	struct advice *a;

	(void)state;
	assert_non_null(doc);
	/* 200 steps load; 201 do not. */
	used = (size_t)snprintf(doc, cap, "%s", HEAD);
	for (int i = 0; i < 201; i++)
		used += (size_t)snprintf(doc + used, cap - used,
					 "%s{\"id\":\"s%d\",\"priority\":%d,\"urgent\":false," TITLE
					 "," TEXT ",\"when\":{" ALWAYS "}}",
					 i ? "," : "", i, i);
	used += (size_t)snprintf(doc + used, cap - used, "%s", TAIL);
	assert_int_equal(advice_load_buffer(doc, used, tx, &a, err, sizeof(err)), ADVICE_EINVAL);
	assert_string_equal(err, "steps has 201 entries, at most 200 allowed");
	{
		/* Cut the last step off: "},{...}]}" becomes "}]}". */
		char *last = strstr(doc, ",{\"id\":\"s200\"");

		assert_non_null(last);
		memcpy(last, TAIL, 3);
		assert_int_equal(
			advice_load_buffer(doc, (size_t)(last - doc) + 2, tx, &a, err, sizeof(err)),
			ADVICE_OK);
		json_t *s = advice_select(a, NULL, NULL, 0, "nl");

		assert_int_equal(json_array_size(s), 200);
		assert_string_equal(field(s, 199, "id"), "s199");
		json_decref(s);
		advice_free(a);
	}

	/* A 2000-byte text loads, 2001 bytes do not; a 200-byte title, 201 not. */
	for (size_t len = 2000; len <= 2001; len++) {
		used = (size_t)snprintf(doc, cap,
					HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true," TITLE
					     ",\"text\":{\"nl\":\"");
		memset(doc + used, 'x', len);
		used += len;
		used += (size_t)snprintf(doc + used, cap - used,
					 "\",\"en\":\"X\"},\"when\":{" ALWAYS "}}" TAIL);
		int rc = advice_load_buffer(doc, used, tx, &a, err, sizeof(err));

		if (len == 2000) {
			assert_int_equal(rc, ADVICE_OK);
			advice_free(a);
		} else {
			assert_int_equal(rc, ADVICE_EINVAL);
			snprintf(want, sizeof(want),
				 "steps[0] 'a': text.nl is 2001 bytes, at most 2000 allowed");
			assert_string_equal(err, want);
		}
	}
	for (size_t len = 200; len <= 201; len++) {
		used = (size_t)snprintf(doc, cap,
					HEAD "{\"id\":\"a\",\"priority\":1,\"urgent\":true,"
					     "\"title\":{\"en\":\"T\",\"nl\":\"");
		memset(doc + used, 'x', len);
		used += len;
		used += (size_t)snprintf(doc + used, cap - used,
					 "\"}," TEXT ",\"when\":{" ALWAYS "}}" TAIL);
		int rc = advice_load_buffer(doc, used, tx, &a, err, sizeof(err));

		if (len == 200) {
			assert_int_equal(rc, ADVICE_OK);
			advice_free(a);
		} else {
			assert_int_equal(rc, ADVICE_EINVAL);
			assert_string_equal(err, "steps[0] 'a': title.nl is 201 bytes, at most 200 "
						 "allowed");
		}
	}
	free(doc);
}

/*
 * Every failed allocation, in jansson too, is reported, never a crash or a
 * leak; jansson's parser may report one of its own as a syntax error.  A
 * selection that runs out of memory returns NULL.
 */
static void test_out_of_memory(void **state)
{
	const char *prefix = "invalid json at line ";
	char err[ADVICE_ERR_MAX];
	long n, nomem = 0, nulls = 0;
	struct advice *a;
	size_t len;
	char *buf = read_all(ADVICE_PATH, &len);
	json_t *s;
	int rc;

	(void)state;
	for (n = 0; n < 100000; n++) {
		mem_fail_after(n);
		rc = advice_load_buffer(buf, len, tx, &a, err, sizeof(err));
		mem_fail_after(-1);
		if (rc == ADVICE_OK)
			break;
		assert_null(a);
		if (rc == ADVICE_EINVAL) {
			assert_memory_equal(err, prefix, strlen(prefix));
			continue;
		}
		assert_int_equal(rc, ADVICE_ENOMEM);
		assert_string_equal(err, "out of memory");
		nomem++;
	}
	assert_int_equal(rc, ADVICE_OK);
	assert_true(n > 100);
	assert_true(nomem > 2);
	free(buf);

	for (n = 0; n < 100000; n++) {
		mem_fail_after(n);
		s = advice_select(a, "bank_helpdesk", "card", 1u << IDENT_IBAN, "en");
		mem_fail_after(-1);
		if (s)
			break;
		nulls++;
	}
	assert_non_null(s);
	assert_true(nulls > 10);
	assert_string_equal(field(s, 0, "id"), "call_bank_now");
	json_decref(s);
	advice_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_loads),
		cmocka_unit_test(test_bank_helpdesk),
		cmocka_unit_test(test_phishing),
		cmocka_unit_test(test_recovery_fraud),
		cmocka_unit_test(test_payment_and_kinds),
		cmocka_unit_test(test_language_fallback),
		cmocka_unit_test(test_every_fraud_type),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_out_of_memory),
	};

	json_set_alloc_funcs(mem_alloc, mem_free);
	return cmocka_run_group_tests(tests, setup, teardown);
}
