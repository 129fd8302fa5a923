/*
 * Black-box tests of the requests of data subjects, through the real server
 * and the real CLI: an IBAN reported three times reaches a bank's webhook;
 * its holder asks who received it and reads the answer with the request
 * code; objects, and the public check hides it and the bank is told; the
 * operator upholds the objection (cleared, retraction) or rejects another
 * with a reason (status back, the person reads why).  Every step is in the
 * audit log; nothing of the contact address is, nor in the server's log.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define SECRET	  "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define IBAN	  "NL91ABNA0417164300"
#define IBAN2	  "NL02ABNA0123456789"
#define IBAN3	  "NL75ABNA0555555555"
#define IBAN_NONE "NL20INGB0001234567"
#define CONTACT	  "holder@example.org"

static struct server srv;
static struct receiver bank;
static char data[128];

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The bodies of the deliveries a receiver logged, once it has n (or after ms). */
static json_t *bodies(const struct receiver *r, size_t n, int ms)
{
	json_t *all = NULL;
	char line[65536];

	for (int waited = 0;; waited += 50) {
		FILE *f = fopen(r->log, "r");

		json_decref(all);
		all = json_array();
		while (f && fgets(line, sizeof(line), f)) {
			json_t *d = json_loads(line, 0, NULL);

			assert_true(json_is_true(json_object_get(d, "valid")));
			json_array_append(all, json_object_get(d, "body"));
			json_decref(d);
		}
		if (f)
			fclose(f);
		if (json_array_size(all) >= n || waited >= ms)
			return all;
		sleep_ms(50);
	}
}

/* The last delivery's body is of `type` with `reason` (NULL: none) about `kind`. */
static void last_is(json_t *b, const char *type, const char *reason)
{
	json_t *last = json_array_get(b, json_array_size(b) - 1);

	assert_non_null(last);
	assert_string_equal(json_string_value(json_object_get(last, "type")), type);
	if (reason)
		assert_string_equal(json_string_value(json_object_get(last, "reason")), reason);
	assert_string_equal(json_string_value(json_object_get(last, "kind")), "iban");
}

static int cli(const char *const *argv, char **out)
{
	char *o, *e;
	int rc = run_cli(argv, NULL, &o, &e);

	if (out)
		*out = o;
	else
		free(o);
	if (rc != 0 && rc != 1 && rc != 2)
		fail_msg("signaal %s %s: exit %d: %s", argv[0], argv[1], rc, e);
	if (rc == 1 || rc == 2)
		assert_non_null(strstr(e, "signaal: "));
	free(e);
	return rc;
}

static void cli_ok(const char *const *argv, char **out)
{
	int rc = cli(argv, out);

	if (rc != 0)
		fail_msg("signaal %s %s: exit %d", argv[0], argv[1], rc);
}

static int start(void **state)
{
	char dir[64], url[96];
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				"true", NULL };

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	receiver_start(&bank, dir, "bank", SECRET, NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", bank.port);
	const char *add[] = { "partner",
			      "add",
			      "--data-dir",
			      data,
			      "--name",
			      "ABN AMRO",
			      "--sector",
			      "bank",
			      "--bank-code",
			      "ABNA",
			      "--webhook",
			      url,
			      "--webhook-secret",
			      SECRET,
			      "--webhook-allow-loopback",
			      "true",
			      NULL };
	cli_ok(add, NULL);
	server_start_in(&srv, dir, extra);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	receiver_stop(&bank);
	server_cleanup(&srv);
	return 0;
}

static void report_from(const char *addr, const char *iban)
{
	char xff[64], body[512];
	const char *h[] = { "Content-Type: application/json", xff, NULL };
	struct response r;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", addr);
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"bank_helpdesk\", \"identifiers\": [{\"kind\": \"iban\", "
		 "\"value\": \"%s\", \"role\": \"beneficiary\"}]}",
		 iban);
	http_do(&srv, "POST", "/v1/reports", h, body, strlen(body), &r);
	if (r.status != 201)
		fail_msg("report: %ld %s", r.status, r.body);
	response_free(&r);
}

