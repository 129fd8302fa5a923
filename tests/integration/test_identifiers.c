/*
 * Black-box tests of identifier normalisation through the real server and
 * CLI, the reference data endpoints, and the JSON body handling they share.
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

#include "harness.h"

static struct server srv;
static const char *const json_ct[] = { "Content-Type: application/json", NULL };

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

static json_t *post_json(const char *body, long want_status)
{
	struct response r;
	json_t *doc;

	http_do(&srv, "POST", "/v1/identifiers/normalize", json_ct, body, strlen(body), &r);
	if (r.status != want_status)
		fail_msg("status %ld, want %ld: %s", r.status, want_status, r.body);
	doc = json_loadb(r.body, r.len, 0, NULL);
	assert_non_null(doc);
	response_free(&r);
	return doc;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_batch_in_order(void **state)
{
	json_t *doc, *items, *it;

	(void)state;
	doc = post_json(
		"{\"items\":["
		"{\"kind\":\"iban\",\"value\":\"nl91 abna 0417 1643 00\"},"
		"{\"kind\":\"phone\",\"value\":\"+31 (0)6 12345678\"},"
		"{\"kind\":\"iban\",\"value\":\"NL92ABNA0417164300\"},"
		"{\"kind\":\"url\",\"value\":\"HTTP://www.Example.NL/a/../b?x=1#frag\"},"
		"{\"kind\":\"domain\",\"value\":\"B\\u00fccher.NL.\"},"
		"{\"kind\":\"email\",\"value\":\"Jan.Jansen@Example.NL\"},"
		"{\"kind\":\"crypto\",\"value\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\"},"
		"{\"kind\":\"handle\",\"value\":\"https://www.instagram.com/Some.Name/\"}"
		"]}",
		200);
	items = json_object_get(doc, "items");
	assert_int_equal(json_array_size(items), 8);

	it = json_array_get(items, 0);
	assert_true(json_is_true(json_object_get(it, "valid")));
	assert_string_equal(str(it, "kind"), "iban");
	assert_string_equal(str(it, "input"), "nl91 abna 0417 1643 00");
	assert_string_equal(str(it, "canonical"), "NL91ABNA0417164300");
	assert_string_equal(str(json_object_get(it, "attributes"), "country"), "NL");
	assert_string_equal(str(json_object_get(it, "attributes"), "bank_code"), "ABNA");

	it = json_array_get(items, 1);
	assert_string_equal(str(it, "canonical"), "+31612345678");
	assert_string_equal(str(json_object_get(it, "attributes"), "type"), "mobile");

	it = json_array_get(items, 2);
	assert_true(json_is_false(json_object_get(it, "valid")));
	assert_null(json_object_get(it, "canonical"));
	assert_non_null(strstr(str(it, "error"), "check"));

	it = json_array_get(items, 3);
	assert_string_equal(str(it, "canonical"), "http://www.example.nl/b?x=1");
	assert_true(json_array_size(json_object_get(it, "expressions")) >= 2);

	assert_string_equal(str(json_array_get(items, 4), "canonical"), "xn--bcher-kva.nl");
	assert_string_equal(str(json_array_get(items, 5), "canonical"), "Jan.Jansen@example.nl");
	assert_string_equal(str(json_array_get(items, 6), "canonical"),
			    "eth:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed");
	assert_string_equal(str(json_array_get(items, 7), "canonical"), "instagram:@some.name");
	json_decref(doc);
}

static void expect_422(const char *body, const char *field, const char *msg_part)
{
	json_t *doc = post_json(body, 422), *e;

	assert_string_equal(str(doc, "type"), "urn:signaal:problem:validation");
	e = json_array_get(json_object_get(doc, "errors"), 0);
	assert_non_null(e);
	assert_string_equal(str(e, "field"), field);
	if (!strstr(str(e, "message"), msg_part))
		fail_msg("message '%s' lacks '%s'", str(e, "message"), msg_part);
	json_decref(doc);
}

static void test_malformed_items(void **state)
{
	(void)state;
	expect_422("[]", "items", "required");
	expect_422("{\"items\":{}}", "items", "required");
	expect_422("{\"items\":[]}", "items", "0 entries; 1 to 1000 allowed");
	expect_422("{\"items\":[{\"kind\":\"iban\",\"value\":\"x\"},5]}", "items[1]",
		   "expected an object");
	expect_422("{\"items\":[{\"value\":\"x\"}]}", "items[0].kind", "required");
	expect_422("{\"items\":[{\"kind\":\"ssn\",\"value\":\"x\"}]}", "items[0].kind",
		   "unknown kind 'ssn'");
	expect_422("{\"items\":[{\"kind\":\"iban\",\"value\":7}]}", "items[0].value", "string");
}

static void test_batch_limit(void **state)
{
	size_t cap = 1001 * 40 + 64, n = 0;
	char *body = malloc(cap);
	json_t *doc;

	(void)state;
	n += (size_t)snprintf(body + n, cap - n, "{\"items\":[");
	for (int i = 0; i < 1001; i++)
		n += (size_t)snprintf(body + n, cap - n,
				      "%s{\"kind\":\"phone\",\"value\":\"0612\"}", i ? "," : "");
	snprintf(body + n, cap - n, "]}");
	doc = post_json(body, 422);
	assert_non_null(strstr(str(doc, "detail"), "1001 entries"));
	json_decref(doc);
	free(body);
}

static void test_json_body_errors(void **state)
{
	const char *text[] = { "Content-Type: text/plain", NULL };
	const char *latin[] = { "Content-Type: application/json; charset=latin1", NULL };
	const char *utf8[] = { "Content-Type: application/json; charset=UTF-8", NULL };
	const char *ok = "{\"items\":[{\"kind\":\"phone\",\"value\":\"0612345678\"}]}";
	struct response r;
	json_t *doc;

	(void)state;
	http_do(&srv, "POST", "/v1/identifiers/normalize", text, ok, strlen(ok), &r);
	assert_int_equal(r.status, 415);
	assert_string_equal(r.content_type, "application/problem+json");
	response_free(&r);
	http_do(&srv, "POST", "/v1/identifiers/normalize", latin, ok, strlen(ok), &r);
	assert_int_equal(r.status, 415);
	response_free(&r);
	http_do(&srv, "POST", "/v1/identifiers/normalize", NULL, ok, strlen(ok), &r);
	assert_int_equal(r.status, 415);
	response_free(&r);
	http_do(&srv, "POST", "/v1/identifiers/normalize", utf8, ok, strlen(ok), &r);
	assert_int_equal(r.status, 200);
	response_free(&r);

	/* Malformed JSON: 400 with where it went wrong. */
	doc = post_json("{\"items\":\n [1,2,}", 400);
	assert_string_equal(str(doc, "type"), "urn:signaal:problem:malformed-json");
	assert_int_equal(json_integer_value(json_object_get(doc, "line")), 2);
	assert_true(json_integer_value(json_object_get(doc, "column")) > 0);
	assert_non_null(strstr(str(doc, "detail"), "line 2"));
	json_decref(doc);
	doc = post_json("{\"items\":[], \"items\":[]}", 400); /* duplicate keys are ambiguous */
	json_decref(doc);
	doc = post_json("{\"items\":[{\"kind\":\"iban\",\"value\":\"\xff\xfe\"}]}", 400);
	json_decref(doc);
	http_do(&srv, "POST", "/v1/identifiers/normalize", json_ct, "", 0, &r);
	assert_int_equal(r.status, 400);
	response_free(&r);
}

