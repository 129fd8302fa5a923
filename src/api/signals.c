/*
 * signals.c - POST /v1/signals: a partner shares up to 1,000 fraud signals
 * at once.  All are checked first; one bad item refuses the batch, with a
 * field error for each problem, and nothing is stored.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "app.h"
#include "deliver/deliver.h"
#include "feedback.h"
#include "partner.h"
#include "partner_signal.h"
#include "report.h"
#include "store/store.h"
#include "taxonomy.h"
#include "util/mem.h"

static const char *const item_fields[] = { "kind",	     "value",	    "fraud_type",
					   "modus_operandi", "confidence",  "tlp",
					   "scope",	     "valid_until", NULL };

static int known(const char *key, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(key, list[i]) == 0)
			return 1;
	return 0;
}

/* Appends the strings of a JSON array to a comma-separated list; -1 on a problem. */
static int scope_list(json_t *arr, char *out, size_t outsz, const struct app *app,
		      const char *section)
{
	size_t pos = 0;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return -1;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		int n;

		if (!v || strchr(v, ',') || (section && !taxonomy_has(app->taxonomy, section, v)))
			return -1;
		n = snprintf(out + pos, outsz - pos, "%s%s", pos ? "," : "", v);
		if (n < 0 || (size_t)n >= outsz - pos)
			return -1;
		pos += (size_t)n;
	}
	return 0;
}

static void parse_item(const struct app *app, json_t *it, size_t i, struct signal *s,
		       json_t **errors)
{
	char field[64], msg[IDENT_ERR_MAX + 40];
	json_t *v, *scope;
	const char *key;
	struct ident id = IDENT_INIT;
	char err[IDENT_ERR_MAX];

#define FIELD(name) (snprintf(field, sizeof(field), "signals[%zu].%s", i, name), field)
	if (!json_is_object(it)) {
		snprintf(field, sizeof(field), "signals[%zu]", i);
		http_problem_field(errors, field, "must be an object");
		return;
	}
	json_object_foreach(it, key, v)
	{
		if (!known(key, item_fields))
			http_problem_field(errors, FIELD(key), "unknown field");
	}
	v = json_object_get(it, "kind");
	if (!json_is_string(v) || ident_kind_parse(json_string_value(v), &s->kind)) {
		http_problem_field(errors, FIELD("kind"),
				   "must be one of iban, phone, url, domain, "
				   "email, crypto, handle");
	} else {
		v = json_object_get(it, "value");
		if (!json_is_string(v)) {
			http_problem_field(errors, FIELD("value"), "required: the identifier");
		} else if (ident_normalize(&id, s->kind, json_string_value(v),
					   json_string_length(v), err, sizeof(err)) != IDENT_OK) {
			snprintf(msg, sizeof(msg), "invalid %s: %s", ident_kind_name(s->kind), err);
			http_problem_field(errors, FIELD("value"), msg);
		} else {
			api_routing(&id, s->routing, sizeof(s->routing));
			s->canonical = id.canonical;
			id.canonical = NULL;
		}
		ident_release(&id);
	}
	v = json_object_get(it, "fraud_type");
	if (!json_is_string(v) || json_string_length(v) >= sizeof(s->fraud_type) ||
	    !taxonomy_has(app->taxonomy, "fraud_types", json_string_value(v)))
		http_problem_field(errors, FIELD("fraud_type"),
				   "required: a code from fraud_types "
				   "in /v1/taxonomy");
	else
		snprintf(s->fraud_type, sizeof(s->fraud_type), "%s", json_string_value(v));
	v = json_object_get(it, "modus_operandi");
	if (v && !json_is_null(v) && api_text_field(v, FIELD("modus_operandi"), 2000, errors) == 0)
		s->modus_operandi = mem_strdup(json_string_value(v));
	v = json_object_get(it, "confidence");
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100)
		http_problem_field(errors, FIELD("confidence"),
				   "required: a whole number 0 to 100");
	else
		s->confidence = (int)json_integer_value(v);
	v = json_object_get(it, "tlp");
	s->tlp = TLP_AMBER; /* the default: within the named scope */
	if (v && (!json_is_string(v) || tlp_parse(json_string_value(v), &s->tlp)))
		http_problem_field(errors, FIELD("tlp"),
				   "must be CLEAR, GREEN, AMBER, AMBER+STRICT "
				   "or RED");
	scope = json_object_get(it, "scope");
	if (scope && (!json_is_object(scope) ||
		      scope_list(json_object_get(scope, "sectors"), s->scope_sectors,
				 sizeof(s->scope_sectors), app, "partner_sectors") ||
		      scope_list(json_object_get(scope, "partners"), s->scope_partners,
				 sizeof(s->scope_partners), app, NULL)))
		http_problem_field(errors, FIELD("scope"),
				   "must be {\"sectors\": [sector codes], "
				   "\"partners\": [partner names]}");
	if (s->tlp == TLP_RED && !s->scope_partners[0])
		http_problem_field(errors, FIELD("scope"),
				   "TLP RED needs named partners in "
				   "scope.partners");
	v = json_object_get(it, "valid_until");
	if (v && !json_is_null(v)) {
		const char *t = json_string_value(v);

		if (!t || strlen(t) != 20 || t[10] != 'T' || t[19] != 'Z')
			http_problem_field(errors, FIELD("valid_until"),
					   "must be an RFC 3339 UTC "
					   "time like "
					   "2026-12-31T00:00:00Z");
		else
			snprintf(s->valid_until, sizeof(s->valid_until), "%s", t);
	}
