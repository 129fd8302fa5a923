/*
 * test_authz.c - who may call what: every route of the API with every kind
 * of caller, against one table; the security headers on every answer; and
 * the analysts' statistics with their protection of small numbers.
 *
 * The table is checked against the server's own route table (api_routes),
 * so a route added without a row here fails this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "harness.h"

static struct server srv;
static char data[160];

/* The callers; a partner of every sector the taxonomy knows is one column. */
enum who { ANON, CODE, PARTNER, ANALYST, ADMIN, REVOKED_PARTNER, REVOKED_ADMIN, NWHO };
static const char *const who_name[NWHO] = { "anonymous",	"holder of the code",
					    "partner",		"analyst",
					    "administrator",	"revoked partner key",
					    "revoked admin key" };

/*
 * Expected outcome per caller, in the order of enum who:
 *   A  allowed: the request passes the gate (any status but 401, 403 and 5xx;
 *      a 404 for an unknown resource or a 4xx for the empty body is fine)
 *   U  401 with WWW-Authenticate
 *   F  403
 *   N  404: a code the caller does not hold is not found, never "forbidden"
 */
static const struct {
	const char *method, *pattern, *expect;
} matrix[] = {
	{ "GET", "/healthz", "AAAAAAA" },
	{ "GET", "/readyz", "AAAAAAA" },
	{ "GET", "/metrics", "AAAAAAA" },
	{ "GET", "/v1/version", "AAAAAAA" },
	{ "POST", "/v1/identifiers/normalize", "AAAAAAA" },
	{ "GET", "/v1/taxonomy", "AAAAAAA" },
	{ "GET", "/v1/municipalities", "AAAAAAA" },
	{ "POST", "/v1/reports", "AAAAAAA" },
	{ "GET", "/v1/advice", "AAAAAAA" },
	{ "GET", "/v1/rules", "AAAAAAA" },
	{ "GET", "/v1/check", "AAAAAAA" },
	{ "GET", "/v1/stats", "UUFAUUU" },
	{ "GET", "/v1/stats/public", "AAAAAAA" },
	{ "POST", "/v1/lookup", "UUAFUUU" },
	{ "GET", "/v1/oprf/key", "AAAAAAA" },
	{ "POST", "/v1/oprf/evaluate", "UUAFUUU" },
	{ "GET", "/v1/alerts", "UUAFUUU" },
	{ "GET", "/v1/alerts/stream", "UUAFUUU" },
	{ "PUT", "/v1/referrals/{id}", "UUAFUUU" },
	{ "GET", "/v1/admin/partners", "UUUUAUU" },
	{ "POST", "/v1/admin/partners", "UUUUAUU" },
	{ "POST", "/v1/admin/partners/{name}/keys", "UUUUAUU" },
	{ "DELETE", "/v1/admin/keys/{prefix}", "UUUUAUU" },
	{ "POST", "/v1/signals", "UUAFUUU" },
	{ "GET", "/v1/signals/{id}", "UUAFUUU" },
	{ "POST", "/v1/signals/{id}/feedback", "UUAFUUU" },
	{ "GET", "/v1/cases/{code}", "NANNNNN" },
	{ "DELETE", "/v1/cases/{code}", "NANNNNN" },
	{ "POST", "/v1/cases/{code}/additions", "NANNNNN" },
	{ "PUT", "/v1/cases/{code}/consent", "NANNNNN" },
	{ "GET", "/v1/cases/{code}/police-report", "NANNNNN" },
	{ "GET", "/v1/audit/checkpoint", "AAAAAAA" },
	{ "GET", "/v1/audit/key", "AAAAAAA" },
	{ "GET", "/v1/audit/entries", "AAAAAAA" },
	{ "GET", "/v1/audit/proof/inclusion", "AAAAAAA" },
	{ "GET", "/v1/audit/proof/consistency", "AAAAAAA" },
	{ "POST", "/v1/subject-requests", "AAAAAAA" },
	{ "GET", "/v1/subject-requests/{code}", "NANNNNN" },
	{ "GET", "/", "AAAAAAA" },
	{ "GET", "/report", "AAAAAAA" },
	{ "GET", "/advice", "AAAAAAA" },
	{ "GET", "/check", "AAAAAAA" },
	{ "GET", "/case", "AAAAAAA" },
	{ "GET", "/subject", "AAAAAAA" },
	{ "GET", "/static/{file}", "AAAAAAA" },
	{ "GET", "/favicon.ico", "AAAAAAA" },
};

