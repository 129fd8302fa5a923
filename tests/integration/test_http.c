/* Black-box tests of the HTTP layer against the real server. */
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
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct server srv;

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

static json_t *body_json(const struct response *r)
{
	json_error_t e;
	json_t *doc = json_loadb(r->body, r->len, 0, &e);

	if (!doc)
		fail_msg("not JSON (%s): %s", e.text, r->body);
	return doc;
}

/* Checks an RFC 9457 problem and returns its document (caller decrefs). */
static json_t *expect_problem(const struct response *r, long status, const char *type)
{
	json_t *doc;

	assert_int_equal(r->status, status);
	assert_string_equal(r->content_type, "application/problem+json");
	doc = body_json(r);
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), status);
	assert_string_equal(json_string_value(json_object_get(doc, "type")), type);
	assert_non_null(json_string_value(json_object_get(doc, "title")));
	assert_non_null(json_string_value(json_object_get(doc, "detail")));
	return doc;
}

static void test_healthz_keeps_connection_alive(void **state)
{
	struct response r;

	(void)state;
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}");
	assert_string_equal(r.content_type, "application/json");
	assert_true(strlen(r.request_id) > 0);
	response_free(&r);
	/* The next requests reuse the connection: no new connect, no "close". */
	for (int i = 0; i < 5; i++) {
		http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &r);
		assert_int_equal(r.status, 200);
		assert_int_equal(r.connects, 0);
		assert_string_not_equal(r.connection, "close");
		response_free(&r);
	}
	http_do(&srv, "HEAD", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	response_free(&r);
}

static void test_request_ids(void **state)
{
	const char *given[] = { "X-Request-Id: abc-123.x", NULL };
	const char *hostile[] = { "X-Request-Id: a b\"<script>", NULL };
	struct response a, b, c;

	(void)state;
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &a);
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &b);
	assert_string_not_equal(a.request_id, b.request_id);
	/* Made ones: the server's 8 hex digits, '-', a counter in hex that counts on. */
	for (const char *id = a.request_id;; id = b.request_id) {
		size_t n = strlen(id);

		assert_true(n > 9 && n <= 8 + 1 + 16);
		assert_int_equal(strspn(id, "0123456789abcdef"), 8);
		assert_int_equal(id[8], '-');
		assert_int_equal(strspn(id + 9, "0123456789abcdef"), n - 9);
		if (id == b.request_id)
			break;
	}
	assert_memory_equal(a.request_id, b.request_id, 9);
	assert_int_equal(strtoul(b.request_id + 9, NULL, 16),
			 strtoul(a.request_id + 9, NULL, 16) + 1);
	http_do(&srv, "GET", "/healthz", given, NULL, 0, &c);
	assert_string_equal(c.request_id, "abc-123.x");
	response_free(&a);
	response_free(&b);
	response_free(&c);
	http_do(&srv, "GET", "/nope", hostile, NULL, 0, &a);
	assert_null(strchr(a.request_id, '<'));
	assert_true(strlen(a.request_id) > 0);
	response_free(&a);
}

