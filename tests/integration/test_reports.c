/*
 * Black-box tests of the victim's front door: reports, advice, the case
 * the victim controls, the web pages, and durability across SIGKILL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;
static const char *const json_ct[] = { "Content-Type: application/json", NULL };

static const char full_report[] =
	"{\"fraud_type\": \"bank_helpdesk\", \"channels\": [\"phone_call\"],"
	" \"description\": \"Iemand belde namens de bank & vroeg om \\\"veilig\\\" over te "
	"maken.\","
	" \"occurred_at\": \"2026-11-20T14:00:00Z\","
	" \"loss\": {\"amount_cents\": 125000, \"currency\": \"EUR\","
	"          \"payment_method\": \"bank_transfer\"},"
	" \"identifiers\": [{\"kind\": \"iban\", \"value\": \"NL91 ABNA 0417 1643 00\","
	"                   \"role\": \"beneficiary\"},"
	"                  {\"kind\": \"phone\", \"value\": \"020-1234567\", \"role\": "
	"\"caller\"}],"
	" \"victim\": {\"type\": \"citizen\", \"age_band\": \"65_74\", \"municipality\": "
	"\"GM0363\","
	"             \"contact\": {\"email\": \"jan@example.nl\", \"phone\": \"06-12345678\"}},"
	" \"consent\": {\"bank\": true, \"police\": true, \"helpdesk\": false,"
	"              \"victim_support\": true, \"platform\": false},"
	" \"language\": \"nl\"}";

static int start(void **state)
{
	(void)state;
	server_start(&srv, NULL);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	server_cleanup(&srv);
	return 0;
}

static json_t *call(const char *method, const char *path, const char *body, long want)
{
	struct response r;
	json_t *doc = NULL;

	http_do(&srv, method, path, body ? json_ct : NULL, body, body ? strlen(body) : 0, &r);
	if (r.status != want)
		fail_msg("%s %s: status %ld, want %ld: %s", method, path, r.status, want, r.body);
	if (r.len)
		doc = json_loadb(r.body, r.len, 0, NULL);
	response_free(&r);
	return doc;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *referral(json_t *c, const char *recipient)
{
	json_t *refs = json_object_get(c, "referrals");

	for (size_t i = 0; i < json_array_size(refs); i++)
		if (strcmp(str(json_array_get(refs, i), "recipient"), recipient) == 0)
			return json_array_get(refs, i);
	return NULL;
}

/*
 * In each backend's SQL: identifiers with a 64-byte pseudonym and no IBAN in
 * clear in their seal; reports with an e-mail address in clear in theirs.
 */
static const char sqlite_pseudonymised[] =
	"SELECT count(*) FROM report_identifiers WHERE length(pseudonym) = 64 AND "
	"instr(sealed, CAST('NL91ABNA' AS BLOB)) = 0";
static const char pg_pseudonymised[] =
	"SELECT count(*) FROM report_identifiers WHERE octet_length(pseudonym) = 64 AND "
	"position(convert_to('NL91ABNA', 'UTF8') IN sealed) = 0";
static const char sqlite_contact_clear[] =
	"SELECT count(*) FROM reports WHERE instr(contact_sealed, CAST('jan@' AS BLOB)) > 0";
static const char pg_contact_clear[] =
	"SELECT count(*) FROM reports WHERE position(convert_to('jan@', 'UTF8') IN "
	"contact_sealed) > 0";

