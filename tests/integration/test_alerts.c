/*
 * Black-box tests of the exchange: partners with real webhook receivers on
 * loopback (two banks, the police, a telecom operator), reports through the
 * real server, the published rules firing, and signed webhooks arriving
 * with the raw value only where the rules allow it.
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
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "pseudonym.h"
#include "voprf.h"
#include <sodium.h>

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static struct server srv;
static struct receiver bank_a, bank_b, police, telecom;
static char key_a[64], key_b[64];

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The deliveries a receiver logged, as a JSON array. */
static json_t *deliveries(const struct receiver *r)
{
	json_t *all = json_array();
	char line[65536];
	FILE *f = fopen(r->log, "r");

	while (f && fgets(line, sizeof(line), f)) {
		json_t *d = json_loads(line, 0, NULL);

		if (d)
			json_array_append_new(all, d);
	}
	if (f)
		fclose(f);
	return all;
}

/* Waits up to ms for a receiver to have at least n deliveries. */
static json_t *wait_deliveries(const struct receiver *r, size_t n, int ms)
{
	json_t *d = deliveries(r);

	for (int waited = 0; json_array_size(d) < n && waited < ms; waited += 50) {
		json_decref(d);
		sleep_ms(50);
		d = deliveries(r);
	}
	return d;
}

static void cli_ok(const char *const *argv, char *out_key, size_t keysz)
{
	char *out, *err;
	int rc = run_cli(argv, NULL, &out, &err);

	if (rc != 0)
		fail_msg("signaal %s %s: exit %d: %s", argv[0], argv[1], rc, err);
	if (out_key) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(out_key, keysz, "%s", out);
	}
	free(out);
	free(err);
}

static void partner_add(const char *data, const char *name, const char *sector,
			const char *code_flag, const char *code, const struct receiver *r)
{
	char url[96];

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", r->port);
	const char *argv[] = { "partner",
			       "add",
			       "--data-dir",
			       data,
			       "--webhook-allow-loopback",
			       "true",
			       "--name",
			       name,
			       "--sector",
			       sector,
			       "--webhook",
			       url,
			       "--webhook-secret",
			       SECRET,
			       code_flag,
			       code,
			       NULL };
	cli_ok(argv, NULL, 0);
}

static int start(void **state)
{
	char dir[64], data[128];
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				"true", NULL };

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	receiver_start(&bank_a, dir, "bank-a", SECRET, NULL);
	receiver_start(&bank_b, dir, "bank-b", SECRET, NULL);
	receiver_start(&police, dir, "police", SECRET, NULL);
	/* Down for its first two deliveries. */
	receiver_start(&telecom, dir, "telecom", SECRET,
		       (const char *const[]){ "--fail-first", "2", NULL });
	partner_add(data, "ABN AMRO", "bank", "--bank-code", "ABNA", &bank_a);
	partner_add(data, "ING", "bank", "--bank-code", "INGB", &bank_b);
	partner_add(data, "Politie", "police", NULL, NULL, &police);
	partner_add(data, "Telco", "telecom", NULL, NULL, &telecom);
	const char *ka[] = { "partner", "key", "create", "--data-dir", data, "ABN AMRO", NULL };
	cli_ok(ka, key_a, sizeof(key_a));
	const char *kb[] = { "partner", "key", "create", "--data-dir", data, "ING", NULL };
	cli_ok(kb, key_b, sizeof(key_b));
	server_start_in(&srv, dir, extra);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	receiver_stop(&bank_a);
	receiver_stop(&bank_b);
	receiver_stop(&police);
	receiver_stop(&telecom);
	server_cleanup(&srv);
	return 0;
}

static int stop_crash(void **state)
{
	(void)state;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	server_cleanup(&srv);
	return 0;
}

static void report_from(const char *addr, const char *fraud_type, const char *ident_kind,
			const char *value, const char *role)
{
	char xff[64], body[512];
	const char *h[] = { "Content-Type: application/json", xff, NULL };
	struct response r;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", addr);
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"%s\", \"identifiers\": [{\"kind\": \"%s\", "
		 "\"value\": \"%s\", \"role\": \"%s\"}]}",
		 fraud_type, ident_kind, value, role);
	http_do(&srv, "POST", "/v1/reports", h, body, strlen(body), &r);
	if (r.status != 201)
		fail_msg("report: %ld %s", r.status, r.body);
	response_free(&r);
}

static json_t *alert_body(json_t *deliveries, size_t i)
{
	return json_object_get(json_array_get(deliveries, i), "body");
}

/* Waits until the audit writer has committed what `sql` counts (it writes within a moment). */
static void wait_audit(struct server *s, const char *sql)
{
	for (int waited = 0; db_count(s, sql) < 1; waited += 20) {
		if (waited > 3000)
			fail_msg("not in the audit log: %s", sql);
		sleep_ms(20);
	}
}

static void test_three_independent_reports_alert_the_bank_and_police(void **state)
{
	json_t *a, *b, *p;
	struct timespec t0, t1;
	double secs;

	(void)state;
	/* The same victim twice is one source: no alert yet. */
	report_from("198.51.100.1", "bank_helpdesk", "iban", "NL91 ABNA 0417 1643 00",
		    "beneficiary");
	report_from("198.51.100.1", "bank_helpdesk", "iban", "NL91ABNA0417164300", "beneficiary");
	report_from("198.51.100.2", "bank_helpdesk", "iban", "nl91abna0417164300", "beneficiary");
	sleep_ms(1500);
	a = deliveries(&bank_a);
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	report_from("198.51.100.3", "bank_helpdesk", "iban", "NL91ABNA0417164300", "beneficiary");
	a = wait_deliveries(&bank_a, 1, 5000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("third report to webhook at the bank: %.3f s\n", secs);
	assert_int_equal(json_array_size(a), 1);
	assert_true(secs < 1.0);
	assert_true(json_is_true(json_object_get(json_array_get(a, 0), "valid")));
	assert_string_equal(json_string_value(json_object_get(alert_body(a, 0), "rule")),
			    "iban_three_reports");
	assert_string_equal(json_string_value(json_object_get(alert_body(a, 0), "value")),
			    "NL91ABNA0417164300");
	assert_int_equal(
		json_integer_value(json_object_get(alert_body(a, 0), "independent_sources")), 3);

	p = wait_deliveries(&police, 1, 3000);
	assert_int_equal(json_array_size(p), 1);
	assert_string_equal(json_string_value(json_object_get(alert_body(p, 0), "value")),
			    "NL91ABNA0417164300");

	/* Each delivery is in the audit log, and so is each opening of the raw value. */
	wait_audit(&srv, "SELECT count(*) - 1 FROM audit_entries WHERE entry LIKE "
			 "'%\"act\":\"identifier.decrypted\",\"ref\":\"webhook\"%'");
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%\"act\":\"alert.delivered\",\"ref\":\"webhook\","
					"\"subjects\":[\"%'"),
			 2);

	/* Another bank: nothing; the rule names only the holder and the police. */
	b = deliveries(&bank_b);
	assert_int_equal(json_array_size(b), 0);
	json_decref(a);
	json_decref(b);
	json_decref(p);

	/* A fourth report does not fire the rule again within its window. */
	report_from("198.51.100.4", "bank_helpdesk", "iban", "NL91ABNA0417164300", "beneficiary");
	sleep_ms(1500);
	a = deliveries(&bank_a);
	assert_int_equal(json_array_size(a), 1);
	json_decref(a);
}

