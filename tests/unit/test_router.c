/* Unit tests for http/router.c: matching, parameters, 404 versus 405. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "http/http.h"

static void h(struct http_req *req, struct http_reply *rep)
{
	(void)req;
	(void)rep;
}

static const struct route routes[] = {
	{ HTTP_GET, "/healthz", h, 0, NULL },
	{ HTTP_GET, "/v1/cases/{code}", h, 0, NULL },
	{ HTTP_POST, "/v1/cases/{code}/additions", h, 0, NULL },
	{ HTTP_DELETE, "/v1/cases/{code}", h, 0, NULL },
	{ HTTP_POST, "/v1/signals", h, 0, NULL },
	{ HTTP_GET, "/v1/signals/{id}/feedback/{fid}", h, 0, NULL },
	{ HTTP_GET, "/v1/signals/latest", h, 0, NULL },
};
#define N (sizeof(routes) / sizeof(routes[0]))

struct match_case {
	enum http_method m;
	const char *path;
	int want; /* route index, ROUTE_NOT_FOUND or ROUTE_BAD_METHOD */
	const char *p1, *v1, *p2, *v2;
	const char *allow; /* for ROUTE_BAD_METHOD */
};

static void test_table(void **state)
{
	static const struct match_case cases[] = {
		{ HTTP_GET, "/healthz", 0, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_HEAD, "/healthz", 0, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "/healthz/", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "/healthzz", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "/health", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "healthz", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_POST, "/healthz", ROUTE_BAD_METHOD, NULL, NULL, NULL, NULL, "GET, HEAD" },
		{ HTTP_GET, "/v1/cases/ABC-123", 1, "code", "ABC-123", NULL, NULL, NULL },
		{ HTTP_DELETE, "/v1/cases/x", 3, "code", "x", NULL, NULL, NULL },
		{ HTTP_PUT, "/v1/cases/x", ROUTE_BAD_METHOD, NULL, NULL, NULL, NULL,
		  "GET, HEAD, DELETE" },
		{ HTTP_GET, "/v1/cases/", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "/v1/cases//additions", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_POST, "/v1/cases/k/additions", 2, "code", "k", NULL, NULL, NULL },
		{ HTTP_GET, "/v1/cases/k/additions", ROUTE_BAD_METHOD, NULL, NULL, NULL, NULL,
		  "POST" },
		{ HTTP_GET, "/v1/signals/7/feedback/9", 5, "id", "7", "fid", "9", NULL },
		{ HTTP_GET, "/v1/signals/7/feedback/", ROUTE_NOT_FOUND, NULL, NULL, NULL, NULL,
		  NULL },
		{ HTTP_GET, "/v1/signals/latest", 6, NULL, NULL, NULL, NULL, NULL },
		{ HTTP_GET, "/v1/signals", ROUTE_BAD_METHOD, NULL, NULL, NULL, NULL, "POST" },
		{ HTTP_OTHER, "/v1/signals", ROUTE_BAD_METHOD, NULL, NULL, NULL, NULL, "POST" },
	};
	struct route_params params;
	struct http_req req;
	unsigned allowed;
	char allow[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct match_case *c = &cases[i];
		int got = router_match(routes, N, c->m, c->path, &params, &allowed);

		if (got != c->want)
			fail_msg("case %zu (%s): got %d, want %d", i, c->path, got, c->want);
		memset(&req, 0, sizeof(req));
		req.params = params;
		if (c->p1)
			assert_string_equal(http_param(&req, c->p1), c->v1);
		if (c->p2)
			assert_string_equal(http_param(&req, c->p2), c->v2);
		assert_null(http_param(&req, "nope"));
		if (c->allow) {
			router_allow_header(allowed, allow, sizeof(allow));
			assert_string_equal(allow, c->allow);
		}
	}
}

static void test_long_parameter_rejected(void **state)
{
	char path[ROUTE_PARAM_MAX_LEN + 32];
	struct route_params params;
	unsigned allowed;

	(void)state;
	memcpy(path, "/v1/cases/", 10);
	memset(path + 10, 'a', ROUTE_PARAM_MAX_LEN - 1);
	path[10 + ROUTE_PARAM_MAX_LEN - 1] = '\0';
	assert_int_equal(router_match(routes, N, HTTP_GET, path, &params, &allowed), 1);
	assert_int_equal(strlen(params.value[0]), ROUTE_PARAM_MAX_LEN - 1);
	memset(path + 10, 'a', ROUTE_PARAM_MAX_LEN);
	path[10 + ROUTE_PARAM_MAX_LEN] = '\0';
	assert_int_equal(router_match(routes, N, HTTP_GET, path, &params, &allowed),
			 ROUTE_NOT_FOUND);
}

static void test_methods(void **state)
{
	(void)state;
	assert_int_equal(http_method_parse("GET"), HTTP_GET);
	assert_int_equal(http_method_parse("DELETE"), HTTP_DELETE);
	assert_int_equal(http_method_parse("get"), HTTP_OTHER);
	assert_int_equal(http_method_parse("BREW"), HTTP_OTHER);
	assert_string_equal(http_method_name(HTTP_PATCH), "PATCH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_parameter_rejected),
		cmocka_unit_test(test_methods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