static void test_report_case_lifecycle(void **state)
{
	json_t *doc, *c, *advice;
	char code[64], path[128];
	long before = db_count(&srv, "SELECT count(*) FROM reports");

	(void)state;
	doc = call("POST", "/v1/reports", full_report, 201);
	snprintf(code, sizeof(code), "%s", str(doc, "case_code"));
	assert_int_equal(strlen(code), 33);
	assert_true(strncmp(str(doc, "case_url"), "/case#", 6) == 0);
	advice = json_object_get(doc, "advice");
	assert_true(json_array_size(advice) >= 3);
	assert_true(json_is_true(json_object_get(json_array_get(advice, 0), "urgent")));
	assert_int_equal(json_array_size(json_object_get(doc, "referrals")), 3);
	json_decref(doc);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports"), before + 1);

	/* Stored by pseudonym; the raw identifiers and contact details are nowhere in clear. */
	assert_int_equal(db_count(&srv, harness_pg() ? pg_pseudonymised : sqlite_pseudonymised),
			 2 * (before + 1));
	assert_int_equal(db_count(&srv, harness_pg() ? pg_contact_clear : sqlite_contact_clear), 0);

	snprintf(path, sizeof(path), "/v1/cases/%s", code);
	c = call("GET", path, NULL, 200);
	assert_string_equal(str(c, "status"), "open");
	assert_string_equal(str(c, "fraud_type"), "bank_helpdesk");
	assert_string_equal(str(json_array_get(json_object_get(c, "identifiers"), 0), "value"),
			    "NL91ABNA0417164300");
	assert_string_equal(str(json_object_get(json_object_get(c, "victim"), "contact"), "phone"),
			    "+31612345678");
	assert_string_equal(str(referral(c, "bank"), "status"), "pending");
	assert_null(referral(c, "helpdesk"));
	json_decref(c);

	/* Add to it later, as the victim remembers more. */
	snprintf(path, sizeof(path), "/v1/cases/%s/additions", code);
	c = call("POST", path,
		 "{\"description\": \"Hij belde later nog eens.\", \"identifiers\": "
		 "[{\"kind\": \"phone\", \"value\": \"+31 6 87654321\", \"role\": \"caller\"}]}",
		 201);
	assert_int_equal(json_array_size(json_object_get(c, "additions")), 1);
	assert_int_equal(json_array_size(json_object_get(c, "identifiers")), 3);
	json_decref(c);

	/* Withdraw one consent, grant another: the others stay as they were. */
	snprintf(path, sizeof(path), "/v1/cases/%s/consent", code);
	c = call("PUT", path, "{\"bank\": false, \"helpdesk\": true}", 200);
	assert_string_equal(str(referral(c, "bank"), "status"), "cancelled");
	assert_int_equal(json_array_size(json_object_get(referral(c, "bank"), "history")), 2);
	assert_string_equal(str(referral(c, "helpdesk"), "status"), "pending");
	assert_string_equal(str(referral(c, "police"), "status"), "pending");
	assert_true(json_is_false(json_object_get(json_object_get(c, "consent"), "bank")));
	json_decref(c);
	json_decref(call("PUT", path, "{\"bank\": \"yes\"}", 422));
	json_decref(call("PUT", path, "{\"tax_office\": true}", 422));

	/* The police package, printable, escaped. */
	snprintf(path, sizeof(path), "/v1/cases/%s/police-report?format=html", code);
	{
		struct response r;

		http_do(&srv, "GET", path, NULL, NULL, 0, &r);
		assert_int_equal(r.status, 200);
		assert_true(strncmp(r.content_type, "text/html", 9) == 0);
		assert_non_null(strstr(r.body, "bank &amp; vroeg om &quot;veilig&quot;"));
		assert_non_null(strstr(r.body, "NL91ABNA0417164300"));
		assert_non_null(strstr(r.csp, "default-src 'none'"));
		response_free(&r);
	}
	snprintf(path, sizeof(path), "/v1/cases/%s/police-report", code);
	c = call("GET", path, NULL, 200);
	assert_string_equal(str(c, "purpose"), "police_report");
	assert_null(json_object_get(c, "consent"));
	json_decref(c);

	/* Withdraw the report: personal data gone, anonymous facts kept. */
	snprintf(path, sizeof(path), "/v1/cases/%s", code);
	assert_null(call("DELETE", path, NULL, 204));
	c = call("GET", path, NULL, 200);
	assert_string_equal(str(c, "status"), "withdrawn");
	assert_true(json_is_null(json_object_get(c, "description")));
	assert_int_equal(json_array_size(json_object_get(c, "identifiers")), 0);
	assert_int_equal(json_array_size(json_object_get(c, "additions")), 0);
	assert_null(json_object_get(json_object_get(c, "victim"), "contact"));
	assert_string_equal(str(referral(c, "police"), "status"), "cancelled");
	assert_string_equal(str(json_object_get(c, "victim"), "municipality"), "GM0363");
	json_decref(c);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports WHERE status = 'withdrawn' "
					"AND description IS NULL AND contact_sealed IS NULL"),
			 1);
	assert_null(call("DELETE", path, NULL, 204)); /* again: nothing left to do */
	snprintf(path, sizeof(path), "/v1/cases/%s/consent", code);
	json_decref(call("PUT", path, "{\"bank\": true}", 409));
	snprintf(path, sizeof(path), "/v1/cases/%s/additions", code);
	json_decref(call("POST", path, "{\"description\": \"x\"}", 409));
}

