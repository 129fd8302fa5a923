/*
 * Black-box tests of retention: reports, an addition, a partner signal with
 * feedback and a delivered alert (to a loopback webhook receiver), made old
 * by editing their timestamps while the server is stopped, then purged by
 * `signaal purge` and by the server's own purge thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define OLD    "2021-01-02T00:00:00Z"

static struct server srv;
static struct receiver receiver;
static char dir[64], data[128], key[64], codes[5][64];
static long aged_alerts;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int cli(const char *const *argv, char **out)
{
	char *o, *e;
	int rc = run_cli(argv, NULL, &o, &e);

	if (out)
		*out = o;
	else
		free(o);
	free(e);
	return rc;
}

/* Runs SQL against the database of the stopped server (fixed times: the same SQL on both). */
static void db_exec(const char *sql)
{
	db_exec_dir(dir, sql);
}

/*
 * The audit entries matching `sqlite_where` (json_extract) on SQLite or
 * `pg_where` (jsonb) on PostgreSQL.
 */
static long audit_count(const char *sqlite_where, const char *pg_where)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_entries WHERE %s",
		 harness_pg() ? pg_where : sqlite_where);
	return db_count(&srv, sql);
}

static void serve(const char *interval)
{
	/* A connection kept alive to the server before is no use to this one. */
	http_thread_done();
	const char *extra[] = { "--trusted-proxies",
				"127.0.0.1",
				"--webhook-allow-loopback",
				"true",
				"--purge-interval",
				interval,
				NULL };

	server_start_in(&srv, dir, extra);
}

static json_t *call(const char *method, const char *path, const char *const *h, const char *body,
		    long want)
{
	struct response r;
	json_t *doc = NULL;

	http_do(&srv, method, path, h, body, body ? strlen(body) : 0, &r);
	if (r.status != want)
		fail_msg("%s %s: status %ld, want %ld: %s", method, path, r.status, want, r.body);
	if (r.len)
		doc = json_loadb(r.body, r.len, 0, NULL);
	response_free(&r);
	return doc;
}

/* A report from `addr` with a description, contact details and one identifier; its code in out. */
static void report(const char *addr, const char *kind, const char *value, char *out)
{
	char xff[64], body[1024];
	const char *h[] = { "Content-Type: application/json", xff, NULL };
	json_t *doc;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", addr);
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"bank_helpdesk\", \"description\": \"Belde namens de bank "
		 "vanaf %s.\", \"loss\": {\"amount_cents\": 50000, \"currency\": \"EUR\"}, "
		 "\"identifiers\": [{\"kind\": \"%s\", \"value\": \"%s\", \"role\": "
		 "\"%s\"}], \"victim\": {\"type\": \"citizen\", \"municipality\": "
		 "\"GM0363\", \"contact\": {\"email\": \"jan@example.nl\"}}}",
		 addr, kind, value, strcmp(kind, "phone") == 0 ? "caller" : "beneficiary");
	doc = call("POST", "/v1/reports", h, body, 201);
	snprintf(out, 64, "%s", json_string_value(json_object_get(doc, "case_code")));
	json_decref(doc);
}

static long field(json_t *counts, const char *k)
{
	json_t *v = json_object_get(counts, k);

	if (!json_is_integer(v))
		fail_msg("count %s missing", k);
	return (long)json_integer_value(v);
}

/* `signaal purge --json [--dry-run]`: its counts. */
static json_t *purge(int dry_run)
{
	const char *a[] = { "purge", "--json", "--data-dir", data, dry_run ? "--dry-run" : NULL,
			    NULL };
	json_t *doc, *counts;
	char *out;

	assert_int_equal(cli(a, &out), 0);
	doc = json_loads(out, 0, NULL);
	if (!doc)
		fail_msg("not JSON: %s", out);
	free(out);
	assert_int_equal(json_is_true(json_object_get(doc, "dry_run")), dry_run);
	counts = json_incref(json_object_get(doc, "counts"));
	json_decref(doc);
	return counts;
}