#undef FIELD
}

void api_signals_create(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	json_t *items = json_object_get(req->json, "signals"), *errors = NULL, *out;
	struct partner p;
	struct signal *sig;
	size_t n;
	char now[REPORT_TIME_MAX], detail[96];
	int rc = STORE_OK;

	if (api_partner_auth(req, rep, &p))
		return;
	n = json_array_size(items);
	if (!json_is_object(req->json) || !json_is_array(items) || n == 0 || n > SIGNAL_BATCH_MAX) {
		http_problem_field(&errors, "signals", "required: an array of 1 to 1000 signals");
		http_reply_problem(rep, 422, "validation", "Invalid signals",
				   "expected {\"signals\": [...]}", errors);
		return;
	}
	sig = mem_calloc(n, sizeof(*sig));
	if (!sig) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	report_now(now);
	for (size_t i = 0; i < n; i++) {
		parse_item(app, json_array_get(items, i), i, &sig[i], &errors);
		sig[i].partner = p.id;
		snprintf(sig[i].created_at, sizeof(sig[i].created_at), "%s", now);
	}
	if (errors) {
		snprintf(detail, sizeof(detail), "%zu problem%s; no signal was stored",
			 json_array_size(errors), json_array_size(errors) == 1 ? "" : "s");
		http_reply_problem(rep, 422, "validation", "Invalid signals", detail, errors);
		goto out;
	}
	for (size_t i = 0; i < n && rc == STORE_OK; i++)
		rc = signal_prepare(app->pseudonym_key, &sig[i]);
	if (rc == STORE_OK)
		rc = store_signals_insert(app->store, sig, n, alert_after_signal, app->alerts);
	if (rc) {
		api_store_error(rep, rc);
		goto out;
	}
	deliverer_kick(app->deliverer);
	stream_hub_kick(app->streams);
	out = json_array();
	for (size_t i = 0; out && i < n; i++) {
		char b64[sodium_base64_ENCODED_LEN(PSEUDONYM_BYTES,
						   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

		sodium_bin2base64(b64, sizeof(b64), sig[i].pseudonym, PSEUDONYM_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		json_array_append_new(
			out, json_pack("{s:I,s:s}", "id", (json_int_t)sig[i].id, "pseudonym", b64));
	}
	http_reply_json(rep, 201, json_pack("{s:i,s:o}", "accepted", (int)n, "signals", out));
out:
	for (size_t i = 0; i < n; i++)
		signal_release(&sig[i]);
	mem_free(sig);
}

/* ---- one signal, and the feedback on it ---- */

/*
 * The signal in the path, for a partner who may see it: its submitter, or
 * one alerted about its identifier.  0, or -1 with the reply set (404 for
 * others too, so that ids reveal nothing).
 */
static int signal_for(struct http_req *req, struct http_reply *rep, struct partner *p,
		      struct signal_view *sv)
{
	const char *idp = http_param(req, "id");
	char *end;
	long long id;
	int rc, yes = 0;

	if (api_partner_auth(req, rep, p))
		return -1;
	id = strtoll(idp ? idp : "", &end, 10);
	rc = !idp || *end || id <= 0 ? STORE_ENOTFOUND : store_signal_get(req->app->store, id, sv);
	if (rc == STORE_OK && sv->partner != p->id)
		rc = store_signal_recipient(req->app->store, sv->pseudonym, p->id, &yes);
	if (rc == STORE_OK && sv->partner != p->id && !yes)
		rc = STORE_ENOTFOUND;
	if (rc == STORE_ENOTFOUND) {
		http_reply_problem(rep, 404, "not-found", "Not found",
				   "no signal with this id that you sent or were alerted about",
				   NULL);
		return -1;
	}
	if (rc) {
		api_store_error(rep, rc);
		return -1;
	}
	return 0;
}

static json_t *signal_json(const struct signal_view *sv, const struct feedback *fb, size_t n)
{
	char b64[sodium_base64_ENCODED_LEN(FEEDBACK_PSEUDONYM_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	json_t *list = json_array();

	sodium_bin2base64(b64, sizeof(b64), sv->pseudonym, FEEDBACK_PSEUDONYM_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	for (size_t i = 0; list && i < n; i++) {
		json_t *f = json_pack("{s:s,s:s,s:s}", "partner", fb[i].partner_name, "outcome",
				      fb[i].outcome, "at", fb[i].created_at);

		if (f && fb[i].mitigation[0])
			json_object_set_new(f, "mitigation", json_string(fb[i].mitigation));
		if (f && fb[i].note)
			json_object_set_new(f, "note", json_string(fb[i].note));
		json_array_append_new(list, f);
	}
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:o}", "id", (json_int_t)sv->id,
			 "from", sv->partner_name, "kind", sv->kind, "pseudonym", b64, "fraud_type",
			 sv->fraud_type, "confidence", sv->confidence, "tlp", sv->tlp, "created_at",
			 sv->created_at, "identifier_status", sv->status, "feedback",
			 list ? list : json_array());
}

static void reply_signal(struct http_req *req, struct http_reply *rep, int status,
			 const struct signal_view *sv)
{
	struct feedback *fb = NULL;
	size_t n = 0;
	int rc = store_feedback_list(req->app->store, sv->id, &fb, &n);

	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	http_reply_json(rep, status, signal_json(sv, fb, n));
	feedback_list_free(fb, n);
}

void api_signal_get(struct http_req *req, struct http_reply *rep)
{
	struct partner p;
	struct signal_view sv;

	if (signal_for(req, rep, &p, &sv) == 0)
		reply_signal(req, rep, 200, &sv);
}

void api_signal_feedback(struct http_req *req, struct http_reply *rep)
{
	static const char *const outcomes[] = { "confirmed", "false_positive", "mitigated", NULL };
	static const char *const mitigations[] = { "blocked",	"taken_down", "frozen",
						   "suspended", "other",      NULL };
	static const char *const fields[] = { "outcome", "mitigation", "note", NULL };
	struct partner p;
	struct signal_view sv;
	struct feedback f = { 0 };
	json_t *errors = NULL, *v, *doc;
	const char *outcome, *key, *status = NULL;
	bool retracted;
	char *retraction = NULL,
	     b64[sodium_base64_ENCODED_LEN(FEEDBACK_PSEUDONYM_BYTES,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	int rc;

	if (signal_for(req, rep, &p, &sv))
		return;
	if (!json_is_object(req->json)) {
		http_reply_problem(rep, 422, "validation", "Invalid feedback",
				   "expected {\"outcome\", \"mitigation\", \"note\"}", NULL);
		return;
	}
	json_object_foreach(req->json, key, v)
	{
		if (!known(key, fields))
			http_problem_field(&errors, key, "unknown field");
	}
	outcome = json_string_value(json_object_get(req->json, "outcome"));
	if (!outcome || !known(outcome, outcomes))
		http_problem_field(&errors, "outcome",
				   "required: confirmed, false_positive or "
				   "mitigated");
	v = json_object_get(req->json, "mitigation");
	if (outcome && strcmp(outcome, "mitigated") == 0 &&
	    (!json_is_string(v) || !known(json_string_value(v), mitigations)))
		http_problem_field(&errors, "mitigation",
				   "required for mitigated: blocked, "
				   "taken_down, frozen, suspended or other");
	else if (json_is_string(v))
		snprintf(f.mitigation, sizeof(f.mitigation), "%s", json_string_value(v));
	v = json_object_get(req->json, "note");
	if (v && !json_is_null(v) && api_text_field(v, "note", 2000, &errors) == 0)
		f.note = (char *)json_string_value(v);
	if (errors) {
		http_reply_problem(rep, 422, "validation", "Invalid feedback",
				   "some fields need attention; nothing was saved", errors);
		return;
	}
	f.signal = sv.id;
	f.partner = p.id;
	snprintf(f.outcome, sizeof(f.outcome), "%s", outcome);
	report_now(f.created_at);
	if (strcmp(outcome, "confirmed") == 0)
		status = "confirmed";
	if (strcmp(outcome, "false_positive") == 0) {
		status = "disputed";
		/* The sender takes it back: everyone it reached is told. */
		if (p.id == sv.partner) {
			sodium_bin2base64(b64, sizeof(b64), sv.pseudonym, FEEDBACK_PSEUDONYM_BYTES,
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			doc = json_pack("{s:s,s:s,s:I,s:s,s:s}", "type", "retraction", "reason",
					"false_positive", "signal", (json_int_t)sv.id, "pseudonym",
					b64, "kind", sv.kind);
			retraction = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
			json_decref(doc);
		}
	}
	rc = store_feedback_add(req->app->store, &f, sv.pseudonym, status, retraction);
	retracted = retraction != NULL;
	mem_free(retraction);
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	if (retracted) {
		deliverer_kick(req->app->deliverer);
		stream_hub_kick(req->app->streams);
	}
	snprintf(sv.status, sizeof(sv.status), "%s", status ? status : sv.status);
	reply_signal(req, rep, 201, &sv);
}