static void test_feed_shows_each_partner_its_own(void **state)
{
	char auth[96];
	const char *ha[] = { auth, NULL };
	struct response r;
	json_t *doc, *alerts;

	(void)state;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key_a);
	http_do(&srv, "GET", "/v1/alerts?after=0", ha, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	alerts = json_object_get(doc, "alerts");
	assert_int_equal(json_array_size(alerts), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(alerts, 0), "value")),
			    "NL91ABNA0417164300");
	assert_true(json_integer_value(json_object_get(doc, "next")) >= 1);
	json_decref(doc);
	response_free(&r);

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key_b);
	http_do(&srv, "GET", "/v1/alerts", ha, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"alerts\":[]"));
	response_free(&r);

	/* No key, a malformed key, an unknown key. */
	http_do(&srv, "GET", "/v1/alerts", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	snprintf(auth, sizeof(auth), "Authorization: Bearer nonsense");
	http_do(&srv, "GET", "/v1/alerts", ha, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	snprintf(auth, sizeof(auth),
		 "Authorization: Bearer sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	http_do(&srv, "GET", "/v1/alerts", ha, NULL, 0, &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
}

/* A receiver that is down at first gets its alert once it answers (at least once). */
static void test_receiver_down_then_up(void **state)
{
	json_t *t;
	int ok = 0;

	(void)state;
	for (int i = 1; i <= 3; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "203.0.113.%d", i);
		/* Not bank-helpdesk fraud: only the three-reports rule applies to this phone. */
		report_from(addr, "purchase_fraud", "phone", "+31 6 11223344", "caller");
	}
	t = wait_deliveries(&telecom, 3, 20000);
	/* Two refused attempts, then the delivery, all with the same webhook-id. */
	assert_int_equal(json_array_size(t), 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(t, i), "id")),
				    json_string_value(json_object_get(json_array_get(t, 0), "id")));
	ok = json_is_true(json_object_get(json_array_get(t, 2), "valid"));
	assert_true(ok);
	assert_string_equal(json_string_value(json_object_get(alert_body(t, 2), "value")),
			    "+31611223344");
	json_decref(t);
}

static void test_rules_published(void **state)
{
	struct response r;

	(void)state;
	http_do(&srv, "GET", "/v1/rules", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "iban_three_reports"));
	response_free(&r);
}

static long post_signals(const char *key, const char *body, char **out)
{
	char auth[96];
	const char *h[] = { "Content-Type: application/json", auth, NULL };
	struct response r;
	long status;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	http_do(&srv, "POST", "/v1/signals", h, body, strlen(body), &r);
	status = r.status;
	if (out)
		*out = strdup(r.body);
	response_free(&r);
	return status;
}

/* Counts a receiver's deliveries whose body names this rule and kind. */
static size_t count_kind(const struct receiver *rc, const char *kind)
{
	json_t *d = deliveries(rc);
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(d); i++) {
		const char *k = json_string_value(json_object_get(alert_body(d, i), "kind"));

		n += k && strcmp(k, kind) == 0;
	}
	json_decref(d);
	return n;
}

/* TLP holds: RED reaches only the partners it names; AMBER only the named sectors. */
static void test_signals_follow_tlp(void **state)
{
	char *out;
	json_t *d;

	(void)state;
	/* From ING, RED, naming the police only. */
	assert_int_equal(
		post_signals(key_b,
			     "{\"signals\": [{\"kind\": \"domain\", \"value\": "
			     "\"fake-bank-login.nl\", \"fraud_type\": \"phishing\", "
			     "\"confidence\": 95, \"tlp\": \"RED\", \"scope\": "
			     "{\"sectors\": [\"bank\"], \"partners\": [\"Politie\"]}, "
			     "\"modus_operandi\": \"SMS met link naar nagemaakte inlogpagina\"}]}",
			     &out),
		201);
	assert_non_null(strstr(out, "\"accepted\":1"));
	free(out);
	/* From ING, AMBER, to the banks: ABN AMRO gets it, ING (the sender) does not. */
	assert_int_equal(post_signals(key_b,
				      "{\"signals\": [{\"kind\": \"email\", \"value\": "
				      "\"helpdesk@fake-bank.nl\", \"fraud_type\": \"phishing\", "
				      "\"confidence\": 90, \"tlp\": \"AMBER\", \"scope\": "
				      "{\"sectors\": [\"bank\"]}}]}",
				      NULL),
			 201);
	d = wait_deliveries(&police, 2, 3000);
	json_decref(d);
	sleep_ms(500);
	assert_int_equal(count_kind(&police, "domain"), 1);
	assert_int_equal(count_kind(&bank_a, "domain"), 0); /* RED: not named */
	assert_int_equal(count_kind(&telecom, "domain"), 0);
	assert_int_equal(count_kind(&bank_a, "email"), 1);
	assert_int_equal(count_kind(&bank_b, "email"), 0); /* the sender */
	assert_int_equal(count_kind(&police, "email"), 0); /* not in the scope */
	d = deliveries(&police);
	for (size_t i = 0; i < json_array_size(d); i++)
		if (strcmp(json_string_value(json_object_get(alert_body(d, i), "kind")),
			   "domain") == 0)
			assert_null(
				json_object_get(alert_body(d, i), "value")); /* pseudonym only */
	json_decref(d);

	/* A bad batch is refused whole, each problem named. */
	assert_int_equal(post_signals(key_b,
				      "{\"signals\": [{\"kind\": \"iban\", \"value\": "
				      "\"NL91ABNA0417164300\", \"fraud_type\": \"phishing\", "
				      "\"confidence\": 50}, {\"kind\": \"iban\", \"value\": \"x\", "
				      "\"fraud_type\": \"nope\", \"confidence\": 101, \"tlp\": "
				      "\"PURPLE\"}]}",
				      &out),
			 422);
	assert_non_null(strstr(out, "signals[1].value"));
	assert_non_null(strstr(out, "signals[1].fraud_type"));
	assert_non_null(strstr(out, "signals[1].confidence"));
	assert_non_null(strstr(out, "signals[1].tlp"));
	free(out);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM signals"), 2);
	assert_int_equal(post_signals(key_b,
				      "{\"signals\": [{\"kind\": \"iban\", \"value\": "
				      "\"NL91ABNA0417164300\", \"fraud_type\": \"phishing\", "
				      "\"confidence\": 50, \"tlp\": \"RED\"}]}",
				      &out),
			 422);
	assert_non_null(strstr(out, "TLP RED needs named partners"));
	free(out);
}