#define MAX_SECTORS 16
static char sectors[MAX_SECTORS][32];
static char partner_keys[MAX_SECTORS][64];
static size_t nsectors;
static char analyst_key[64], admin_key[64], revoked_partner[64], revoked_admin[64];
static char subject_code[64];
static unsigned client_seq;

static void cli_key(const char *const *argv, char *key, size_t keysz)
{
	char *out, *err;
	int rc = run_cli(argv, NULL, &out, &err);

	if (rc != 0)
		fail_msg("signaal %s %s %s: exit %d: %s", argv[0], argv[1], argv[2], rc, err);
	if (key) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(key, keysz, "%s", out);
	}
	free(out);
	free(err);
}

static void add_partner(const char *name, const char *sector, char *key, size_t keysz)
{
	const char *add[] = { "partner", "add",	     "--data-dir", data, "--name",
			      name,	 "--sector", sector,	   NULL };
	const char *make[] = { "partner", "key", "create", "--data-dir", data, name, NULL };

	cli_key(add, NULL, 0);
	cli_key(make, key, keysz);
}

/* A request from a client address of its own, so no per-address limit is shared. */
static void call(const char *method, const char *path, const char *auth, const char *body,
		 struct response *r)
{
	char xff[64], authz[128];
	const char *h[4] = { "Content-Type: application/json", xff, NULL, NULL };
	unsigned n = ++client_seq;

	snprintf(xff, sizeof(xff), "X-Forwarded-For: 10.%u.%u.%u", (n >> 16) & 255, (n >> 8) & 255,
		 n & 255);
	if (auth) {
		snprintf(authz, sizeof(authz), "Authorization: Bearer %s", auth);
		h[2] = authz;
	}
	http_do(&srv, method, path, h, body, body ? strlen(body) : 0, r);
}

static json_t *call_json(const char *method, const char *path, const char *auth, const char *body,
			 long want)
{
	struct response r;
	json_t *doc;

	call(method, path, auth, body, &r);
	if (r.status != want)
		fail_msg("%s %s: %ld, not %ld: %s", method, path, r.status, want, r.body);
	doc = json_loadb(r.body, r.len, 0, NULL);
	if (!doc)
		fail_msg("%s %s: not JSON: %s", method, path, r.body);
	response_free(&r);
	return doc;
}

/* A new report; its case code into code. */
static void new_case(const char *body, char *code, size_t codesz)
{
	json_t *doc = call_json("POST", "/v1/reports", NULL, body, 201);

	snprintf(code, codesz, "%s", json_string_value(json_object_get(doc, "case_code")));
	json_decref(doc);
}

static int start(void **state)
{
	const char *extra[] = { "--trusted-proxies",
				"127.0.0.1",
				"--report-rate-limit",
				"0",
				"--check-rate-limit",
				"0",
				NULL };
	json_t *tx, *list;
	size_t i;

	(void)state;
	server_start(&srv, extra);
	snprintf(data, sizeof(data), "%s/data", srv.dir);
	tx = call_json("GET", "/v1/taxonomy", NULL, NULL, 200);
	list = json_object_get(tx, "partner_sectors");
	for (i = 0; i < json_array_size(list) && nsectors < MAX_SECTORS; i++) {
		const char *code =
			json_string_value(json_object_get(json_array_get(list, i), "code"));
		char name[64];

		snprintf(sectors[nsectors], sizeof(sectors[0]), "%s", code);
		snprintf(name, sizeof(name), "partner-%s", code);
		add_partner(name, code, partner_keys[nsectors], sizeof(partner_keys[0]));
		nsectors++;
	}
	json_decref(tx);
	assert_true(nsectors >= 8);
	add_partner("analysts", "analyst", analyst_key, sizeof(analyst_key));
	add_partner("gone", "bank", revoked_partner, sizeof(revoked_partner));
	{
		char prefix[16];
		const char *argv[] = {
			"partner", "key", "revoke", "--data-dir", data, prefix, NULL
		};

		snprintf(prefix, sizeof(prefix), "%.11s", revoked_partner);
		cli_key(argv, NULL, 0);
	}
	{
		const char *mk[] = { "admin", "key", "create", "--data-dir", data, "ops", NULL };
		const char *mk2[] = { "admin", "key", "create", "--data-dir", data, "old", NULL };
		char prefix[16];
		const char *rv[] = { "admin", "key", "revoke", "--data-dir", data, prefix, NULL };

		cli_key(mk, admin_key, sizeof(admin_key));
		cli_key(mk2, revoked_admin, sizeof(revoked_admin));
		snprintf(prefix, sizeof(prefix), "%.11s", revoked_admin);
		cli_key(rv, NULL, 0);
	}
	{
		json_t *doc = call_json("POST", "/v1/subject-requests", NULL,
					"{\"type\": \"access\", \"kind\": \"iban\", \"value\": "
					"\"NL91ABNA0417164300\", \"contact\": \"a@example.org\"}",
					202);

		snprintf(subject_code, sizeof(subject_code), "%s",
			 json_string_value(json_object_get(doc, "request_code")));
		json_decref(doc);
	}
	return 0;
}