/* Whether the public check lists the IBAN, once it says `want` (or after 3 s). */
static int listed(const char *iban, int want)
{
	char path[128];
	struct response r;
	json_t *doc;
	int got = -1;

	snprintf(path, sizeof(path), "/v1/check?kind=iban&value=%s", iban);
	for (int waited = 0; waited <= 3000; waited += 50) {
		http_do(&srv, "GET", path, NULL, NULL, 0, &r);
		assert_int_equal(r.status, 200);
		doc = json_loadb(r.body, r.len, 0, NULL);
		got = json_is_true(json_object_get(doc, "listed"));
		json_decref(doc);
		response_free(&r);
		if (got == want)
			break;
		sleep_ms(50);
	}
	return got;
}

/* POSTs a request; returns the parsed reply (status in *status). */
static json_t *request(const char *body, long *status, const char *xff)
{
	char h2[64];
	const char *h[] = { "Content-Type: application/json", xff ? h2 : NULL, NULL };
	struct response r;
	json_t *doc;

	if (xff)
		snprintf(h2, sizeof(h2), "X-Forwarded-For: %s", xff);
	http_do(&srv, "POST", "/v1/subject-requests", h, body, strlen(body), &r);
	*status = r.status;
	doc = json_loadb(r.body, r.len, 0, NULL);
	if (!doc)
		fail_msg("not JSON: %s", r.body);
	response_free(&r);
	return doc;
}

/* A request that must be accepted: its code into code. */
static void request_ok(const char *type, const char *iban, const char *extra, char *code,
		       size_t codesz)
{
	char body[512];
	long status;
	json_t *doc;

	snprintf(body, sizeof(body),
		 "{\"type\": \"%s\", \"kind\": \"iban\", \"value\": \"%s\", \"contact\": \"%s\"%s}",
		 type, iban, CONTACT, extra ? extra : "");
	doc = request(body, &status, NULL);
	if (status != 202)
		fail_msg("subject request: %ld %s", status, json_dumps(doc, 0));
	snprintf(code, codesz, "%s", json_string_value(json_object_get(doc, "request_code")));
	assert_int_equal(strlen(code), 33);
	json_decref(doc);
}

static json_t *by_code(const char *code, long want)
{
	char path[96];
	struct response r;
	json_t *doc;

	snprintf(path, sizeof(path), "/v1/subject-requests/%s", code);
	http_do(&srv, "GET", path, NULL, NULL, 0, &r);
	assert_int_equal(r.status, want);
	doc = json_loadb(r.body, r.len, 0, NULL);
	response_free(&r);
	return doc;
}

static long audit_count(const char *act)
{
	char sql[160];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_entries WHERE entry LIKE '%%\"%s\"%%'", act);
	return db_count(&srv, sql);
}

/* db_count(sql) once it is `want`, or what it is after 5 s. */
static long count_becomes(const char *sql, long want)
{
	long got = -1;

	for (int waited = 0; waited <= 5000; waited += 50) {
		got = db_count(&srv, sql);
		if (got == want)
			break;
		sleep_ms(50);
	}
	return got;
}