static long partner_call(const char *key, const char *method, const char *path, const char *body,
			 char **out)
{
	char auth[96];
	const char *h[] = { "Content-Type: application/json", auth, NULL };
	struct response r;
	long status;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	http_do(&srv, method, path, h, body, body ? strlen(body) : 0, &r);
	status = r.status;
	if (out)
		*out = strdup(r.body);
	response_free(&r);
	return status;
}

/*
 * Feedback: the alerted bank says it blocked the address; the sender then
 * calls its signal a false positive, and the bank gets a retraction.
 */
static void test_signal_feedback_and_retraction(void **state)
{
	char *out, path[64], key_police[64];
	json_t *doc, *d;
	long long id;
	size_t before;

	(void)state;
	assert_int_equal(
		post_signals(key_b,
			     "{\"signals\": [{\"kind\": \"url\", \"value\": "
			     "\"https://pakket-bezorging.example.nl/betaal\", \"fraud_type\": "
			     "\"phishing\", \"confidence\": 85, \"tlp\": \"AMBER\", "
			     "\"scope\": {\"sectors\": [\"bank\"]}}]}",
			     &out),
		201);
	doc = json_loads(out, 0, NULL);
	free(out);
	id = json_integer_value(
		json_object_get(json_array_get(json_object_get(doc, "signals"), 0), "id"));
	json_decref(doc);
	assert_true(id > 0);
	d = wait_deliveries(&bank_a, 1, 3000);
	json_decref(d);
	sleep_ms(300);
	before = count_kind(&bank_a, "url");
	assert_int_equal(before, 1);

	snprintf(path, sizeof(path), "/v1/signals/%lld", id);
	assert_int_equal(partner_call(key_a, "GET", path, NULL, &out), 200);
	assert_non_null(strstr(out, "\"from\":\"ING\""));
	free(out);
	/* The police were not alerted: for them the signal does not exist. */
	{
		char data[128];

		snprintf(data, sizeof(data), "%s/data", srv.dir);
		const char *argv[] = { "partner", "key",     "create", "--data-dir",
				       data,	  "Politie", NULL };
		char *o, *e;

		assert_int_equal(run_cli(argv, NULL, &o, &e), 0);
		o[strcspn(o, "\n")] = '\0';
		snprintf(key_police, sizeof(key_police), "%s", o);
		free(o);
		free(e);
	}
	assert_int_equal(partner_call(key_police, "GET", path, NULL, NULL), 404);

	snprintf(path, sizeof(path), "/v1/signals/%lld/feedback", id);
	assert_int_equal(partner_call(key_a, "POST", path, "{\"outcome\": \"mitigated\"}", &out),
			 422);
	assert_non_null(strstr(out, "required for mitigated"));
	free(out);
	assert_int_equal(partner_call(key_a, "POST", path,
				      "{\"outcome\": \"mitigated\", \"mitigation\": \"blocked\", "
				      "\"note\": \"betalingen naar dit adres geblokkeerd\"}",
				      &out),
			 201);
	assert_non_null(strstr(out, "\"mitigation\":\"blocked\""));
	free(out);
	/* The sender withdraws it: the identifier is disputed and the bank is told. */
	assert_int_equal(
		partner_call(key_b, "POST", path, "{\"outcome\": \"false_positive\"}", &out), 201);
	assert_non_null(strstr(out, "\"identifier_status\":\"disputed\""));
	free(out);
	d = deliveries(&bank_a);
	before = json_array_size(d);
	json_decref(d);
	d = wait_deliveries(&bank_a, before + 1, 3000);
	json_decref(d);
	d = deliveries(&bank_a);
	{
		int found = 0;

		for (size_t i = 0; i < json_array_size(d); i++)
			found |=
				json_string_value(json_object_get(alert_body(d, i), "type")) &&
				strcmp(json_string_value(json_object_get(alert_body(d, i), "type")),
				       "retraction") == 0;
		assert_true(found);
	}
	json_decref(d);
}

/* The police's deliveries of one event type. */
static json_t *of_type(const struct receiver *rc, const char *type, size_t want, int ms)
{
	for (int waited = 0;; waited += 100) {
		json_t *d = deliveries(rc), *out = json_array();

		for (size_t i = 0; i < json_array_size(d); i++) {
			const char *t =
				json_string_value(json_object_get(alert_body(d, i), "type"));

			if (t && strcmp(t, type) == 0)
				json_array_append(out, alert_body(d, i));
		}
		json_decref(d);
		if (json_array_size(out) >= want || waited >= ms)
			return out;
		json_decref(out);
		sleep_ms(100);
	}
}