static int setup(void **state)
{
	char url[96];

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	receiver_start(&receiver, dir, "bank", SECRET, NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", receiver.port);
	const char *add[] = {
		"partner",     "add",	 "--data-dir", data,	   "--webhook-allow-loopback",
		"true",	       "--name", "ABN AMRO",   "--sector", "bank",
		"--bank-code", "ABNA",	 "--webhook",  url,	   "--webhook-secret",
		SECRET,	       NULL
	};
	const char *kc[] = { "partner", "key", "create", "--data-dir", data, "ABN AMRO", NULL };
	char *out;

	assert_int_equal(cli(add, NULL), 0);
	assert_int_equal(cli(kc, &out), 0);
	out[strcspn(out, "\n")] = '\0';
	snprintf(key, sizeof(key), "%s", out);
	free(out);
	serve("0");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (srv.pid > 0)
		server_stop(&srv, SIGTERM);
	receiver_stop(&receiver);
	server_cleanup(&srv);
	return 0;
}

static void test_usage(void **state)
{
	const char *bad[] = { "purge", "--data-dir", data, "--bogus", NULL };
	const char *none[] = { "purge", "--data-dir", "/nonexistent/signaal-data", NULL };
	const char *shortp[] = { "purge", "--data-dir", data, "--retain-alerts", "30", NULL };
	char url[256], missing[320], *out, *err;
	const char *env[] = { harness_pg() ? missing : NULL, NULL };

	(void)state;
	assert_int_equal(cli(bad, NULL), 2);
	/* No database: nothing created.  On PostgreSQL the URL's: one the cluster lacks. */
	snprintf(missing, sizeof(missing), "SIGNAAL_STORE_URL=%s-missing",
		 harness_store_url(dir, url, sizeof(url)));
	assert_int_equal(run_cli(none, env, &out, &err), 1);
	free(out);
	free(err);
	assert_int_equal(cli(shortp, NULL), 2); /* shorter than the rules' window */
}

/* Three old reports tip the IBAN rule (an alert to the bank); one report stays recent. */
static void test_purge_erases_what_is_past_its_period(void **state)
{
	char auth[96], path[160], sql[256], *out;
	const char *ph[] = { "Content-Type: application/json", auth, NULL };
	json_t *doc, *dry, *done, *again;
	long audit_before, firings;

	(void)state;
	report("198.51.100.1", "iban", "NL91 ABNA 0417 1643 00", codes[0]);
	report("198.51.100.2", "iban", "NL91ABNA0417164300", codes[1]);
	report("198.51.100.3", "iban", "NL91ABNA0417164300", codes[2]);
	report("198.51.100.4", "phone", "06-12345678", codes[3]);
	snprintf(path, sizeof(path), "/v1/cases/%s/additions", codes[0]);
	json_decref(call("POST", path,
			 (const char *const[]){ "Content-Type: application/json", NULL },
			 "{\"description\": \"Hij belde later nog eens.\"}", 201));
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	doc = call("POST", "/v1/signals", ph,
		   "{\"signals\": [{\"kind\": \"domain\", \"value\": \"fake-bank-login.nl\", "
		   "\"fraud_type\": \"phishing\", \"confidence\": 95, \"tlp\": \"GREEN\", "
		   "\"modus_operandi\": \"SMS met link\"}]}",
		   201);
	snprintf(path, sizeof(path), "/v1/signals/%lld/feedback",
		 (long long)json_integer_value(json_object_get(
			 json_array_get(json_object_get(doc, "signals"), 0), "id")));
	json_decref(doc);
	json_decref(
		call("POST", path, ph, "{\"outcome\": \"confirmed\", \"note\": \"klopt\"}", 201));
	for (int i = 0; i < 100 && db_count(&srv, "SELECT count(*) FROM outbox WHERE delivered_at "
						  "IS NOT NULL") == 0;
	     i++)
		sleep_ms(50);
	aged_alerts = db_count(&srv, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL");
	assert_true(aged_alerts >= 1);
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	srv.pid = 0;

	/* Make them old: the IBAN reports, the IBAN itself, the signal and the delivered alerts. */
	db_exec("UPDATE reports SET created_at = '2021-01-01T00:00:00Z', updated_at = '" OLD "' "
		"WHERE id IN (SELECT report_id FROM report_identifiers WHERE kind = 'iban');"
		"UPDATE identifiers SET first_seen = '2021-01-01T00:00:00Z', last_seen = '" OLD "' "
		"WHERE kind = 'iban';"
		"UPDATE signals SET created_at = '" OLD "', valid_until = NULL;"
		"UPDATE outbox SET created_at = '" OLD "', delivered_at = '" OLD "' "
		"WHERE delivered_at IS NOT NULL;");
	audit_before = db_count(&srv, "SELECT count(*) FROM audit_entries");
	firings = db_count(&srv, "SELECT count(*) FROM rule_firings");
	assert_true(firings >= 1);

	/* A dry run counts and changes nothing, not even the audit log. */
	dry = purge(1);
	assert_int_equal(field(dry, "narratives"), 3);
	assert_int_equal(field(dry, "additions"), 1);
	assert_int_equal(field(dry, "contacts"), 3);
	assert_int_equal(field(dry, "raw_identifiers"), 1);
	assert_int_equal(field(dry, "report_raw_identifiers"), 3);
	assert_int_equal(field(dry, "signals"), 1);
	assert_int_equal(field(dry, "feedback"), 1);
	assert_int_equal(field(dry, "alerts"), aged_alerts);
	assert_int_equal(field(dry, "subject_requests"), 0); /* none decided and old */
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports WHERE description IS NOT "
					"NULL AND contact_sealed IS NOT NULL"),
			 4);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM signals"), 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries"), audit_before);

	/* The purge erases exactly what the dry run counted. */
	done = purge(0);
	assert_true(json_equal(done, dry));
	json_decref(dry);

	/* Personal data gone from the old reports; what statistics count is still there. */
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports WHERE description IS NULL "
					"AND contact_sealed IS NULL AND reporter IS NULL AND "
					"fraud_type = 'bank_helpdesk' AND municipality = 'GM0363' "
					"AND loss_cents = 50000 AND created_at < '2022'"),
			 3);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM report_additions WHERE description "
					"IS NOT NULL"),
			 0);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM report_additions"), 1);
	/* Raw values gone, pseudonyms and the registry's facts kept: matching goes on. */
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM report_identifiers WHERE kind = "
					"'iban' AND length(sealed) = 0 AND length(pseudonym) = 64"),
			 3);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers WHERE kind = 'iban' AND "
					"length(sealed) = 0 AND reports = 3"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifier_sources s JOIN "
					"identifiers i ON i.pseudonym = s.pseudonym WHERE i.kind = "
					"'iban'"),
			 3);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM rule_firings"), firings);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM signals"), 0);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM signal_feedback"), 0);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM outbox WHERE delivered_at < '2022'"),
			 0);
	/* Within the period: untouched. */
	assert_int_equal(db_count(&srv,
				  "SELECT count(*) FROM reports r JOIN report_identifiers ri "
				  "ON ri.report_id = r.id WHERE ri.kind = 'phone' AND "
				  "r.description IS NOT NULL AND r.contact_sealed IS NOT NULL "
				  "AND r.reporter IS NOT NULL AND length(ri.sealed) > 0"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers WHERE kind IN ('phone', "
					"'domain') AND length(sealed) > 0"),
			 2);

	/* One audit entry, by the operator, with the counts and nothing personal. */
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries"), audit_before + 1);
	assert_int_equal(
		audit_count("json_extract(entry, '$.act') = 'retention.purged' AND "
			    "json_extract(entry, '$.actor') = 'operator' AND json_extract(entry, "
			    "'$.detail.narratives') = 3 AND json_extract(entry, "
			    "'$.detail.contacts') = 3 AND json_extract(entry, "
			    "'$.detail.report_raw_identifiers') = 3 AND json_extract(entry, "
			    "'$.detail.signals') = 1 AND json_extract(entry, '$.detail.complete') "
			    "= 1 AND json_extract(entry, '$.ref') LIKE 'narratives=730d %' AND "
			    "instr(entry, 'NL91') = 0 AND instr(entry, 'jan@') = 0",
			    "entry::jsonb @> '{\"act\": \"retention.purged\", \"actor\": "
			    "\"operator\", \"detail\": {\"narratives\": 3, \"contacts\": 3, "
			    "\"report_raw_identifiers\": 3, \"signals\": 1, \"complete\": "
			    "true}}' AND entry::jsonb ->> 'ref' LIKE 'narratives=730d %' AND "
			    "position('NL91' in entry) = 0 AND position('jan@' in entry) = 0"),
		1);
	snprintf(sql, sizeof(sql),
		 harness_pg() ? "entry::jsonb ->> 'act' = 'retention.purged' AND "
				"(entry::jsonb #>> '{detail,alerts}')::bigint = %ld"
			      : "json_extract(entry, '$.act') = 'retention.purged' AND "
				"json_extract(entry, '$.detail.alerts') = %ld",
		 aged_alerts);
	assert_int_equal(audit_count(sql, sql), 1);
	json_decref(done);

	/* Again: nothing left to erase, and the run is on record too. */
	again = purge(0);
	assert_int_equal(field(again, "narratives") + field(again, "contacts") +
				 field(again, "raw_identifiers") + field(again, "signals") +
				 field(again, "alerts"),
			 0);
	json_decref(again);
	assert_int_equal(audit_count("json_extract(entry, '$.act') = 'retention.purged'",
				     "entry::jsonb ->> 'act' = 'retention.purged'"),
			 2);

	/* The text output names every class. */
	const char *text[] = { "purge", "--dry-run", "--data-dir", data, NULL };
	assert_int_equal(cli(text, &out), 0);
	assert_non_null(strstr(out, "dry run: would erase"));
	assert_non_null(strstr(out, "report_raw_identifiers"));
	assert_non_null(strstr(out, "subject_requests"));
	free(out);
}

