/* Unit tests for http/reply.c: RFC 9457 problem documents and replies. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "http/http.h"
#include "util/mem.h"

static json_t *parse(const struct http_reply *rep)
{
	json_t *doc = json_loadb(rep->body, rep->len, 0, NULL);

	assert_non_null(doc);
	return doc;
}

static void test_problem_members(void **state)
{
	struct http_reply rep = { 0 };
	json_t *doc, *errors = NULL;

	(void)state;
	http_problem_field(&errors, "fraud_type", "unknown code 'x'");
	http_problem_field(&errors, "identifiers[0].value", "checksum mismatch");
	http_reply_problem(&rep, 422, "validation", "Invalid request", "2 fields are invalid",
			   errors);
	assert_int_equal(rep.status, 422);
	assert_string_equal(rep.content_type, "application/problem+json");
	doc = parse(&rep);
	assert_string_equal(json_string_value(json_object_get(doc, "type")),
			    "urn:signaal:problem:validation");
	assert_string_equal(json_string_value(json_object_get(doc, "title")), "Invalid request");
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), 422);
	assert_string_equal(json_string_value(json_object_get(doc, "detail")),
			    "2 fields are invalid");
	errors = json_object_get(doc, "errors");
	assert_int_equal(json_array_size(errors), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(errors, 1), "field")),
			    "identifiers[0].value");
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(errors, 0), "message")),
		"unknown code 'x'");
	json_decref(doc);
	http_reply_release(&rep);
	assert_int_equal(rep.status, 0);
}

static void test_problem_without_detail(void **state)
{
	struct http_reply rep = { 0 };
	json_t *doc;

	(void)state;
	http_reply_problem(&rep, 404, "not-found", "Not found", NULL, NULL);
	doc = parse(&rep);
	assert_null(json_object_get(doc, "detail"));
	assert_null(json_object_get(doc, "errors"));
	assert_int_equal(json_object_size(doc), 3);
	json_decref(doc);
	http_reply_release(&rep);
}

static void test_replace_reply_and_headers(void **state)
{
	struct http_reply rep = { 0 };
	char *body = mem_strdup("hello");

	(void)state;
	http_reply_json(&rep, 200, json_pack("{s:i}", "a", 1));
	assert_string_equal(rep.content_type, "application/json");
	assert_memory_equal(rep.body, "{\"a\":1}", 7);
	http_reply_take(&rep, 201, "text/plain", body, 5); /* frees the JSON body */
	assert_int_equal(rep.status, 201);
	http_reply_header(&rep, "Retry-After", "5");
	assert_int_equal(rep.nheaders, 1);
	assert_string_equal(rep.headers[0].value, "5");
	http_reply_static(&rep, 200, "text/plain", "x", 1); /* frees the taken body */
	http_reply_release(&rep);
}

static void test_out_of_memory_gives_static_500(void **state)
{
	struct http_reply rep = { 0 };

	(void)state;
	mem_fail_after(0);
	http_reply_json(&rep, 200, json_pack("{s:s}", "big", "value"));
	mem_fail_after(-1);
	assert_int_equal(rep.status, 500);
	assert_true(rep.body_static);
	json_decref(parse(&rep));
	http_reply_release(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_problem_members),
		cmocka_unit_test(test_problem_without_detail),
		cmocka_unit_test(test_replace_reply_and_headers),
		cmocka_unit_test(test_out_of_memory_gives_static_500),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