static int stop(void **state)
{
	(void)state;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	server_cleanup(&srv);
	return 0;
}

/* The path with its parameters filled in for `who`. */
static void fill(const char *pattern, enum who w, char *out, size_t outsz)
{
	size_t o = 0;

	for (const char *p = pattern; *p && o + 1 < outsz;) {
		if (*p != '{') {
			out[o++] = *p++;
			continue;
		}
		const char *end = strchr(p, '}');
		char name[32], value[96];

		snprintf(name, sizeof(name), "%.*s", (int)(end - p - 1), p + 1);
		if (strcmp(name, "code") == 0 && w == CODE &&
		    strncmp(pattern, "/v1/cases/", 10) == 0)
			new_case("{\"fraud_type\": \"phishing\"}", value, sizeof(value));
		else if (strcmp(name, "code") == 0 && w == CODE)
			snprintf(value, sizeof(value), "%s", subject_code);
		else if (strcmp(name, "code") == 0)
			snprintf(value, sizeof(value), "%s", "ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345");
		else if (strcmp(name, "file") == 0)
			snprintf(value, sizeof(value), "common.js");
		else if (strcmp(name, "name") == 0)
			snprintf(value, sizeof(value), "nobody");
		else if (strcmp(name, "prefix") == 0)
			snprintf(value, sizeof(value), "sk_nothing0");
		else
			snprintf(value, sizeof(value), "999999");
		o += (size_t)snprintf(out + o, outsz - o, "%s", value);
		if (o >= outsz)
			o = outsz - 1;
		p = end + 1;
	}
	out[o] = '\0';
}

/* The status of a request whose answer does not end (the event stream). */
static long stream_status(const char *path, const char *auth)
{
	char req[512], buf[4096];
	int fd = raw_connect(&srv);
	long status = 0;

	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%sConnection: close\r\n\r\n", path,
		 auth ? "Authorization: Bearer " : "", auth ? auth : "", auth ? "\r\n" : "");
	assert_true(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	raw_read_all(fd, buf, sizeof(buf), 300);
	close(fd);
	if (sscanf(buf, "HTTP/1.1 %ld", &status) != 1)
		fail_msg("no status line from %s: %s", path, buf);
	return status;
}

static void check_headers(const char *what, const struct response *r, bool personal)
{
	if (strcmp(r->nosniff, "nosniff") != 0)
		fail_msg("%s: X-Content-Type-Options '%s'", what, r->nosniff);
	if (strcmp(r->frame_options, "DENY") != 0)
		fail_msg("%s: X-Frame-Options '%s'", what, r->frame_options);
	if (strcmp(r->referrer_policy, "no-referrer") != 0)
		fail_msg("%s: Referrer-Policy '%s'", what, r->referrer_policy);
	if (strcmp(r->corp, "same-origin") != 0)
		fail_msg("%s: Cross-Origin-Resource-Policy '%s'", what, r->corp);
	if (!strstr(r->csp, "frame-ancestors 'none'"))
		fail_msg("%s: Content-Security-Policy '%s'", what, r->csp);
	if (!r->cache_control[0])
		fail_msg("%s: no Cache-Control", what);
	if (personal && strcmp(r->cache_control, "no-store") != 0)
		fail_msg("%s: Cache-Control '%s' on an answer for one caller", what,
			 r->cache_control);
}

static void expect(const char *what, char want, long status, const struct response *r)
{
	bool ok;

	switch (want) {
	case 'A': ok = status != 401 && status != 403 && status < 500; break;
	case 'U': ok = status == 401; break;
	case 'F': ok = status == 403; break;
	default: ok = status == 404; break;
	}
	if (!ok)
		fail_msg("%s: got %ld, expected %c", what, status, want);
	if (!r || status < 400)
		return;
	if (strcmp(r->content_type, "application/problem+json") != 0)
		fail_msg("%s: a %ld as '%s'", what, status, r->content_type);
	if (status == 401 && !strstr(r->www_authenticate, "Bearer"))
		fail_msg("%s: 401 without WWW-Authenticate", what);
}