struct bad_case {
	const char *body, *field, *message;
};

static void test_bad_input_is_a_field_error_and_stores_nothing(void **state)
{
	static const struct bad_case cases[] = {
		{ "{}", "fraud_type", "required" },
		{ "{\"fraud_type\": \"alien_abduction\"}", "fraud_type", "unknown code" },
		{ "{\"fraud_type\": 7}", "fraud_type", "must be a string" },
		{ "{\"fraud_type\": \"phishing\", \"occurred_at\": \"2099-01-01T00:00:00Z\"}",
		  "occurred_at", "must not be in the future" },
		{ "{\"fraud_type\": \"phishing\", \"occurred_at\": \"2026-02-30T00:00:00Z\"}",
		  "occurred_at", "valid RFC 3339" },
		{ "{\"fraud_type\": \"phishing\", \"occurred_at\": \"20-11-2026\"}", "occurred_at",
		  "RFC 3339" },
		{ "{\"fraud_type\": \"phishing\", \"loss\": {\"amount_cents\": -5}}",
		  "loss.amount_cents", "must not be negative" },
		{ "{\"fraud_type\": \"phishing\", \"loss\": {\"amount_cents\": 12.5}}",
		  "loss.amount_cents", "whole number" },
		{ "{\"fraud_type\": \"phishing\", \"loss\": {\"currency\": \"euro\"}}",
		  "loss.currency", "ISO 4217" },
		{ "{\"fraud_type\": \"phishing\", \"identifiers\": [{\"kind\": \"iban\", "
		  "\"value\": \"NL92ABNA0417164300\"}]}",
		  "identifiers[0].value", "invalid iban" },
		{ "{\"fraud_type\": \"phishing\", \"identifiers\": [{\"kind\": \"iban\", "
		  "\"value\": \"NL91ABNA0417164300\", \"role\": \"caller\"}]}",
		  "identifiers[0].role", "does not apply to a iban" },
		{ "{\"fraud_type\": \"phishing\", \"identifiers\": [{\"kind\": \"ssn\", "
		  "\"value\": \"1\"}]}",
		  "identifiers[0].kind", "must be one of" },
		{ "{\"fraud_type\": \"phishing\", \"description\": \"<script>alert(1)</script>\"}",
		  "description", "must not contain HTML" },
		{ "{\"fraud_type\": \"phishing\", \"description\": \"a\\u0007b\"}", "description",
		  "control characters" },
		{ "{\"fraud_type\": \"phishing\", \"victim\": {\"municipality\": \"GM9999\"}}",
		  "victim.municipality", "unknown municipality" },
		{ "{\"fraud_type\": \"phishing\", \"victim\": {\"contact\": {\"email\": "
		  "\"nope\"}}}",
		  "victim.contact.email", "invalid" },
		{ "{\"fraud_type\": \"phishing\", \"consent\": {\"bank\": \"yes\"}}",
		  "consent.bank", "true or false" },
		{ "{\"fraud_type\": \"phishing\", \"consent\": {\"tax\": true}}", "consent.tax",
		  "unknown recipient" },
		{ "{\"fraud_type\": \"phishing\", \"colour\": \"blue\"}", "colour",
		  "unknown field" },
		{ "{\"fraud_type\": \"phishing\", \"language\": \"de\"}", "language", "\"nl\"" },
		{ "{\"fraud_type\": \"phishing\", \"channels\": [\"carrier_pigeon\"]}",
		  "channels[0]", "unknown code" },
	};
	long before = db_count(&srv, "SELECT count(*) FROM reports");

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = call("POST", "/v1/reports", cases[i].body, 422), *e;
		int found = 0;

		assert_string_equal(str(doc, "type"), "urn:signaal:problem:validation");
		e = json_object_get(doc, "errors");
		for (size_t j = 0; j < json_array_size(e); j++) {
			json_t *fe = json_array_get(e, j);

			if (strcmp(str(fe, "field"), cases[i].field) == 0 &&
			    strstr(str(fe, "message"), cases[i].message))
				found = 1;
		}
		if (!found)
			fail_msg("case %zu: no error '%s' on %s in %s", i, cases[i].message,
				 cases[i].field, json_dumps(e, 0));
		json_decref(doc);
	}
	/* Several problems at once are all reported. */
	{
		json_t *doc = call("POST", "/v1/reports",
				   "{\"fraud_type\": \"x\", \"loss\": {\"amount_cents\": -1}, "
				   "\"language\": \"fr\"}",
				   422);

		assert_int_equal(json_array_size(json_object_get(doc, "errors")), 3);
		json_decref(doc);
	}
	json_decref(call("POST", "/v1/reports", "[1, 2]", 422));
	json_decref(call("POST", "/v1/reports", "{\"fraud_type\": \"phishing\"", 400));
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports"), before);
	/* Only the fraud type is required. */
	json_decref(call("POST", "/v1/reports", "{\"fraud_type\": \"phishing\"}", 201));
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports"), before + 1);
}