static void test_readyz_and_version(void **state)
{
	struct response r;
	json_t *doc;

	(void)state;
	http_do(&srv, "GET", "/readyz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "ready");
	/* The backend in use. */
	assert_string_equal(json_string_value(json_object_get(doc, "store")),
			    harness_pg() ? "postgres" : "sqlite");
	assert_true(json_integer_value(json_object_get(doc, "schema_version")) >= 1);
	json_decref(doc);
	response_free(&r);
	http_do(&srv, "GET", "/v1/version", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "signaal");
	json_decref(doc);
	response_free(&r);
}

static void test_not_found_and_bad_method(void **state)
{
	struct response r;
	json_t *doc;

	(void)state;
	http_do(&srv, "GET", "/v1/no-such-thing", NULL, NULL, 0, &r);
	doc = expect_problem(&r, 404, "urn:signaal:problem:not-found");
	assert_non_null(
		strstr(json_string_value(json_object_get(doc, "detail")), "'/v1/no-such-thing'"));
	json_decref(doc);
	response_free(&r);

	http_do(&srv, "DELETE", "/healthz", NULL, NULL, 0, &r);
	json_decref(expect_problem(&r, 405, "urn:signaal:problem:method-not-allowed"));
	assert_string_equal(r.allow, "GET, HEAD");
	response_free(&r);

	http_do(&srv, "BREW", "/healthz", NULL, NULL, 0, &r);
	json_decref(expect_problem(&r, 405, "urn:signaal:problem:method-not-allowed"));
	response_free(&r);

	/* A path that tries to climb out is just not found. */
	http_do(&srv, "GET", "/v1/../../etc/passwd", NULL, NULL, 0, &r);
	assert_true(r.status == 404 || r.status == 400);
	response_free(&r);
}

static void test_oversized_body_refused_and_server_lives(void **state)
{
	size_t n = 2 * 1024 * 1024;
	char *big = malloc(n);
	const char *h[] = { "Content-Type: application/json", NULL };
	struct response r;

	(void)state;
	memset(big, 'a', n);
	http_do(&srv, "POST", "/healthz", h, big, n, &r);
	/* Either the early 413, or the route's 405 once read: never a crash or a hang. */
	assert_true(r.status == 413 || r.status == 405 || r.curl_error != CURLE_OK);
	if (r.status == 413)
		json_decref(expect_problem(&r, 413, "urn:signaal:problem:body-too-large"));
	response_free(&r);
	free(big);
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
}

static void test_metrics(void **state)
{
	struct response r;

	(void)state;
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &r);
	response_free(&r);
	http_do(&srv, "GET", "/nowhere", NULL, NULL, 0, &r);
	response_free(&r);
	http_do(&srv, "GET", "/metrics", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_true(strncmp(r.content_type, "text/plain", 10) == 0);
	assert_non_null(strstr(r.body, "# TYPE signaal_http_requests_total counter"));
	assert_non_null(strstr(r.body,
			       "signaal_http_requests_total{method=\"GET\",route=\"/healthz\","
			       "status=\"200\"}"));
	assert_non_null(strstr(r.body, "route=\"unmatched\",status=\"404\"}"));
	assert_non_null(strstr(r.body,
			       "signaal_http_request_duration_seconds_bucket{method=\"GET\","
			       "route=\"/healthz\",le=\"+Inf\"}"));
	assert_non_null(strstr(r.body, "signaal_db_errors_total 0"));
	response_free(&r);
}

/* The access log names routes, never paths: paths carry case codes and identifiers. */
static void test_access_log_holds_no_paths(void **state)
{
	char path[128], *log;
	struct response r;
	FILE *f;
	long n;

	(void)state;
	http_do(&srv, "GET", "/v1/cases/SECRET-CASE-CODE-123", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
	http_do(&srv, "GET", "/v1/version?iban=NL91ABNA0417164300", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	usleep(100 * 1000);
	snprintf(path, sizeof(path), "%s/server.log", srv.dir);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	log = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(log, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_non_null(strstr(log, "route=/v1/version status=200"));
	assert_non_null(strstr(log, "route=- status=404"));
	assert_null(strstr(log, "SECRET-CASE-CODE"));
	assert_null(strstr(log, "NL91ABNA"));
	free(log);
}

static void test_raw_garbage_and_huge_headers(void **state)
{
	char buf[4096];
	char *hdr;
	int fd;
	struct response r;

	(void)state;
	fd = raw_connect(&srv);
	assert_true(write(fd, "\x16\x03\x01garbage\r\n\r\n", 14) == 14);
	raw_read_all(fd, buf, sizeof(buf), 2000);
	close(fd);
	assert_true(buf[0] == '\0' || strncmp(buf, "HTTP/1.1 400", 12) == 0);

	/* 64 KiB of headers: refused, and the server goes on. */
	hdr = malloc(70000);
	int n = snprintf(hdr, 70000, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(hdr + n, 'b', 65536);
	memcpy(hdr + n + 65536, "\r\n\r\n", 5);
	fd = raw_connect(&srv);
	(void)!write(fd, hdr, strlen(hdr));
	raw_read_all(fd, buf, sizeof(buf), 2000);
	close(fd);
	free(hdr);
	assert_true(buf[0] == '\0' || strncmp(buf, "HTTP/1.1 4", 10) == 0);
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
}

/* ---- limits: a server of its own with small limits ---- */

static void test_idle_connections_are_closed(void **state)
{
	const char *extra[] = { "--connection-timeout", "1", "--max-connections", "4", NULL };
	static const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	struct server s;
	char buf[1024];
	int fds[4], fd5;
	struct response r;

	(void)state;
	server_start(&s, extra);
	for (int i = 0; i < 4; i++)
		fds[i] = raw_connect(&s);
	/*
	 * A fifth connection is over the limit: it waits in the listen queue
	 * until the idle ones are closed for their timeout, then it is served.
	 */
	fd5 = raw_connect(&s);
	assert_int_equal(write(fd5, get, sizeof(get) - 1), (ssize_t)sizeof(get) - 1);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(raw_read_all(fds[i], buf, sizeof(buf), 5000), 0);
		close(fds[i]);
	}
	raw_read_all(fd5, buf, sizeof(buf), 5000);
	close(fd5);
	assert_true(strncmp(buf, "HTTP/1.1 200", 12) == 0);
	http_do(&s, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	assert_int_equal(server_stop(&s, SIGTERM), 0);
	server_cleanup(&s);
}

/* A request whose body is still arriving when SIGTERM comes is answered in full. */
static void test_sigterm_answers_request_in_flight(void **state)
{
	static const char head[] = "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: "
				   "application/json\r\nContent-Length: 20\r\n\r\n{\"half\":";
	struct server s;
	char buf[2048];
	int fd;

	(void)state;
	server_start(&s, NULL);
	fd = raw_connect(&s);
	assert_int_equal(write(fd, head, sizeof(head) - 1), (ssize_t)sizeof(head) - 1);
	usleep(200 * 1000);
	kill(s.pid, SIGHUP); /* ignored: the server goes on */
	kill(s.pid, SIGTERM);
	usleep(300 * 1000);
	assert_int_equal(write(fd, "\"rest\"}     ", 12), 12);
	raw_read_all(fd, buf, sizeof(buf), 5000);
	close(fd);
	assert_true(strncmp(buf, "HTTP/1.1 405", 12) == 0);
	assert_non_null(strstr(buf, "urn:signaal:problem:method-not-allowed"));
	assert_int_equal(server_stop(&s, 0), 0); /* already stopping: just wait for it */
	server_cleanup(&s);
}

struct loader {
	struct server *s;
	atomic_int *stop;
	long ok, refused, bad;
};

static void *load_main(void *arg)
{
	struct loader *l = arg;

	while (!atomic_load(l->stop)) {
		struct response r;

		http_do(l->s, "GET", "/healthz", NULL, NULL, 0, &r);
		if (r.curl_error == CURLE_OK && r.status == 200 &&
		    strcmp(r.body, "{\"status\":\"ok\"}") == 0)
			l->ok++;
		else if (r.curl_error == CURLE_COULDNT_CONNECT)
			l->refused++; /* after the listener closed: never accepted */
		else
			l->bad++;
		response_free(&r);
		if (r.curl_error == CURLE_COULDNT_CONNECT)
			break;
	}
	http_thread_done();
	return NULL;
}

/* Under load, SIGTERM: answered requests are whole, the process exits 0. */
static void test_sigterm_under_load(void **state)
{
	struct server s;
	struct loader l[6];
	pthread_t t[6];
	atomic_int halt = 0;
	long ok = 0, bad = 0;

	(void)state;
	server_start(&s, NULL);
	for (int i = 0; i < 6; i++) {
		l[i] = (struct loader){ &s, &halt, 0, 0, 0 };
		pthread_create(&t[i], NULL, load_main, &l[i]);
	}
	usleep(500 * 1000);
	kill(s.pid, SIGTERM);
	usleep(500 * 1000);
	atomic_store(&halt, 1);
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		ok += l[i].ok;
		bad += l[i].bad;
	}
	assert_int_equal(server_stop(&s, 0), 0);
	print_message("answered %ld, failed %ld\n", ok, bad);
	assert_true(ok > 100);
	/*
	 * A keep-alive request can race the final close of an idle connection
	 * (the client then retries); whole-request losses must stay that rare.
	 */
	assert_true(bad <= 6);
	server_cleanup(&s);
}

int main(void)
{
	const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_healthz_keeps_connection_alive),
		cmocka_unit_test(test_request_ids),
		cmocka_unit_test(test_readyz_and_version),
		cmocka_unit_test(test_not_found_and_bad_method),
		cmocka_unit_test(test_oversized_body_refused_and_server_lives),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_raw_garbage_and_huge_headers),
		cmocka_unit_test(test_access_log_holds_no_paths),
	};
	const struct CMUnitTest own[] = {
		cmocka_unit_test(test_idle_connections_are_closed),
		cmocka_unit_test(test_sigterm_answers_request_in_flight),
		cmocka_unit_test(test_sigterm_under_load),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
	failed = cmocka_run_group_tests_name("http", shared, start, stop);
	failed += cmocka_run_group_tests_name("lifecycle", own, NULL, NULL);
	http_thread_done();
	curl_global_cleanup();
	return failed;
}