/*
 * A victim's consented report reaches the police as a referral; the police
 * say they received it, the victim sees that; the victim takes the consent
 * back, and the police get a retraction.
 */
static void test_referral_to_police(void **state)
{
	static const char body[] =
		"{\"fraud_type\": \"purchase_fraud\", \"description\": \"Fiets betaald, nooit "
		"gekregen.\", \"identifiers\": [{\"kind\": \"iban\", \"value\": "
		"\"NL02ABNA0123456789\", \"role\": \"beneficiary\"}], \"victim\": {\"contact\": "
		"{\"email\": \"jan@example.nl\"}}, \"consent\": {\"police\": true}}";
	const char *h[] = { "Content-Type: application/json", "X-Forwarded-For: 192.0.2.77", NULL };
	char code[64], path[128], key_police[64], data[128], *out;
	struct response r;
	json_t *doc, *refs, *hist;
	long long rid;
	size_t before;

	(void)state;
	refs = of_type(&police, "referral", 0, 0);
	before = json_array_size(refs);
	json_decref(refs);
	http_do(&srv, "POST", "/v1/reports", h, body, strlen(body), &r);
	assert_int_equal(r.status, 201);
	doc = json_loadb(r.body, r.len, 0, NULL);
	snprintf(code, sizeof(code), "%s", json_string_value(json_object_get(doc, "case_code")));
	json_decref(doc);
	response_free(&r);

	refs = of_type(&police, "referral", before + 1, 3000);
	assert_int_equal(json_array_size(refs), before + 1);
	doc = json_array_get(refs, before);
	assert_string_equal(json_string_value(json_object_get(doc, "recipient")), "police");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "report"), "description")),
		"Fiets betaald, nooit gekregen.");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(doc, "report"), "contact"), "email")),
		"jan@example.nl");
	out = json_dumps(doc, 0);
	assert_null(strstr(out, code)); /* never the case code */
	free(out);
	rid = json_integer_value(json_object_get(doc, "referral_id"));
	json_decref(refs);
	assert_true(rid > 0);

	snprintf(data, sizeof(data), "%s/data", srv.dir);
	{
		const char *argv[] = { "partner", "key",     "create", "--data-dir",
				       data,	  "Politie", NULL };
		char *o, *e;

		assert_int_equal(run_cli(argv, NULL, &o, &e), 0);
		o[strcspn(o, "\n")] = '\0';
		snprintf(key_police, sizeof(key_police), "%s", o);
		free(o);
		free(e);
	}
	snprintf(path, sizeof(path), "/v1/referrals/%lld", rid);
	assert_int_equal(partner_call(key_a, "PUT", path, "{\"status\": \"received\"}", NULL),
			 404); /* not the bank's */
	assert_int_equal(partner_call(key_police, "PUT", path, "{\"status\": \"received\"}", &out),
			 200);
	free(out);
	assert_int_equal(partner_call(key_police, "PUT", path, "{\"status\": \"received\"}", NULL),
			 409); /* forward only */
	assert_int_equal(partner_call(key_police, "PUT", path, "{\"status\": \"lost\"}", NULL),
			 422);

	/* The victim sees it: pending, delivered, received. */
	snprintf(path, sizeof(path), "/v1/cases/%s", code);
	http_do(&srv, "GET", path, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	refs = json_object_get(doc, "referrals");
	assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "status")),
			    "received");
	hist = json_object_get(json_array_get(refs, 0), "history");
	assert_int_equal(json_array_size(hist), 3);
	json_decref(doc);
	response_free(&r);

	/* Consent taken back: a retraction reaches the police. */
	snprintf(path, sizeof(path), "/v1/cases/%s/consent", code);
	http_do(&srv, "PUT", path, h, "{\"police\": false}", 17, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"status\":\"retracted\""));
	response_free(&r);
	refs = of_type(&police, "retraction", 1, 3000);
	{
		int found = 0;

		for (size_t i = 0; i < json_array_size(refs); i++)
			found |= json_integer_value(json_object_get(json_array_get(refs, i),
								    "referral_id")) == rid;
		assert_true(found);
	}
	json_decref(refs);
}

/* Reports an ABN AMRO IBAN from `addr` and hands back the case code. */
static void report_code(const char *addr, const char *iban, char *code, size_t codesz)
{
	char xff[64], body[256];
	const char *h[] = { "Content-Type: application/json", xff, NULL };
	struct response r;
	json_t *doc;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", addr);
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"investment_fraud\", \"identifiers\": [{\"kind\": \"iban\", "
		 "\"value\": \"%s\"}]}",
		 iban);
	http_do(&srv, "POST", "/v1/reports", h, body, strlen(body), &r);
	assert_int_equal(r.status, 201);
	doc = json_loadb(r.body, r.len, 0, NULL);
	snprintf(code, codesz, "%s", json_string_value(json_object_get(doc, "case_code")));
	json_decref(doc);
	response_free(&r);
}

/* Counts deliveries to a receiver of `type` about `rule`, waiting up to ms for `want`. */
static size_t count_rule(const struct receiver *rc, const char *type, const char *rule, size_t want,
			 int ms)
{
	for (int waited = 0;; waited += 100) {
		json_t *d = deliveries(rc);
		size_t n = 0;

		for (size_t i = 0; i < json_array_size(d); i++) {
			json_t *b = alert_body(d, i);
			const char *t = json_string_value(json_object_get(b, "type"));
			const char *r = json_string_value(json_object_get(b, "rule"));

			n += t && r && strcmp(t, type) == 0 && strcmp(r, rule) == 0;
		}
		json_decref(d);
		if (n >= want || waited >= ms)
			return n;
		sleep_ms(100);
	}
}

/*
 * A victim withdraws one of the three reports that made a rule fire: the
 * alert is retracted, and a new third report makes it fire again.
 */