/* A retry with the same Idempotency-Key gets the first answer, not a second report. */
static void test_idempotent_retry(void **state)
{
	const char *h1[] = { "Content-Type: application/json", "Idempotency-Key: retry-key-1",
			     NULL };
	const char *bad[] = { "Content-Type: application/json", "Idempotency-Key: with space",
			      NULL };
	const char *body = "{\"fraud_type\": \"phishing\", \"description\": \"eerste\"}";
	const char *other = "{\"fraud_type\": \"phishing\", \"description\": \"anders\"}";
	long before = db_count(&srv, "SELECT count(*) FROM reports");
	struct response a, b;
	json_t *da, *db;

	(void)state;
	http_do(&srv, "POST", "/v1/reports", h1, body, strlen(body), &a);
	assert_int_equal(a.status, 201);
	assert_string_equal(a.replayed, "");
	http_do(&srv, "POST", "/v1/reports", h1, body, strlen(body), &b);
	assert_int_equal(b.status, 201);
	assert_string_equal(b.replayed, "true");
	da = json_loadb(a.body, a.len, 0, NULL);
	db = json_loadb(b.body, b.len, 0, NULL);
	assert_string_equal(str(da, "case_code"), str(db, "case_code"));
	json_decref(da);
	json_decref(db);
	response_free(&a);
	response_free(&b);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports"), before + 1);
	/* The same key with another body is a mistake, not a replay. */
	http_do(&srv, "POST", "/v1/reports", h1, other, strlen(other), &a);
	assert_int_equal(a.status, 422);
	assert_non_null(strstr(a.body, "idempotency-key-reused"));
	response_free(&a);
	http_do(&srv, "POST", "/v1/reports", bad, body, strlen(body), &a);
	assert_int_equal(a.status, 400);
	response_free(&a);
	/* A request that failed validation does not hold its key. */
	{
		const char *h2[] = { "Content-Type: application/json", "Idempotency-Key: k2",
				     NULL };

		http_do(&srv, "POST", "/v1/reports", h2, "{}", 2, &a);
		assert_int_equal(a.status, 422);
		response_free(&a);
		http_do(&srv, "POST", "/v1/reports", h2, body, strlen(body), &a);
		assert_int_equal(a.status, 201);
		response_free(&a);
	}
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports"), before + 2);
}

