/*
 * test_faults.c - faults the server must ride out without losing what it
 * acknowledged: a full disk while reports come in, and a database locked
 * by another process for longer than the busy timeout.
 *
 * The full disk is a real one: a small tmpfs mounted on the data
 * directory (this needs root, as CI has; elsewhere the test is skipped),
 * grown again while the server runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "store/pg_int.h"

#define MAX_REPORTS 3000

static const char *const json_ct[] = { "Content-Type: application/json", NULL };

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){ ms / 1000, (long)(ms % 1000) * 1000000L }, NULL);
}

/* A report of about 8 KB, so that a small disk fills in a few hundred. */
static char *big_report(void)
{
	static char body[9000];
	char text[8001];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"phishing\", \"description\": \"%s\", \"identifiers\": "
		 "[{\"kind\": \"iban\", \"value\": \"NL91ABNA0417164300\", \"role\": "
		 "\"beneficiary\"}]}",
		 text);
	return body;
}

/* Posts a report; its status, and its case code into code when 201. */
static long post_report(struct server *s, const char *body, char *code, size_t codesz,
			struct response *out)
{
	struct response r;

	http_do(s, "POST", "/v1/reports", json_ct, body, strlen(body), &r);
	if (r.status == 201) {
		json_t *doc = json_loadb(r.body, r.len, 0, NULL);

		snprintf(code, codesz, "%s", json_string_value(json_object_get(doc, "case_code")));
		json_decref(doc);
	}
	if (out)
		*out = r;
	else
		response_free(&r);
	return r.status;
}

static void assert_problem_503(const struct response *r, const char *what)
{
	if (r->status != 503)
		fail_msg("%s: %ld, not 503: %s", what, r->status, r->body);
	assert_string_equal(r->content_type, "application/problem+json");
	assert_true(strtol(r->retry_after, NULL, 10) >= 1);
}

__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/*
 * The disk fills while reports come in: each report is either acknowledged
 * (201) or refused with a 503 problem and Retry-After, never a 500 and
 * never half stored; health stays up; when space returns the server takes
 * reports again without a restart; every acknowledged report opens; the
 * database passes its integrity check.
 */
static void test_disk_full(void **state)
{
	char dir[64], data[128], (*codes)[64];
	const char *body = big_report();
	struct server s;
	struct response r;
	int acked = 0, refused = 0, found = 0;
	long status;

	(void)state;
	if (harness_pg())
		skip(); /* the disk that fills is the database server's, not this process's */
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	mkdir(data, 0700);
	codes = calloc(MAX_REPORTS, 64);
	assert_non_null(codes);
	if (sh("mount -t tmpfs -o size=3m,mode=0700 signaal-test %s 2>/dev/null", data) != 0) {
		free(codes);
		sh("rm -rf %s", dir);
		skip(); /* not root: no small disk to fill */
	}
	server_start_in(&s, dir, NULL);
	for (int i = 0; i < MAX_REPORTS && refused < 5; i++) {
		status = post_report(&s, body, codes[acked], sizeof(codes[0]), &r);
		if (status == 201) {
			acked++;
		} else {
			assert_problem_503(&r, "a report on a full disk");
			refused++;
		}
		response_free(&r);
	}
	print_message("disk full after %d reports\n", acked);
	assert_true(acked > 10);
	assert_int_equal(refused, 5);
	/* The process serves on: health, reads and the case of an acknowledged report. */
	http_do(&s, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);

	/* Space returns: reports are taken again, without a restart. */
	assert_int_equal(sh("mount -o remount,size=64m %s", data), 0);
	for (int i = 0; i < 100; i++) {
		status = post_report(&s, body, codes[acked], sizeof(codes[0]), NULL);
		if (status == 201) {
			acked++;
			break;
		}
		sleep_ms(100);
	}
	assert_int_equal(status, 201);
	for (int i = 0; i < acked; i++) {
		char path[128];

		snprintf(path, sizeof(path), "/v1/cases/%s", codes[i]);
		http_do(&s, "GET", path, NULL, NULL, 0, &r);
		found += r.status == 200;
		response_free(&r);
	}
	assert_int_equal(found, acked);
	/* Exactly the acknowledged reports, each whole. */
	assert_int_equal(db_count(&s, "SELECT count(*) FROM reports"), acked);
	assert_int_equal(db_count(&s, "SELECT count(*) FROM reports r WHERE NOT EXISTS (SELECT 1 "
				      "FROM report_identifiers i WHERE i.report_id = r.id)"),
			 0);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	assert_int_equal(db_count(&s, "SELECT count(*) FROM pragma_integrity_check WHERE "
				      "integrity_check != 'ok'"),
			 0);
	sh("umount %s", data);
	server_cleanup(&s);
	free(codes);
}