static void test_withdrawal_retracts_alert(void **state)
{
	static const char iban[] = "NL75ABNA0555555555";
	char codes[3][64], path[96];
	size_t alerts0 = count_rule(&bank_a, "alert", "iban_three_reports", 0, 0);
	size_t retr0 = count_rule(&bank_a, "retraction", "iban_three_reports", 0, 0);
	struct response r;

	(void)state;
	for (int i = 0; i < 3; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.51.100.%d", 50 + i);
		report_code(addr, iban, codes[i], sizeof(codes[i]));
	}
	assert_int_equal(count_rule(&bank_a, "alert", "iban_three_reports", alerts0 + 1, 3000),
			 alerts0 + 1);
	snprintf(path, sizeof(path), "/v1/cases/%s", codes[1]);
	http_do(&srv, "DELETE", path, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 204);
	response_free(&r);
	assert_int_equal(count_rule(&bank_a, "retraction", "iban_three_reports", retr0 + 1, 3000),
			 retr0 + 1);
	/* Two reporters left; a new third one makes it fire again. */
	report_code("198.51.100.60", iban, codes[1], sizeof(codes[1]));
	assert_int_equal(count_rule(&bank_a, "alert", "iban_three_reports", alerts0 + 2, 3000),
			 alerts0 + 2);
}

/* The administration API: an admin key adds a partner and makes and revokes its key. */
static void test_admin_api(void **state)
{
	char data[128], admin[64], *out, path[96], key[64], prefix[16];
	json_t *doc;

	(void)state;
	snprintf(data, sizeof(data), "%s/data", srv.dir);
	{
		const char *argv[] = { "admin", "key", "create", "--data-dir", data, "ops", NULL };
		char *o, *e;

		assert_int_equal(run_cli(argv, NULL, &o, &e), 0);
		o[strcspn(o, "\n")] = '\0';
		snprintf(admin, sizeof(admin), "%s", o);
		free(o);
		free(e);
	}
	assert_true(strncmp(admin, "sa_", 3) == 0);
	/* A partner key is no admin key, and the reverse. */
	assert_int_equal(partner_call(key_a, "GET", "/v1/admin/partners", NULL, NULL), 401);
	assert_int_equal(partner_call(admin, "GET", "/v1/alerts", NULL, NULL), 401);

	assert_int_equal(partner_call(admin, "GET", "/v1/admin/partners", NULL, &out), 200);
	assert_non_null(strstr(out, "\"name\":\"ABN AMRO\""));
	assert_null(strstr(out, "whsec_")); /* secrets never leave */
	free(out);
	assert_int_equal(partner_call(admin, "POST", "/v1/admin/partners",
				      "{\"name\": \"Bunq\", \"sector\": \"bakery\"}", &out),
			 422);
	assert_non_null(strstr(out, "unknown sector"));
	free(out);
	assert_int_equal(
		partner_call(admin, "POST", "/v1/admin/partners",
			     "{\"name\": \"Bunq\", \"sector\": \"bank\", \"bank_codes\": "
			     "[\"BUNQ\"], \"webhook\": \"https://hooks.bunq.example/signaal\"}",
			     &out),
		201);
	doc = json_loads(out, 0, NULL);
	assert_true(strncmp(json_string_value(json_object_get(doc, "webhook_secret")), "whsec_",
			    6) == 0);
	json_decref(doc);
	free(out);
	assert_int_equal(partner_call(admin, "POST", "/v1/admin/partners",
				      "{\"name\": \"Bunq\", \"sector\": \"bank\"}", NULL),
			 409);
	assert_int_equal(partner_call(admin, "POST", "/v1/admin/partners/Bunq/keys", NULL, &out),
			 201);
	doc = json_loads(out, 0, NULL);
	snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(doc, "key")));
	snprintf(prefix, sizeof(prefix), "%s", json_string_value(json_object_get(doc, "prefix")));
	json_decref(doc);
	free(out);
	assert_int_equal(partner_call(key, "GET", "/v1/alerts", NULL, NULL), 200);
	snprintf(path, sizeof(path), "/v1/admin/keys/%s", prefix);
	assert_int_equal(partner_call(admin, "DELETE", path, NULL, NULL), 204);
	assert_int_equal(partner_call(key, "GET", "/v1/alerts", NULL, NULL), 401); /* at once */
	assert_int_equal(partner_call(admin, "DELETE", path, NULL, NULL), 404);

	/* Every administrative act is in the audit log, with who did it; a refused one is not. */
	wait_audit(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
			 "'%\"actor\":\"admin:ops\",\"act\":\"partner_key.revoked\"%'");
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%\"actor\":\"admin:ops\",\"act\":\"partner.added\","
					"\"ref\":\"Bunq\"%'"),
			 1);
	assert_int_equal(db_count(&srv,
				  "SELECT count(*) FROM audit_entries WHERE entry LIKE "
				  "'%\"actor\":\"admin:ops\",\"act\":\"partner_key.created\"%'"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%\"actor\":\"operator\",\"act\":\"partner.added\","
					"\"ref\":\"ABN AMRO\"%'"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%\"actor\":\"operator\",\"act\":\"admin_key.created\"%'"),
			 1);
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%\"act\":\"partner.added\"%'"),
			 5); /* four by the command, one through the API; the 409 made none */
}