/* The victim's case after the purge; an identifier named again gets its raw value back. */
static void test_case_after_purge(void **state)
{
	char path[128];
	json_t *c, *id;

	(void)state;
	serve("0");
	snprintf(path, sizeof(path), "/v1/cases/%s", codes[0]);
	c = call("GET", path, NULL, NULL, 200);
	assert_true(json_is_null(json_object_get(c, "description")));
	assert_string_equal(json_string_value(json_object_get(c, "fraud_type")), "bank_helpdesk");
	id = json_array_get(json_object_get(c, "identifiers"), 0);
	assert_string_equal(json_string_value(json_object_get(id, "kind")), "iban");
	assert_true(json_is_null(json_object_get(id, "value")));
	assert_null(json_object_get(json_object_get(c, "victim"), "contact"));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(c, "victim"), "municipality")),
		"GM0363");
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(c, "additions"), 0),
						 "description")));
	json_decref(c);

	snprintf(path, sizeof(path), "/v1/cases/%s", codes[3]);
	c = call("GET", path, NULL, NULL, 200);
	assert_non_null(json_string_value(json_object_get(c, "description")));
	assert_non_null(json_object_get(json_object_get(c, "victim"), "contact"));
	json_decref(c);

	report("198.51.100.5", "iban", "NL91ABNA0417164300", codes[4]);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM identifiers WHERE kind = 'iban' AND "
					"length(sealed) > 0 AND reports = 4"),
			 1);
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	srv.pid = 0;
}