/*
 * Another process holds the write lock for longer than the busy timeout:
 * reports are refused with 503 and Retry-After, nothing half written, and
 * taken again as soon as the lock is gone.
 */
/*
 * Another process holding the database's write lock: on SQLite an
 * IMMEDIATE transaction on the file, on PostgreSQL the advisory lock every
 * write transaction of every node takes (pg_int.h).
 */
struct db_lock {
	sqlite3 *db;
	PGconn *pg;
};

static void db_lock_take(struct server *s, struct db_lock *l)
{
	char path[600];
	PGresult *r;

	memset(l, 0, sizeof(*l));
	if (!harness_pg()) {
		snprintf(path, sizeof(path), "%s/data/signaal.db", s->dir);
		assert_int_equal(sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
				 SQLITE_OK);
		return;
	}
	l->pg = PQconnectdb(harness_store_url(s->dir, path, sizeof(path)));
	assert_int_equal(PQstatus(l->pg), CONNECTION_OK);
	r = PQexec(l->pg, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")");
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
}

static void db_lock_release(struct db_lock *l)
{
	PGresult *r;

	if (l->db) {
		assert_int_equal(sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(l->db);
		return;
	}
	r = PQexec(l->pg, "COMMIT");
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(l->pg);
}

static void test_database_busy(void **state)
{
	const char *extra[] = { "--busy-timeout-ms", "200", NULL };
	char code[64];
	struct server s;
	struct response r;
	struct db_lock lock;
	long before;

	(void)state;
	server_start(&s, extra);
	assert_int_equal(
		post_report(&s, "{\"fraud_type\": \"phishing\"}", code, sizeof(code), NULL), 201);
	before = db_count(&s, "SELECT count(*) FROM reports");
	db_lock_take(&s, &lock);
	for (int i = 0; i < 3; i++) {
		post_report(&s, "{\"fraud_type\": \"phishing\"}", code, sizeof(code), &r);
		assert_problem_503(&r, "a report while the database is locked");
		assert_non_null(strstr(r.body, "busy"));
		response_free(&r);
	}
	/* Reads go on meanwhile. */
	http_do(&s, "GET", "/readyz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	db_lock_release(&lock);
	assert_int_equal(db_count(&s, "SELECT count(*) FROM reports"), before);
	assert_int_equal(
		post_report(&s, "{\"fraud_type\": \"phishing\"}", code, sizeof(code), NULL), 201);
	assert_int_equal(db_count(&s, "SELECT count(*) FROM reports"), before + 1);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static void partner_with_hook(const char *data, const char *name, const char *sector,
			      const char *bank_code, const struct receiver *r)
{
	char url[96], *out, *err;
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
			       bank_code ? "--bank-code" : NULL,
			       bank_code,
			       NULL };

	snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", r->port);
	if (run_cli(argv, NULL, &out, &err) != 0)
		fail_msg("partner add: %s", err);
	free(out);
	free(err);
}

/* Lines in a receiver's log: the POSTs it has had. */
static int received(const struct receiver *r)
{
	FILE *f = fopen(r->log, "r");
	int n = 0, c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void three_reports(struct server *s, const char *iban, int net)
{
	for (int i = 0; i < 3; i++) {
		char body[256], xff[64];
		const char *h[] = { "Content-Type: application/json", xff, NULL };
		struct response r;

		snprintf(xff, sizeof(xff), "X-Forwarded-For: 198.51.%d.%d", net, i + 1);
		snprintf(body, sizeof(body),
			 "{\"fraud_type\": \"purchase_fraud\", \"identifiers\": [{\"kind\": "
			 "\"iban\", \"value\": \"%s\", \"role\": \"beneficiary\"}]}",
			 iban);
		http_do(s, "POST", "/v1/reports", h, body, strlen(body), &r);
		assert_int_equal(r.status, 201);
		response_free(&r);
	}
}

/*
 * A bank's receiver accepts connections and never answers.  The police's
 * alerts of the same reports arrive at once all the same; the bank's
 * delivery ends at its timeout as a failed attempt with a retry time, and
 * the bank's next alert is deferred to that time without an attempt.
 */
static struct receiver hung, police;
static struct server s;

/* Whatever a failed test left running is stopped here. */
static int stop_all(void **state)
{
	(void)state;
	if (s.pid > 0)
		server_stop(&s, SIGKILL);
	if (hung.pid > 0)
		kill(hung.pid, SIGKILL); /* it would finish its 60 s first */
	receiver_stop(&hung);
	receiver_stop(&police);
	server_cleanup(&s);
	return 0;
}

static void test_hung_receiver_holds_up_only_its_own(void **state)
{
	char dir[64], data[128];
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				"true", NULL };
	double t0;
	struct timespec ts;
	int waited;

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	receiver_start(&hung, dir, "hung-bank", SECRET,
		       (const char *const[]){ "--delay-ms", "60000", NULL });
	receiver_start(&police, dir, "police", SECRET, NULL);
	partner_with_hook(data, "Bank", "bank", "ABNA", &hung);
	partner_with_hook(data, "Politie", "police", NULL, &police);
	server_start_in(&s, dir, extra);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	three_reports(&s, "NL91ABNA0417164300", 1);
	three_reports(&s, "NL02ABNA0123456789", 2);
	for (waited = 0; received(&police) < 2 && waited < 20000; waited += 50)
		sleep_ms(50);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	print_message("police had both alerts after %.2f s\n",
		      (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0);
	assert_int_equal(received(&police), 2);
	/* Well before the bank's delivery could time out (10 s). */
	assert_true((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - t0 < 5.0);

	/* The bank's first alert: one failed attempt; the second: deferred, no attempt. */
	for (waited = 0; waited < 20000; waited += 100) {
		if (db_count(&s,
			     "SELECT count(*) FROM outbox o JOIN partners p ON p.id = "
			     "o.partner_id WHERE p.name = 'Bank' AND o.last_error IS NOT NULL") ==
		    2)
			break;
		sleep_ms(100);
	}
	assert_int_equal(db_count(&s, "SELECT count(*) FROM outbox o JOIN partners p ON p.id = "
				      "o.partner_id WHERE p.name = 'Bank' AND o.attempts = 1 AND "
				      "o.delivered_at IS NULL"),
			 1);
	/* Deferred to the same time as the failed one. */
	assert_int_equal(db_count(&s, "SELECT count(DISTINCT o.next_attempt_at) FROM outbox o JOIN "
				      "partners p ON p.id = o.partner_id WHERE p.name = 'Bank'"),
			 1);
	assert_int_equal(db_count(&s, "SELECT count(*) FROM outbox o JOIN partners p ON p.id = "
				      "o.partner_id WHERE p.name = 'Bank' AND o.attempts = 0 AND "
				      "o.last_error LIKE 'not sent:%'"),
			 1);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
}

/*
 * A receiver that closes the connection without answering, then recovers:
 * the first attempt is a failure with the transport's reason, the retry
 * delivers, and the alert arrives exactly once.
 */
static void test_dropped_connection_retried(void **state)
{
	char dir[64], data[128];
	const char *extra[] = { "--trusted-proxies", "127.0.0.1", "--webhook-allow-loopback",
				"true", NULL };
	int waited;

	(void)state;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	receiver_start(&hung, dir, "dropping-bank", SECRET,
		       (const char *const[]){ "--drop-first", "1", NULL });
	partner_with_hook(data, "Bank", "bank", "ABNA", &hung);
	server_start_in(&s, dir, extra);
	three_reports(&s, "NL91ABNA0417164300", 1);
	for (waited = 0; waited < 20000; waited += 100) {
		if (db_count(&s, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL") == 1)
			break;
		sleep_ms(100);
	}
	assert_int_equal(db_count(&s, "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL "
				      "AND attempts = 2"),
			 1);
	/* Two POSTs received: the dropped one and the delivery. */
	assert_int_equal(received(&hung), 2);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_database_busy),
		cmocka_unit_test_teardown(test_hung_receiver_holds_up_only_its_own, stop_all),
		cmocka_unit_test_teardown(test_dropped_connection_retried, stop_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