static void test_access_objection_uphold_reject(void **state)
{
	char code_a[48], code_o[48], code_r[48], *out;
	json_t *b, *doc, *answer, *rcpt;
	const char *list[] = { "subject", "list", "--data-dir", data, NULL };
	const char *answer1[] = { "subject", "answer", "--data-dir", data, "1", NULL };
	const char *show2[] = { "subject", "show", "--data-dir", data, "2", NULL };
	const char *uphold2[] = { "subject", "uphold", "--data-dir", data, "2", NULL };
	const char *reject3_no_reason[] = { "subject", "reject", "--data-dir", data, "3", NULL };
	const char *reject3[] = { "subject",	"reject",
				  "--data-dir", data,
				  "--reason",	"Three independent victims reported this account.",
				  "3",		NULL };
	int found = 0;
	size_t i;

	(void)state;
	/* Three victims: the bank gets an alert and the check lists the IBAN. */
	report_from("198.51.100.1", IBAN);
	report_from("198.51.100.2", IBAN);
	report_from("198.51.100.3", IBAN);
	b = bodies(&bank, 1, 5000);
	assert_int_equal(json_array_size(b), 1);
	last_is(b, "alert", NULL);
	json_decref(b);
	assert_int_equal(listed(IBAN, 1), 1);

	/* Access: received, then answered by the operator from the audit log. */
	request_ok("access", "nl91 abna 0417 1643 00", ", \"language\": \"en\"", code_a,
		   sizeof(code_a));
	doc = by_code(code_a, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "received");
	assert_true(json_is_null(json_object_get(doc, "answer")));
	json_decref(doc);
	cli_ok(list, &out);
	assert_non_null(strstr(out, "access"));
	assert_non_null(strstr(out, "received"));
	assert_null(strstr(out, CONTACT));
	free(out);
	cli_ok(answer1, &out);
	assert_non_null(strstr(out, "ABN AMRO"));
	free(out);
	doc = by_code(code_a, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "answered");
	answer = json_object_get(doc, "answer");
	assert_true(json_is_true(json_object_get(answer, "registered")));
	assert_int_equal(json_integer_value(json_object_get(answer, "reports")), 3);
	assert_int_equal(json_integer_value(json_object_get(answer, "signals")), 0);
	assert_string_equal(json_string_value(json_object_get(answer, "status")), "reported");
	assert_non_null(json_string_value(json_object_get(answer, "first_seen")));
	json_array_foreach(json_object_get(answer, "recipients"), i, rcpt)
	{
		if (strcmp(json_string_value(json_object_get(rcpt, "organisation")), "ABN AMRO") ==
			    0 &&
		    strcmp(json_string_value(json_object_get(rcpt, "what")), "alert") == 0) {
			assert_string_equal(json_string_value(json_object_get(rcpt, "sector")),
					    "bank");
			assert_int_equal(strlen(json_string_value(json_object_get(rcpt, "at"))),
					 20);
			found = 1;
		}
	}
	assert_true(found);
	assert_non_null(strstr(json_string_value(json_object_get(answer, "text")),
			       "Yes: the account number you asked about is registered"));
	assert_non_null(strstr(json_string_value(json_object_get(answer, "text")), "ABN AMRO"));
	json_decref(doc);

	/* Objection: hidden from the check at once, the bank told it is disputed. */
	request_ok("objection", IBAN, ", \"reason\": \"This is my salary account.\"", code_o,
		   sizeof(code_o));
	assert_int_equal(listed(IBAN, 0), 0);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers WHERE status = "
					"'disputed'"),
			 1);
	b = bodies(&bank, 2, 5000);
	assert_int_equal(json_array_size(b), 2);
	last_is(b, "retraction", "disputed");
	assert_null(json_object_get(json_array_get(b, 1), "value"));
	json_decref(b);
	cli_ok(show2, &out);
	assert_non_null(strstr(out, IBAN));
	assert_non_null(strstr(out, CONTACT));
	assert_non_null(strstr(out, "This is my salary account."));
	free(out);

	/* Upheld: cleared, a retraction for good, and the person sees the decision. */
	cli_ok(uphold2, &out);
	assert_non_null(strstr(out, "1 recipient "));
	free(out);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers WHERE status = "
					"'cleared'"),
			 1);
	b = bodies(&bank, 3, 5000);
	assert_int_equal(json_array_size(b), 3);
	last_is(b, "retraction", "cleared");
	json_decref(b);
	assert_int_equal(listed(IBAN, 0), 0);
	doc = by_code(code_o, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "upheld");
	assert_string_equal(json_string_value(json_object_get(doc, "type")), "objection");
	json_decref(doc);
	/* Decided once. */
	assert_int_equal(cli(uphold2, NULL), 1);

	/* Another IBAN, another objection, rejected: reported again, the reason shown. */
	report_from("198.51.100.11", IBAN2);
	report_from("198.51.100.12", IBAN2);
	report_from("198.51.100.13", IBAN2);
	b = bodies(&bank, 4, 5000);
	last_is(b, "alert", NULL);
	json_decref(b);
	assert_int_equal(listed(IBAN2, 1), 1);
	request_ok("objection", IBAN2, ", \"reason\": \"Not mine.\"", code_r, sizeof(code_r));
	assert_int_equal(listed(IBAN2, 0), 0);
	b = bodies(&bank, 5, 5000);
	last_is(b, "retraction", "disputed");
	json_decref(b);
	assert_int_equal(cli(reject3_no_reason, NULL), 2);
	cli_ok(reject3, NULL);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers WHERE status = "
					"'reported'"),
			 1);
	assert_int_equal(listed(IBAN2, 1), 1);
	b = bodies(&bank, 6, 5000);
	assert_int_equal(json_array_size(b), 6);
	last_is(b, "alert", "dispute_rejected");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 5), "status")),
			    "reported");
	json_decref(b);
	doc = by_code(code_r, 200);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "rejected");
	assert_string_equal(json_string_value(json_object_get(doc, "decision_reason")),
			    "Three independent victims reported this account.");
	json_decref(doc);

	/* Every step is in the audit log; the contact and the values nowhere in it. */
	assert_int_equal(audit_count("subject.received"), 3);
	assert_int_equal(audit_count("subject.answered"), 1);
	assert_int_equal(audit_count("subject.read"), 1);
	assert_int_equal(audit_count("subject.upheld"), 1);
	assert_int_equal(audit_count("subject.rejected"), 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%example.org%' OR entry LIKE '%ABNA%' OR entry LIKE "
					"'%salary%'"),
			 0);
	/*
	 * The subject entries name the identifier: the same commitment as its
	 * alert.  Their subjects wait beside them and reach the index within
	 * seconds, all of them.
	 */
	assert_int_equal(count_becomes("SELECT count(*) FROM audit_subjects_pending", 0), 0);
	assert_int_equal(db_count(&srv, "SELECT count(DISTINCT s.commitment) FROM audit_subjects "
					"s JOIN audit_entries e ON e.idx = s.idx WHERE e.entry "
					"LIKE '%\"subject.%'"),
			 2);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM subject_requests WHERE sealed LIKE "
					"'%example.org%'"),
			 0);
}