static void one(const char *method, const char *pattern, enum who w, const char *key, char want,
		bool personal, const char *label)
{
	char path[256], what[512];
	struct response r;
	bool body = strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0;

	fill(pattern, w, path, sizeof(path));
	snprintf(what, sizeof(what), "%s %s as %s", method, path, label);
	if (strcmp(pattern, "/v1/alerts/stream") == 0) {
		expect(what, want, stream_status(path, key), NULL);
		return;
	}
	call(method, path, key, body ? "{}" : NULL, &r);
	expect(what, want, r.status, &r);
	/* Routes behind a key or a code answer for one caller only: never cached. */
	check_headers(what, &r, personal);
	response_free(&r);
}

static void test_every_route_with_every_caller(void **state)
{
	(void)state;
	/* The table and the server's routes are the same set. */
	for (size_t i = 0; i < api_nroutes; i++) {
		const char *m = http_method_name(api_routes[i].method);
		bool found = false;

		for (size_t j = 0; j < sizeof(matrix) / sizeof(matrix[0]); j++)
			found |= strcmp(matrix[j].method, m) == 0 &&
				 strcmp(matrix[j].pattern, api_routes[i].pattern) == 0;
		if (!found)
			fail_msg("route %s %s has no row in the authorisation matrix", m,
				 api_routes[i].pattern);
	}
	assert_int_equal(sizeof(matrix) / sizeof(matrix[0]), api_nroutes);

	for (size_t j = 0; j < sizeof(matrix) / sizeof(matrix[0]); j++) {
		const char *m = matrix[j].method, *p = matrix[j].pattern, *e = matrix[j].expect;
		bool personal = strpbrk(e, "UN") != NULL;

		assert_int_equal(strlen(e), NWHO);
		one(m, p, ANON, NULL, e[ANON], personal, who_name[ANON]);
		one(m, p, CODE, NULL, e[CODE], personal, who_name[CODE]);
		for (size_t s = 0; s < nsectors; s++) {
			char label[64];

			snprintf(label, sizeof(label), "partner (%s)", sectors[s]);
			one(m, p, PARTNER, partner_keys[s], e[PARTNER], personal, label);
		}
		one(m, p, ANALYST, analyst_key, e[ANALYST], personal, who_name[ANALYST]);
		one(m, p, ADMIN, admin_key, e[ADMIN], personal, who_name[ADMIN]);
		one(m, p, REVOKED_PARTNER, revoked_partner, e[REVOKED_PARTNER], personal,
		    who_name[REVOKED_PARTNER]);
		one(m, p, REVOKED_ADMIN, revoked_admin, e[REVOKED_ADMIN], personal,
		    who_name[REVOKED_ADMIN]);
	}
}

static void reports_in(const char *municipality, const char *fraud_type, int n, char codes[][64])
{
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"fraud_type\": \"%s\", \"loss\": {\"amount_cents\": 123456, \"currency\": "
		 "\"EUR\"}, \"victim\": {\"type\": \"citizen\", \"municipality\": \"%s\"}}",
		 fraud_type, municipality);
	for (int i = 0; i < n; i++) {
		char code[64];

		new_case(body, code, sizeof(code));
		if (codes)
			snprintf(codes[i], 64, "%s", code);
	}
}

/* The cell of `doc` whose `key` is `value`, or NULL. */
static json_t *cell(json_t *doc, const char *key, const char *value)
{
	json_t *cells = json_object_get(doc, "cells");

	for (size_t i = 0; i < json_array_size(cells); i++) {
		json_t *c = json_array_get(cells, i);
		const char *v = json_string_value(json_object_get(c, key));

		if (v && strcmp(v, value) == 0)
			return c;
	}
	return NULL;
}

static long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("no integer '%s'", key);
	return (long)json_integer_value(v);
}

static json_t *stats(const char *query, long want)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/stats%s", query);
	return call_json("GET", path, analyst_key, NULL, want);
}

/*
 * Counts by municipality, province and month; cells under the threshold
 * (5) left out; shown counts rounded to 5 and losses to EUR 100; withdrawn
 * reports gone; the public view only whole past months, threshold 10.
 */