/* The server purges on its own, records it as "server", and stops cleanly. */
static void test_server_purges_periodically(void **state)
{
	long n = 0;

	(void)state;
	db_exec("UPDATE reports SET created_at = '2021-01-01T00:00:00Z', updated_at = '" OLD "' "
		"WHERE id IN (SELECT report_id FROM report_identifiers WHERE kind = 'phone')");
	serve("1");
	for (int i = 0; i < 100 && n == 0; i++) {
		sleep_ms(100);
		n = audit_count("json_extract(entry, '$.act') = 'retention.purged' AND "
				"json_extract(entry, '$.actor') = 'server' AND json_extract(entry, "
				"'$.detail.narratives') = 1 AND json_extract(entry, "
				"'$.detail.contacts') = 1",
				"entry::jsonb @> '{\"act\": \"retention.purged\", \"actor\": "
				"\"server\", \"detail\": {\"narratives\": 1, \"contacts\": 1}}'");
	}
	assert_int_equal(n, 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM reports WHERE description IS NOT "
					"NULL"),
			 1); /* the report made just now */
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	srv.pid = 0;
}

/* A decided request of a data subject goes after its period; one still open stays. */
static void test_decided_subject_requests_go(void **state)
{
	const char *h[] = { "Content-Type: application/json", NULL };
	const char *answer[] = { "subject", "answer", "--data-dir", data, "1", NULL };
	json_t *counts;

	(void)state;
	serve("0");
	json_decref(call("POST", "/v1/subject-requests", h,
			 "{\"type\": \"access\", \"kind\": \"iban\", \"value\": "
			 "\"NL20INGB0001234567\", \"contact\": \"jan@example.nl\"}",
			 202));
	json_decref(call("POST", "/v1/subject-requests", h,
			 "{\"type\": \"access\", \"kind\": \"iban\", \"value\": "
			 "\"NL02ABNA0123456789\", \"contact\": \"piet@example.nl\"}",
			 202));
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	srv.pid = 0;
	assert_int_equal(cli(answer, NULL), 0);
	db_exec("UPDATE subject_requests SET updated_at = '" OLD "'");
	counts = purge(0);
	assert_int_equal(field(counts, "subject_requests"), 1);
	json_decref(counts);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM subject_requests WHERE status = "
					"'received'"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM subject_requests"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_purge_erases_what_is_past_its_period),
		cmocka_unit_test(test_case_after_purge),
		cmocka_unit_test(test_server_purges_periodically),
		cmocka_unit_test(test_decided_subject_requests_go),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