/* Whether an answered access request names ABN AMRO as a recipient of an alert. */
static int alert_recipient(const char *code)
{
	json_t *doc = by_code(code, 200), *rcpt;
	int found = 0;
	size_t i;

	assert_string_equal(json_string_value(json_object_get(doc, "status")), "answered");
	json_array_foreach(json_object_get(json_object_get(doc, "answer"), "recipients"), i, rcpt)
		found |=
		strcmp(json_string_value(json_object_get(rcpt, "organisation")), "ABN AMRO") == 0 &&
		strcmp(json_string_value(json_object_get(rcpt, "what")), "alert") == 0;
	json_decref(doc);
	return found;
}

/*
 * A disclosure is found by its subject while its subjects wait beside the
 * audit entry (the server restarted to move them only once an hour), after
 * a crash (kill -9) and a restart, which moves what was left, and from the
 * index.  Runs second: the requests before it are numbers 1 to 3.
 */
static void test_disclosures_found_before_and_after_indexing(void **state)
{
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				"true", NULL };
	const char *hourly[] = { "--trusted-proxies",
				 "127.0.0.1",
				 "--webhook-allow-loopback",
				 "true",
				 "--audit-index-interval",
				 "3600",
				 NULL };
	const char *answer4[] = { "subject", "answer", "--data-dir", data, "4", NULL };
	const char *answer5[] = { "subject", "answer", "--data-dir", data, "5", NULL };
	char code4[48], code5[48], dir[64], *out;
	json_t *b = bodies(&bank, 0, 0);
	size_t before = json_array_size(b);

	(void)state;
	json_decref(b);
	snprintf(dir, sizeof(dir), "%s", srv.dir);
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	server_start_in(&srv, dir, hourly);
	report_from("198.51.100.21", IBAN3);
	report_from("198.51.100.22", IBAN3);
	report_from("198.51.100.23", IBAN3);
	b = bodies(&bank, before + 1, 5000);
	assert_int_equal(json_array_size(b), before + 1);
	last_is(b, "alert", NULL);
	json_decref(b);

	/* Found while waiting: the alert's subjects are not in the index yet. */
	request_ok("access", IBAN3, NULL, code4, sizeof(code4));
	assert_true(db_count(&srv, "SELECT count(*) FROM audit_subjects_pending") >= 2);
	cli_ok(answer4, &out);
	assert_non_null(strstr(out, "ABN AMRO"));
	free(out);
	assert_true(alert_recipient(code4));

	/* The entries and their subjects were committed together: a crash keeps both. */
	assert_int_equal(server_stop(&srv, SIGKILL), 128 + SIGKILL);
	server_start_in(&srv, dir, extra);

	/* The restart moves what waited; the same answer then comes from the index. */
	assert_int_equal(count_becomes("SELECT count(*) FROM audit_subjects_pending", 0), 0);
	request_ok("access", IBAN3, NULL, code5, sizeof(code5));
	assert_int_equal(count_becomes("SELECT count(*) FROM audit_subjects_pending", 0), 0);
	cli_ok(answer5, &out);
	assert_non_null(strstr(out, "ABN AMRO"));
	free(out);
	assert_true(alert_recipient(code5));
}