static void test_statistics(void **state)
{
	char amsterdam[8][64], path[128], sql[256];
	json_t *doc, *c;
	time_t now = time(NULL);
	struct tm tm;

	(void)state;
	reports_in("GM0363", "phishing", 8, amsterdam); /* Amsterdam, Noord-Holland */
	reports_in("GM0014", "phishing", 3, NULL);	/* Groningen */
	reports_in("GM0034", "bank_helpdesk", 7, NULL); /* Almere, Flevoland */

	doc = stats("?group=municipality,fraud_type", 200);
	c = cell(doc, "municipality", "GM0363");
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "municipality_name")),
			    "Amsterdam");
	assert_string_equal(json_string_value(json_object_get(c, "fraud_type")), "phishing");
	assert_int_equal(num(c, "reports"), 10);    /* 8, rounded */
	assert_int_equal(num(c, "loss_eur"), 9900); /* 8 x 1234.56 */
	c = cell(doc, "municipality", "GM0034");
	assert_non_null(c);
	assert_int_equal(num(c, "reports"), 5); /* 7, rounded */
	assert_int_equal(num(c, "loss_eur"), 8600);
	assert_null(cell(doc, "municipality", "GM0014")); /* 3: left out */
	assert_int_equal(num(doc, "suppressed"), 1);
	assert_int_equal(num(doc, "min_cell"), 5);
	json_decref(doc);

	doc = stats("?group=province", 200);
	assert_int_equal(num(cell(doc, "province", "PV27"), "reports"), 10);
	assert_string_equal(
		json_string_value(json_object_get(cell(doc, "province", "PV27"), "province_name")),
		"Noord-Holland");
	assert_int_equal(num(cell(doc, "province", "PV24"), "reports"), 5);
	assert_null(cell(doc, "province", "PV20"));
	json_decref(doc);

	gmtime_r(&now, &tm);
	snprintf(path, sizeof(path), "?group=month&from=%04d-%02d&to=%04d-%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_mon + 1);
	doc = stats(path, 200);
	assert_int_equal(json_array_size(json_object_get(doc, "cells")), 1);
	assert_int_equal(num(json_array_get(json_object_get(doc, "cells"), 0), "reports"), 20);
	json_decref(doc);

	/* Two Amsterdam reports withdrawn: 6 left, shown as 5. */
	for (int i = 0; i < 2; i++) {
		struct response r;

		snprintf(path, sizeof(path), "/v1/cases/%.63s", amsterdam[i]);
		call("DELETE", path, NULL, NULL, &r);
		assert_int_equal(r.status / 100, 2);
		response_free(&r);
	}
	doc = stats("?group=municipality", 200);
	assert_int_equal(num(cell(doc, "municipality", "GM0363"), "reports"), 5);
	assert_int_equal(num(cell(doc, "municipality", "GM0363"), "loss_eur"), 7400);
	json_decref(doc);

	/* Refused queries name the parameter. */
	doc = stats("?group=street", 400);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(doc, "errors"), 0), "field")),
			    "group");
	json_decref(doc);
	json_decref(stats("?group=province,province", 400));
	json_decref(stats("?from=2026-13", 400));
	json_decref(stats("?from=2026-05&to=2026-04", 400));
	json_decref(stats("?from=2000-01&to=2026-04", 400));

	/* The public view: this month is not in it yet. */
	doc = call_json("GET", "/v1/stats/public?group=province", NULL, NULL, 200);
	assert_int_equal(json_array_size(json_object_get(doc, "cells")), 0);
	assert_int_equal(num(doc, "min_cell"), 10);
	json_decref(doc);
	/* Amsterdam reaches 12 open reports; Amsterdam and Groningen move to last month. */
	reports_in("GM0363", "phishing", 6, NULL);
	tm.tm_mon -= 1;
	if (tm.tm_mon < 0) {
		tm.tm_mon = 11;
		tm.tm_year -= 1;
	}
	snprintf(sql, sizeof(sql),
		 "UPDATE reports SET created_at = '%04d-%02d-15T12:00:00Z' WHERE municipality IN "
		 "('GM0363', 'GM0014')",
		 tm.tm_year + 1900, tm.tm_mon + 1);
	db_exec_dir(srv.dir, sql); /* the same SQL on both backends */
	doc = call_json("GET", "/v1/stats/public?group=province", NULL, NULL, 200);
	assert_int_equal(num(cell(doc, "province", "PV27"), "reports"), 10); /* 12 */
	assert_null(cell(doc, "province", "PV20"));			     /* 3 */
	assert_null(cell(doc, "province", "PV24"));			     /* this month */
	assert_int_equal(num(doc, "suppressed"), 1);
	json_decref(doc);
	json_decref(call_json("GET", "/v1/stats/public?group=province,month", NULL, NULL, 400));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* First: the matrix adds reports of its own. */
		cmocka_unit_test(test_statistics),
		cmocka_unit_test(test_every_route_with_every_caller),
	};

	return cmocka_run_group_tests(tests, start, stop);
}