static void test_body_over_cap(void **state)
{
	size_t n = 70 * 1024;
	char *body = malloc(n);
	struct response r;

	(void)state;
	memset(body, ' ', n);
	memcpy(body, "{\"items\":[", 10);
	http_do(&srv, "POST", "/v1/identifiers/normalize", json_ct, body, n, &r);
	assert_int_equal(r.status, 413);
	assert_string_equal(r.content_type, "application/problem+json");
	assert_non_null(strstr(r.body, "larger than 65536 bytes"));
	response_free(&r);
	free(body);
	http_do(&srv, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
}

static void test_reference_data(void **state)
{
	struct response r;
	json_t *doc, *list;
	int found = 0;

	(void)state;
	http_do(&srv, "GET", "/v1/taxonomy", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	assert_non_null(doc);
	list = json_object_get(doc, "fraud_types");
	assert_true(json_array_size(list) >= 15);
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);

		if (strcmp(str(e, "code"), "bank_helpdesk") == 0) {
			found = 1;
			assert_non_null(str(json_object_get(e, "label"), "nl"));
			assert_non_null(str(json_object_get(e, "label"), "en"));
		}
	}
	assert_true(found);
	json_decref(doc);
	response_free(&r);

	http_do(&srv, "GET", "/v1/municipalities", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	doc = json_loadb(r.body, r.len, 0, NULL);
	list = json_object_get(doc, "municipalities");
	assert_int_equal(json_array_size(list), 342);
	found = 0;
	for (size_t i = 0; i < json_array_size(list); i++)
		if (strcmp(str(json_array_get(list, i), "code"), "GM0363") == 0)
			found = strcmp(str(json_array_get(list, i), "name"), "Amsterdam") == 0;
	assert_true(found);
	json_decref(doc);
	response_free(&r);
}

/* ---- the CLI contract ---- */

static void test_cli_normalize(void **state)
{
	char *out, *err;
	json_t *doc;

	(void)state;
	const char *a1[] = { "normalize", "iban", "NL91 ABNA 0417 1643 00", NULL };
	assert_int_equal(run_cli(a1, NULL, &out, &err), 0);
	assert_string_equal(out, "NL91ABNA0417164300\n");
	assert_string_equal(err, "");
	free(out);
	free(err);

	static const char *const forms[] = { "06-12345678", "0612345678", "+31 6 12345678",
					     "+31 (0)6 12345678", "0031 6 12345678" };
	for (size_t i = 0; i < 5; i++) {
		const char *a[] = { "normalize", "phone", forms[i], NULL };

		assert_int_equal(run_cli(a, NULL, &out, &err), 0);
		assert_string_equal(out, "+31612345678\n");
		free(out);
		free(err);
	}

	const char *a2[] = { "normalize", "iban", "NL92ABNA0417164300", NULL };
	assert_int_equal(run_cli(a2, NULL, &out, &err), 1);
	assert_string_equal(out, "");
	assert_true(strncmp(err, "signaal: invalid iban: ", 23) == 0);
	free(out);
	free(err);

	const char *a3[] = { "normalize", "--json", "phone", "020-1234567", NULL };
	assert_int_equal(run_cli(a3, NULL, &out, &err), 0);
	doc = json_loads(out, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(str(doc, "canonical"), "+31201234567");
	assert_string_equal(str(doc, "input"), "020-1234567");
	assert_true(json_is_true(json_object_get(doc, "valid")));
	json_decref(doc);
	free(out);
	free(err);

	const char *a4[] = { "normalize", "--json", "email", "not an address", NULL };
	assert_int_equal(run_cli(a4, NULL, &out, &err), 1);
	doc = json_loads(out, 0, NULL);
	assert_true(json_is_false(json_object_get(doc, "valid")));
	assert_non_null(str(doc, "error"));
	json_decref(doc);
	free(out);
	free(err);

	const char *usage[][5] = { { "normalize", NULL },
				   { "normalize", "iban", NULL },
				   { "normalize", "ssn", "1", NULL },
				   { "normalize", "--yaml", "iban", "x", NULL },
				   { "normalize", "iban", "x", "y", NULL } };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(run_cli(usage[i], NULL, &out, &err), 2);
		assert_true(strncmp(err, "signaal: ", 9) == 0);
		free(out);
		free(err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_in_order), cmocka_unit_test(test_malformed_items),
		cmocka_unit_test(test_batch_limit),    cmocka_unit_test(test_json_body_errors),
		cmocka_unit_test(test_body_over_cap),  cmocka_unit_test(test_reference_data),
		cmocka_unit_test(test_cli_normalize),
	};
	int failed;

	curl_global_init(CURL_GLOBAL_ALL);
	failed = cmocka_run_group_tests_name("identifiers", tests, start, stop);
	http_thread_done();
	curl_global_cleanup();
	return failed;
}