/* Field errors together, as 422 problem+json; nothing stored. */
static void test_validation(void **state)
{
	long status;
	json_t *doc, *errors;
	char *all;
	long before = db_count(&srv, "SELECT count(*) FROM subject_requests");

	(void)state;
	doc = request(
		"{\"type\": \"erase\", \"kind\": \"iban\", \"value\": \"NL91ABNA0417164301\", "
		"\"contact\": \"not a contact\", \"colour\": 1, \"language\": \"de\"}",
		&status, "192.0.2.50");
	assert_int_equal(status, 422);
	errors = json_object_get(doc, "errors");
	all = json_dumps(errors, JSON_COMPACT);
	assert_non_null(strstr(all, "\"field\":\"type\""));
	assert_non_null(strstr(all, "\"field\":\"value\""));
	assert_non_null(strstr(all, "\"field\":\"contact\""));
	assert_non_null(strstr(all, "\"field\":\"colour\""));
	assert_non_null(strstr(all, "\"field\":\"language\""));
	free(all);
	json_decref(doc);

	/* An objection needs a reason; the reason no HTML. */
	doc = request("{\"type\": \"objection\", \"kind\": \"phone\", \"value\": \"0612345678\", "
		      "\"contact\": \"+31612345678\"}",
		      &status, "192.0.2.50");
	assert_int_equal(status, 422);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(doc, "errors"), 0), "field")),
			    "reason");
	json_decref(doc);
	doc = request("{\"type\": \"objection\", \"kind\": \"phone\", \"value\": \"0612345678\", "
		      "\"contact\": \"+31612345678\", \"reason\": \"<script>x</script>\"}",
		      &status, "192.0.2.50");
	assert_int_equal(status, 422);
	json_decref(doc);
	doc = request("[1, 2]", &status, "192.0.2.50");
	assert_int_equal(status, 422);
	json_decref(doc);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM subject_requests"), before);

	/* Unknown and malformed codes. */
	doc = by_code("7K3M-Q9TZ-2HXN-W4RA-CVEJ-8BPD-F6G", 404);
	assert_string_equal(json_string_value(json_object_get(doc, "type")),
			    "urn:signaal:problem:request-not-found");
	json_decref(doc);
	json_decref(by_code("nonsense", 404));
}