static void test_advice(void **state)
{
	json_t *doc;

	(void)state;
	doc = call("GET",
		   "/v1/advice?fraud_type=bank_helpdesk&payment_method=bank_transfer&"
		   "kinds=iban,phone&lang=en",
		   NULL, 200);
	assert_string_equal(str(doc, "language"), "en");
	assert_true(json_array_size(json_object_get(doc, "advice")) >= 3);
	json_decref(doc);
	doc = call("GET", "/v1/advice?fraud_type=recovery_fraud", NULL, 200);
	assert_string_equal(str(doc, "language"), "nl");
	json_decref(doc);
	json_decref(call("GET", "/v1/advice", NULL, 400));
	json_decref(call("GET", "/v1/advice?fraud_type=nope", NULL, 400));
	json_decref(call("GET", "/v1/advice?fraud_type=phishing&kinds=iban,ssn", NULL, 400));
	json_decref(call("GET", "/v1/advice?fraud_type=phishing&lang=fr", NULL, 400));
}

static void test_pages(void **state)
{
	static const char *const pages[] = { "/", "/report", "/advice", "/case" };
	struct response r;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		http_do(&srv, "GET", pages[i], NULL, NULL, 0, &r);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.content_type, "text/html; charset=utf-8");
		assert_non_null(strstr(r.csp, "script-src 'self'"));
		assert_null(strstr(r.csp, "unsafe-inline"));
		assert_non_null(strstr(r.body, "<html"));
		response_free(&r);
	}
	http_do(&srv, "GET", "/static/signaal.css", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.content_type, "text/css; charset=utf-8");
	assert_string_equal(r.cache_control, "public, max-age=300");
	response_free(&r);
	http_do(&srv, "GET", "/static/..%2f..%2fdata%2ftaxonomy.json", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
	http_do(&srv, "GET", "/static/nope.js", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
}

/* Wrong codes cost guesses; past the limit the address gets 429 with Retry-After. */
static void test_case_code_guessing_limited(void **state)
{
	struct server s;
	struct response r;
	int limited = 0;

	(void)state;
	server_start(&s, NULL);
	for (int i = 0; i < 40 && !limited; i++) {
		http_do(&s, "GET", "/v1/cases/0000-0000-0000-0000-0000-0000-000", NULL, NULL, 0,
			&r);
		if (r.status == 429) {
			limited = i;
			assert_true(strtol(r.retry_after, NULL, 10) >= 1);
			assert_non_null(strstr(r.body, "too-many-attempts"));
		} else {
			assert_int_equal(r.status, 404);
		}
		response_free(&r);
	}
	assert_int_equal(limited, 20);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* Reports from one address are limited; past the limit 429 with Retry-After. */
static void test_report_rate_limit(void **state)
{
	const char *extra[] = { "--report-rate-limit", "12", NULL };
	const char *body = "{\"fraud_type\": \"phishing\"}";
	struct server s;
	struct response r;
	int created = 0;

	(void)state;
	server_start(&s, extra); /* the flag after the harness's own 0 wins */
	for (int i = 0; i < 5; i++) {
		http_do(&s, "POST", "/v1/reports", json_ct, body, strlen(body), &r);
		if (r.status == 201) {
			created++;
		} else {
			assert_int_equal(r.status, 429);
			assert_true(strtol(r.retry_after, NULL, 10) >= 1);
			assert_non_null(strstr(r.body, "too-many-reports"));
		}
		response_free(&r);
	}
	assert_int_equal(created, 2); /* a burst of 12 / 6 */
	assert_int_equal(db_count(&s, "SELECT count(*) FROM reports"), 2);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* ---- durability: every 201 survives SIGKILL ---- */

#define WRITERS	   4
#define PER_WRITER 400

struct writer {
	struct server *s;
	char (*codes)[40];
	int n;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	for (int i = 0; i < PER_WRITER; i++) {
		struct response r;

		http_do(w->s, "POST", "/v1/reports", json_ct, full_report, strlen(full_report), &r);
		if (r.status == 201) {
			json_t *doc = json_loadb(r.body, r.len, 0, NULL);

			snprintf(w->codes[w->n++], 40, "%s", str(doc, "case_code"));
			json_decref(doc);
		}
		response_free(&r);
		if (r.curl_error != CURLE_OK)
			break; /* the server is gone */
	}
	http_thread_done();
	return NULL;
}

/*
 * Reports from several clients at once, then `sig`; after a restart every
 * report that got its 201 is there, and none is half there.
 */
static void reports_survive(int sig)
{
	const char *full[] = { "--sqlite-sync", "full", NULL };
	struct server s;
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	int total = 0, found = 0, status;

	server_start(&s, full);
	for (int i = 0; i < WRITERS; i++) {
		w[i].s = &s;
		w[i].codes = calloc(PER_WRITER, 40);
		w[i].n = 0;
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	usleep(700 * 1000);
	status = server_stop(&s, sig);
	/* SIGTERM: the reports in flight are answered and the server exits 0. */
	assert_int_equal(status, sig == SIGKILL ? 128 + SIGKILL : 0);
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		total += w[i].n;
	}
	assert_true(total > 0);
	server_start_in(&s, s.dir, full);
	for (int i = 0; i < WRITERS; i++) {
		for (int j = 0; j < w[i].n; j++) {
			char path[96];
			struct response r;

			snprintf(path, sizeof(path), "/v1/cases/%s", w[i].codes[j]);
			http_do(&s, "GET", path, NULL, NULL, 0, &r);
			found += r.status == 200;
			response_free(&r);
		}
		free(w[i].codes);
	}
	print_message("signal %d: acknowledged %d, found after restart %d\n", sig, total, found);
	assert_int_equal(found, total);
	/* No report is half there: each has both its identifiers. */
	assert_int_equal(db_count(&s, "SELECT count(*) FROM reports r WHERE (SELECT count(*) FROM "
				      "report_identifiers i WHERE i.report_id = r.id) != 2"),
			 0);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

static void test_acknowledged_reports_survive_sigkill(void **state)
{
	(void)state;
	reports_survive(SIGKILL);
}

static void test_sigterm_answers_reports_in_flight(void **state)
{
	(void)state;
	reports_survive(SIGTERM);
}

int main(void)
{
	const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_report_case_lifecycle),
		cmocka_unit_test(test_bad_input_is_a_field_error_and_stores_nothing),
		cmocka_unit_test(test_idempotent_retry),
		cmocka_unit_test(test_advice),
		cmocka_unit_test(test_pages),
	};
	const struct CMUnitTest own[] = {
		cmocka_unit_test(test_case_code_guessing_limited),
		cmocka_unit_test(test_report_rate_limit),
		cmocka_unit_test(test_acknowledged_reports_survive_sigkill),
		cmocka_unit_test(test_sigterm_answers_reports_in_flight),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
	failed = cmocka_run_group_tests_name("reports", shared, start, stop);
	failed += cmocka_run_group_tests_name("reports-lifecycle", own, NULL, NULL);
	http_thread_done();
	curl_global_cleanup();
	return failed;
}