/* The public check shows what a rule made public, and nothing about unknown or hidden ones. */
static void test_public_check_and_lookup(void **state)
{
	struct response r;
	json_t *doc, *items;
	char *out;

	(void)state;
	http_do(&srv, "GET", "/v1/check?kind=iban&value=NL91%20ABNA%200417%201643%2000", NULL, NULL,
		0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	assert_true(json_is_true(json_object_get(doc, "listed")));
	assert_string_equal(json_string_value(json_object_get(doc, "canonical")),
			    "NL91ABNA0417164300");
	assert_true(json_integer_value(json_object_get(doc, "reports")) >= 3);
	assert_int_equal(strlen(json_string_value(json_object_get(doc, "first_reported"))), 10);
	assert_non_null(strstr(r.body, "bank_helpdesk"));
	assert_true(json_array_size(json_object_get(doc, "advice")) > 0);
	assert_null(strstr(r.body, "description")); /* never the content of reports */
	json_decref(doc);
	response_free(&r);

	/* Unknown: a careful "no reports known". */
	http_do(&srv, "GET", "/v1/check?kind=iban&value=NL02ABNA0123456789&lang=en", NULL, NULL, 0,
		&r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"listed\":false"));
	assert_non_null(strstr(r.body, "does not mean it is safe"));
	response_free(&r);
	/* Reported but not made public by any rule (one report, no rule fired). */
	report_from("192.0.2.200", "purchase_fraud", "iban", "NL44RABO0123456789", "beneficiary");
	http_do(&srv, "GET", "/v1/check?kind=iban&value=NL44RABO0123456789", NULL, NULL, 0, &r);
	assert_non_null(strstr(r.body, "\"listed\":false"));
	response_free(&r);
	http_do(&srv, "GET", "/v1/check?kind=iban&value=NL00ABNA0000000000", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 400);
	response_free(&r);
	http_do(&srv, "GET", "/v1/check?kind=ssn&value=1", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 400);
	response_free(&r);

	/* Partners look up many at once, by value or by pseudonym. */
	assert_int_equal(partner_call(key_b, "POST", "/v1/lookup",
				      "{\"items\": [{\"kind\": \"iban\", \"value\": "
				      "\"NL91ABNA0417164300\"}, {\"kind\": \"phone\", \"value\": "
				      "\"+31 6 12349876\"}]}",
				      &out),
			 200);
	doc = json_loads(out, 0, NULL);
	free(out);
	items = json_object_get(doc, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "known")));
	out = json_dumps(json_object_get(json_array_get(items, 0), "rules_fired"), 0);
	assert_non_null(strstr(out, "iban_three_reports"));
	free(out);
	assert_true(json_is_false(json_object_get(json_array_get(items, 1), "known")));
	json_decref(doc);
	/* The hit was disclosed to ING: an audit entry, committed before the answer came. */
	assert_int_equal(db_count(&srv, "SELECT count(*) FROM audit_entries WHERE entry LIKE "
					"'%\"act\":\"lookup.hit\",\"subjects\":[\"%\"],"
					"\"detail\":{\"items\":2,\"hits\":1}}'"),
			 1);
	assert_int_equal(partner_call(key_b, "POST", "/v1/lookup",
				      "{\"items\": [{\"pseudonym\": \"not-base64\"}]}", NULL),
			 422);
	{
		struct response r2;
		const char *h[] = { "Content-Type: application/json", NULL };

		http_do(&srv, "POST", "/v1/lookup", h, "{\"items\": []}", 13, &r2);
		assert_int_equal(r2.status, 401);
		response_free(&r2);
	}
}

/* The "items" of a lookup of `body` through server s, as partner key_b. */
static json_t *lookup_items(struct server *s, const char *body)
{
	char auth[96];
	const char *h[] = { "Content-Type: application/json", auth, NULL };
	struct response r;
	json_t *doc, *items;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key_b);
	http_do(s, "POST", "/v1/lookup", h, body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	response_free(&r);
	items = json_incref(json_object_get(doc, "items"));
	json_decref(doc);
	assert_non_null(items);
	return items;
}

/*
 * Lookups are answered from memory, and the index follows every writer:
 * a second server process on the same database sees what the first one
 * accepts, and a server started afresh loads the same facts that the
 * running one built up change by change.
 */
static void test_index_follows_other_process_and_restart(void **state)
{
	static const char body[] =
		"{\"items\": [{\"kind\": \"iban\", \"value\": \"NL91ABNA0417164300\"}, "
		"{\"kind\": \"iban\", \"value\": \"NL18RABO0123459876\"}, "
		"{\"kind\": \"phone\", \"value\": \"+31 6 12349876\"}]}";
	char dir[64], link[128], target[160], url[256];
	/* On PostgreSQL the same database is srv's, not the one of dir. */
	const char *same_db[] = { "--store-url", url, NULL };
	const char *const *extra = harness_pg() ? same_db : NULL;
	struct server other;
	json_t *here, *there;
	int waited = 0;

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(link, sizeof(link), "%s/data", dir);
	snprintf(target, sizeof(target), "%s/data", srv.dir);
	assert_int_equal(symlink(target, link), 0);
	harness_store_url(srv.dir, url, sizeof(url));
	server_start_in(&other, dir, extra);

	here = lookup_items(&other, body);
	assert_true(json_is_false(json_object_get(json_array_get(here, 1), "known")));
	json_decref(here);
	report_from("192.0.2.77", "purchase_fraud", "iban", "NL18RABO0123459876", "beneficiary");
	/* The writer's own server answers at once (it reads its own writes)... */
	here = lookup_items(&srv, body);
	assert_true(json_is_true(json_object_get(json_array_get(here, 1), "known")));
	json_decref(here);
	/* ... and the other process within its polling interval. */
	for (;;) {
		there = lookup_items(&other, body);
		if (json_is_true(json_object_get(json_array_get(there, 1), "known")))
			break;
		json_decref(there);
		assert_true(waited < 3000);
		sleep_ms(50);
		waited += 50;
	}
	here = lookup_items(&srv, body);
	assert_true(json_equal(here, there));
	json_decref(there);

	/* A fresh start loads from the tables what the follower built from changes. */
	assert_int_equal(server_stop(&other, SIGTERM), 0);
	server_start_in(&other, dir, extra);
	there = lookup_items(&other, body);
	assert_true(json_equal(here, there));
	assert_true(json_integer_value(json_object_get(json_array_get(there, 0), "reports")) >= 3);
	assert_true(json_array_size(json_object_get(json_array_get(there, 0), "fraud_types")) >= 1);
	assert_true(json_array_size(json_object_get(json_array_get(there, 0), "rules_fired")) >= 1);
	json_decref(here);
	json_decref(there);
	assert_int_equal(server_stop(&other, SIGTERM), 0);
	server_cleanup(&other);
}

/*
 * A full batch of 1,000 pseudonyms is larger than max_body (64 KiB): a
 * partner's batch may be up to max_batch_body, anybody else's is refused.
 */