/* The reply is the same for a registered identifier and one nobody reported. */
static void test_no_oracle(void **state)
{
	char body[512];
	long s1, s2, known = db_count(&srv, "SELECT count(*) FROM identifiers");
	json_t *a, *b;

	(void)state;
	snprintf(body, sizeof(body),
		 "{\"type\": \"access\", \"kind\": \"iban\", \"value\": \"%s\", \"contact\": "
		 "\"0612345678\"}",
		 IBAN2);
	a = request(body, &s1, "192.0.2.60");
	snprintf(body, sizeof(body),
		 "{\"type\": \"access\", \"kind\": \"iban\", \"value\": \"%s\", \"contact\": "
		 "\"0612345678\"}",
		 IBAN_NONE);
	b = request(body, &s2, "192.0.2.60");
	assert_int_equal(s1, 202);
	assert_int_equal(s2, 202);
	assert_string_not_equal(json_string_value(json_object_get(a, "request_code")),
				json_string_value(json_object_get(b, "request_code")));
	json_object_del(a, "request_code");
	json_object_del(b, "request_code");
	json_object_del(a, "status_url");
	json_object_del(b, "status_url");
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);

	/* Neither request, nor an objection to what nobody reported, adds an identifier. */
	snprintf(body, sizeof(body),
		 "{\"type\": \"objection\", \"kind\": \"iban\", \"value\": \"%s\", \"contact\": "
		 "\"0612345678\", \"reason\": \"mine\"}",
		 IBAN_NONE);
	a = request(body, &s1, "192.0.2.60");
	assert_int_equal(s1, 202);
	json_decref(a);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers"), known);
}

/* The operator's mistakes: wrong type, unknown ID, bad arguments; --help. */
static void test_cli_errors(void **state)
{
	const char *answer_objection[] = { "subject", "answer", "--data-dir", data, "2", NULL };
	const char *uphold_access[] = { "subject", "uphold", "--data-dir", data, "1", NULL };
	const char *show_none[] = { "subject", "show", "--data-dir", data, "999", NULL };
	const char *bad_id[] = { "subject", "answer", "--data-dir", data, "abc", NULL };
	const char *bad_status[] = { "subject", "list", "--data-dir", data, "--status", "x", NULL };
	const char *open[] = { "subject", "list", "--data-dir", data, "--status", "received", NULL };
	const char *help[] = { "subject", "reject", "--help", NULL };
	char *out;

	(void)state;
	assert_int_equal(cli(answer_objection, NULL), 1);
	assert_int_equal(cli(uphold_access, NULL), 1);
	assert_int_equal(cli(show_none, NULL), 1);
	assert_int_equal(cli(bad_id, NULL), 2);
	assert_int_equal(cli(bad_status, NULL), 2);
	cli_ok(open, &out);
	assert_null(strstr(out, "upheld"));
	assert_non_null(strstr(out, "received"));
	free(out);
	cli_ok(help, &out);
	assert_non_null(strstr(out, "usage: signaal subject reject --reason TEXT"));
	free(out);
}

/* Neither the contact address nor the values reach the server's log. */
static void test_nothing_personal_in_the_log(void **state)
{
	char path[128], line[4096];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/server.log", srv.dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		assert_null(strstr(line, "example.org"));
		assert_null(strstr(line, "612345678"));
		assert_null(strstr(line, "ABNA04"));
	}
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_access_objection_uphold_reject),
		cmocka_unit_test(test_disclosures_found_before_and_after_indexing),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_no_oracle),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_nothing_personal_in_the_log),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
	failed = cmocka_run_group_tests_name("subjects", tests, start, stop);
	http_thread_done();
	curl_global_cleanup();
	return failed;
}
