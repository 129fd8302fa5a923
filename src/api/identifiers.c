/*
 * identifiers.c - POST /v1/identifiers/normalize, and the JSON form of a
 * normalisation result that the API and `signaal normalize --json` share.
 */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "ident/ident.h"

#define NORMALIZE_BATCH_MAX 1000

json_t *api_ident_json(enum ident_kind kind, const char *input, size_t len, const struct ident *id,
		       int rc, const char *err)
{
	json_t *o = json_object(), *attrs, *exprs, *in;

	if (!o)
		return NULL;
	json_object_set_new(o, "kind", json_string(ident_kind_name(kind)));
	/* The input is echoed as given; invalid UTF-8 cannot be echoed in JSON. */
	in = json_stringn(input, len);
	json_object_set_new(o, "input", in ? in : json_null());
	json_object_set_new(o, "valid", json_boolean(rc == IDENT_OK));
	if (rc != IDENT_OK) {
		/* A message quoting bytes that are not UTF-8 cannot be sent as it is. */
		in = json_string(err);
		json_object_set_new(o, "error", in ? in : json_string("invalid identifier"));
		return o;
	}
	json_object_set_new(o, "canonical", json_string(id->canonical));
	attrs = json_object();
	for (size_t i = 0; attrs && i < id->nattrs; i++)
		json_object_set_new(attrs, id->attrs[i].key, json_string(id->attrs[i].value));
	json_object_set_new(o, "attributes", attrs);
	if (kind == IDENT_URL) {
		exprs = json_array();
		for (size_t i = 0; exprs && i < id->nexprs; i++)
			json_array_append_new(exprs, json_string(id->exprs[i]));
		json_object_set_new(o, "expressions", exprs);
	}
	return o;
}

/* Checks one item; on a problem appends to *errors and returns -1. */
static int item_check(json_t *item, size_t i, json_t **errors, enum ident_kind *kind)
{
	char field[48], msg[160];
	json_t *k, *v;

	if (!json_is_object(item)) {
		snprintf(field, sizeof(field), "items[%zu]", i);
		http_problem_field(errors, field, "expected an object {\"kind\", \"value\"}");
		return -1;
	}
	k = json_object_get(item, "kind");
	v = json_object_get(item, "value");
	snprintf(field, sizeof(field), "items[%zu].kind", i);
	if (!json_is_string(k)) {
		http_problem_field(errors, field,
				   "required: one of iban, phone, url, domain, email, "
				   "crypto, handle");
		return -1;
	}
	if (ident_kind_parse(json_string_value(k), kind)) {
		snprintf(msg, sizeof(msg),
			 "unknown kind '%.40s'; expected one of iban, phone, url, "
			 "domain, email, crypto, handle",
			 json_string_value(k));
		http_problem_field(errors, field, msg);
		return -1;
	}
	if (!json_is_string(v)) {
		snprintf(field, sizeof(field), "items[%zu].value", i);
		http_problem_field(errors, field, "required: the identifier as a string");
		return -1;
	}
	return 0;
}

void api_identifiers_normalize(struct http_req *req, struct http_reply *rep)
{
	json_t *items = json_object_get(req->json, "items"), *errors = NULL, *out;
	enum ident_kind kinds[NORMALIZE_BATCH_MAX];
	size_t n, i;
	char detail[160];

	if (!json_is_object(req->json) || !json_is_array(items)) {
		http_problem_field(&errors, "items", "required: an array of {\"kind\", \"value\"}");
		http_reply_problem(rep, 422, "validation", "Invalid request",
				   "expected an object with an array 'items'", errors);
		return;
	}
	n = json_array_size(items);
	if (n == 0 || n > NORMALIZE_BATCH_MAX) {
		snprintf(detail, sizeof(detail), "'items' holds %zu entries; 1 to %d allowed", n,
			 NORMALIZE_BATCH_MAX);
		http_problem_field(&errors, "items", detail);
		http_reply_problem(rep, 422, "validation", "Invalid request", detail, errors);
		return;
	}
	for (i = 0; i < n; i++)
		item_check(json_array_get(items, i), i, &errors, &kinds[i]);
	if (errors) {
		snprintf(detail, sizeof(detail), "%zu of %zu items are malformed",
			 json_array_size(errors), n);
		http_reply_problem(rep, 422, "validation", "Invalid request", detail, errors);
		return;
	}
	out = json_array();
	for (i = 0; out && i < n; i++) {
		json_t *v = json_object_get(json_array_get(items, i), "value");
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX];
		int rc = ident_normalize(&id, kinds[i], s, len, err, sizeof(err));

		if (rc == IDENT_ENOMEM) {
			ident_release(&id);
			json_decref(out);
			out = NULL;
			break;
		}
		json_array_append_new(out, api_ident_json(kinds[i], s, len, &id, rc, err));
		ident_release(&id);
	}
	if (!out) {
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "the server ran out of memory; try again later", NULL);
		return;
	}
	http_reply_json(rep, 200, json_pack("{s:o}", "items", out));
}