static void test_batch_body_cap(void **state)
{
	char b64[100], *body = malloc(120 * 1000 + 32), *out = NULL;
	size_t len = 0;
	uint8_t p[64];
	struct response r;
	const char *h[] = { "Content-Type: application/json", NULL };
	json_t *doc;

	(void)state;
	assert_non_null(body);
	len += (size_t)snprintf(body, 32, "{\"items\": [");
	for (int i = 0; i < 1000; i++) {
		randombytes_buf(p, sizeof(p));
		sodium_bin2base64(b64, sizeof(b64), p, sizeof(p),
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		len += (size_t)snprintf(body + len, 120, "%s{\"pseudonym\": \"%s\"}", i ? ", " : "",
					b64);
	}
	len += (size_t)snprintf(body + len, 8, "]}");
	assert_true(len > 64 * 1024);
	assert_int_equal(partner_call(key_b, "POST", "/v1/lookup", body, &out), 200);
	doc = json_loads(out, 0, NULL);
	free(out);
	assert_int_equal(json_array_size(json_object_get(doc, "items")), 1000);
	json_decref(doc);
	assert_int_equal(partner_call("sk_not_a_key", "POST", "/v1/lookup", body, NULL), 413);
	http_do(&srv, "POST", "/v1/lookup", h, body, len, &r);
	assert_int_equal(r.status, 413);
	assert_non_null(strstr(r.body, "valid partner key"));
	response_free(&r);
	free(body);
}

/*
 * The blind lookup: the partner blinds the identifier, the server evaluates
 * without seeing it, the partner verifies the proof, finalises, and looks
 * the pseudonym up.  A wrong proof is refused by the client.
 */
static void test_blind_lookup(void **state)
{
	static const char canon[] = "NL91ABNA0417164300";
	uint8_t input[64], blind[1][VOPRF_SCALAR_BYTES], blinded[1][VOPRF_ELEMENT_BYTES];
	uint8_t evaluated[1][VOPRF_ELEMENT_BYTES], proof[VOPRF_PROOF_BYTES], pk[32];
	uint8_t output[1][VOPRF_OUTPUT_BYTES];
	char b64[200], body[400], *out;
	const uint8_t *inputs[1];
	size_t inlen, got;
	json_t *doc;
	struct response r;

	(void)state;
	assert_true(sodium_init() >= 0);
	http_do(&srv, "GET", "/v1/oprf/key", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "suite")),
			    "ristretto255-SHA512");
	assert_int_equal(
		sodium_base642bin(pk, sizeof(pk),
				  json_string_value(json_object_get(doc, "public_key")),
				  strlen(json_string_value(json_object_get(doc, "public_key"))),
				  NULL, &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
		0);
	json_decref(doc);
	response_free(&r);

	assert_int_equal(
		pseudonym_input("iban", canon, strlen(canon), input, sizeof(input), &inlen), 0);
	assert_int_equal(voprf_blind(VOPRF_MODE_VOPRF, input, inlen, blind[0], blinded[0]), 0);
	sodium_bin2base64(b64, sizeof(b64), blinded[0], 32,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(body, sizeof(body), "{\"blinded\": [\"%s\"]}", b64);
	assert_int_equal(partner_call(key_b, "POST", "/v1/oprf/evaluate", body, &out), 200);
	doc = json_loads(out, 0, NULL);
	free(out);
	sodium_base642bin(evaluated[0], 32,
			  json_string_value(json_array_get(json_object_get(doc, "evaluated"), 0)),
			  43, NULL, &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_base642bin(proof, 64, json_string_value(json_object_get(doc, "proof")), 86, NULL,
			  &got, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	json_decref(doc);
	inputs[0] = input;

	/* A wrong proof is refused before anything is output. */
	proof[5] ^= 1;
	assert_int_not_equal(voprf_finalize(VOPRF_MODE_VOPRF, pk, inputs, &inlen,
					    (const uint8_t(*)[32])blind,
					    (const uint8_t(*)[32])blinded,
					    (const uint8_t(*)[32])evaluated, 1, proof, output),
			     0);
	proof[5] ^= 1;
	assert_int_equal(voprf_finalize(VOPRF_MODE_VOPRF, pk, inputs, &inlen,
					(const uint8_t(*)[32])blind, (const uint8_t(*)[32])blinded,
					(const uint8_t(*)[32])evaluated, 1, proof, output),
			 0);
	sodium_bin2base64(b64, sizeof(b64), output[0], 64,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(body, sizeof(body), "{\"items\": [{\"pseudonym\": \"%s\"}]}", b64);
	assert_int_equal(partner_call(key_b, "POST", "/v1/lookup", body, &out), 200);
	assert_non_null(strstr(out, "\"known\":true"));
	assert_non_null(strstr(out, "iban_three_reports"));
	free(out);

	/* Not a point: refused. */
	assert_int_equal(
		partner_call(key_b, "POST", "/v1/oprf/evaluate",
			     "{\"blinded\": [\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}",
			     NULL),
		422);
	/* A valid element with its top bit set: non-canonical (RFC 9496), refused. */
	blinded[0][31] |= 0x80;
	sodium_bin2base64(b64, sizeof(b64), blinded[0], 32,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(body, sizeof(body), "{\"blinded\": [\"%s\"]}", b64);
	assert_int_equal(partner_call(key_b, "POST", "/v1/oprf/evaluate", body, NULL), 422);
	assert_int_equal(partner_call("sk_none", "POST", "/v1/oprf/evaluate", body, NULL), 401);
}

/* Blind evaluations are metered per partner: past the quota, 429 with Retry-After. */
static void test_oprf_quota(void **state)
{
	const char *extra[] = { "--oprf-quota", "3", NULL };
	char dir[64], data[128], key[64], body[300], b64[3][64];
	struct server s;
	struct response r;
	char auth[96];
	const char *h[] = { "Content-Type: application/json", auth, NULL };

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	const char *add[] = { "partner", "add",	     "--data-dir", data, "--name",
			      "KPN",	 "--sector", "telecom",	   NULL };
	cli_ok(add, NULL, 0);
	const char *kc[] = { "partner", "key", "create", "--data-dir", data, "KPN", NULL };
	cli_ok(kc, key, sizeof(key));
	server_start_in(&s, dir, extra);
	for (int i = 0; i < 3; i++) {
		uint8_t p[32];

		crypto_core_ristretto255_random(p);
		sodium_bin2base64(b64[i], sizeof(b64[i]), p, 32,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	}
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	snprintf(body, sizeof(body), "{\"blinded\": [\"%s\", \"%s\"]}", b64[0], b64[1]);
	http_do(&s, "POST", "/v1/oprf/evaluate", h, body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	/* A batch larger than what is left is refused whole, and costs nothing... */
	http_do(&s, "POST", "/v1/oprf/evaluate", h, body, strlen(body), &r);
	assert_int_equal(r.status, 429);
	assert_true(strtol(r.retry_after, NULL, 10) >= 1);
	assert_non_null(strstr(r.body, "quota-exceeded"));
	response_free(&r);
	/* ... so the one evaluation left is still there. */
	snprintf(body, sizeof(body), "{\"blinded\": [\"%s\"]}", b64[2]);
	http_do(&s, "POST", "/v1/oprf/evaluate", h, body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	http_do(&s, "POST", "/v1/oprf/evaluate", h, body, strlen(body), &r);
	assert_int_equal(r.status, 429);
	response_free(&r);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* Reads from fd until `want` appears or ms pass; returns whether it did. */
static int read_until(int fd, char *buf, size_t cap, const char *want, int ms)
{
	size_t got = strlen(buf);

	for (int waited = 0; waited < ms; waited += 50) {
		struct timeval tv = { 0, 50000 };
		fd_set fds;

		if (strstr(buf, want))
			return 1;
		FD_ZERO(&fds);
		FD_SET(fd, &fds);
		if (select(fd + 1, &fds, NULL, NULL, &tv) > 0) {
			ssize_t n = read(fd, buf + got, cap - 1 - got);

			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
		}
	}
	return strstr(buf, want) != NULL;
}

static int stream_open(const char *key, const char *last_id)
{
	char req[512];
	int fd = raw_connect(&srv), n;

	n = snprintf(req, sizeof(req),
		     "GET /v1/alerts/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		     "%s%s%s\r\n",
		     key, last_id ? "Last-Event-ID: " : "", last_id ? last_id : "",
		     last_id ? "\r\n" : "");
	assert_int_equal(write(fd, req, (size_t)n), n);
	return fd;
}

/* The event stream sends what the feed has, resumes after Last-Event-ID, and wakes for new alerts. */
static void test_event_stream(void **state)
{
	static char buf[65536];
	char last[32];
	const char *p;
	int fd;

	(void)state;
	buf[0] = '\0';
	fd = stream_open(key_a, NULL);
	assert_true(read_until(fd, buf, sizeof(buf), "NL91ABNA0417164300", 3000));
	assert_non_null(strstr(buf, "Content-Type: text/event-stream"));
	assert_non_null(strstr(buf, "event: alert"));
	/* Take everything the feed has, then resume after the last event. */
	read_until(fd, buf, sizeof(buf), "no such text", 700);
	p = NULL;
	for (const char *q = strstr(buf, "\nid: "); q; q = strstr(q + 1, "\nid: "))
		p = q + 1;
	assert_non_null(p);
	snprintf(last, sizeof(last), "%.*s", (int)strcspn(p + 4, "\r\n"), p + 4);
	close(fd);

	/* Resumed after the last event: nothing old comes again... */
	buf[0] = '\0';
	fd = stream_open(key_a, last);
	assert_false(read_until(fd, buf, sizeof(buf), "event: alert", 1500));
	/* ...but a new alert comes at once. */
	for (int i = 1; i <= 3; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.51.100.%d", 20 + i);
		report_from(addr, "bank_helpdesk", "iban", "NL02ABNA0123456789", "beneficiary");
	}
	assert_true(read_until(fd, buf, sizeof(buf), "NL02ABNA0123456789", 3000));
	/* Left open: the server must still stop cleanly (teardown checks exit 0). */
	(void)fd;
}

/*
 * SIGKILL while a delivery is under way (the receiver is slow to answer):
 * after the restart the alert is sent again, with the same webhook-id.
 */
static void test_delivery_survives_sigkill(void **state)
{
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				"true", NULL };
	struct receiver slow;
	char dir[64], data[128];
	json_t *d;

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	receiver_start(&slow, dir, "slow-bank", SECRET,
		       (const char *const[]){ "--delay-ms", "3000", NULL });
	partner_add(data, "Rabobank", "bank", "--bank-code", "RABO", &slow);
	server_start_in(&srv, dir, extra);
	for (int i = 1; i <= 3; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		report_from(addr, "purchase_fraud", "iban", "NL44RABO0123456789", "beneficiary");
	}
	d = wait_deliveries(&slow, 1, 3000);
	assert_int_equal(json_array_size(d), 1); /* sent, the answer not yet back */
	json_decref(d);
	assert_int_equal(server_stop(&srv, SIGKILL), 128 + SIGKILL);
	server_start_in(&srv, dir, extra);
	d = wait_deliveries(&slow, 2, 10000);
	assert_true(json_array_size(d) >= 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(d, 1), "id")),
			    json_string_value(json_object_get(json_array_get(d, 0), "id")));
	assert_string_equal(json_string_value(json_object_get(alert_body(d, 1), "value")),
			    "NL44RABO0123456789");
	json_decref(d);
	receiver_stop(&slow);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_published),
		cmocka_unit_test(test_three_independent_reports_alert_the_bank_and_police),
		cmocka_unit_test(test_feed_shows_each_partner_its_own),
		cmocka_unit_test(test_receiver_down_then_up),
		cmocka_unit_test(test_signals_follow_tlp),
		cmocka_unit_test(test_signal_feedback_and_retraction),
		cmocka_unit_test(test_referral_to_police),
		cmocka_unit_test(test_withdrawal_retracts_alert),
		cmocka_unit_test(test_admin_api),
		cmocka_unit_test(test_public_check_and_lookup),
		cmocka_unit_test(test_index_follows_other_process_and_restart),
		cmocka_unit_test(test_batch_body_cap),
		cmocka_unit_test(test_blind_lookup),
		cmocka_unit_test(test_event_stream),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
	const struct CMUnitTest crash[] = {
		cmocka_unit_test(test_delivery_survives_sigkill),
	};
	const struct CMUnitTest quota[] = {
		cmocka_unit_test(test_oprf_quota),
	};

	failed = cmocka_run_group_tests_name("alerts", tests, start, stop);
	failed += cmocka_run_group_tests_name("alerts-crash", crash, NULL, stop_crash);
	failed += cmocka_run_group_tests_name("oprf-quota", quota, NULL, NULL);
	http_thread_done();
	curl_global_cleanup();
	return failed;
}
