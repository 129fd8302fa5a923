/*
 * cases.c - the case in the victim's hands: /v1/cases/{code} and what
 * hangs below it.  Whoever holds the code is the victim; wrong codes are
 * counted per client address and, past a limit, answered with 429, so
 * that codes cannot be guessed (they have 128 random bits besides).
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "app.h"
#include "casecode.h"
#include "deliver/deliver.h"
#include "ratelimit.h"
#include "report.h"
#include "store/store.h"
#include "taxonomy.h"
#include "util/html.h"
#include "util/mem.h"

/* Reads the code from the path; 0 with its hash, or -1 with the reply set. */
static int case_code(struct http_req *req, struct http_reply *rep,
		     uint8_t hash[CASECODE_HASH_BYTES], char *client, size_t clientsz)
{
	const char *code = http_param(req, "code");
	int retry;

	if (http_client_addr(req, client, clientsz))
		snprintf(client, clientsz, "unknown");
	if (req->app->case_guesses && ratelimit_peek(req->app->case_guesses, client, &retry)) {
		/* 20 at once, then one every 6 seconds (serve.c). */
		api_too_many(rep, "too-many-attempts", "Too many attempts",
			     "too many wrong case codes from your address; try again later", retry,
			     10, 60);
		return -1;
	}
	if (!code || casecode_parse(code, hash)) {
		if (req->app->case_guesses)
			ratelimit_take(req->app->case_guesses, client, &retry);
		http_reply_problem(rep, 404, "case-not-found", "Case not found",
				   "this is not a valid case code: check it for typing errors",
				   NULL);
		return -1;
	}
	return 0;
}

/* A store error for a case; a wrong code costs a guess. */
static void case_error(struct http_req *req, struct http_reply *rep, int rc, const char *client)
{
	int retry;

	if (rc == STORE_ENOTFOUND) {
		if (req->app->case_guesses)
			ratelimit_take(req->app->case_guesses, client, &retry);
		http_reply_problem(rep, 404, "case-not-found", "Case not found",
				   "there is no case with this code", NULL);
		return;
	}
	if (rc == STORE_ECONFLICT) {
		http_reply_problem(rep, 409, "case-withdrawn", "Report withdrawn",
				   "this report was withdrawn; it can no longer be changed", NULL);
		return;
	}
	api_store_error(rep, rc);
}

static json_t *text_or_null(const char *s)
{
	json_t *v = s && *s ? json_string(s) : NULL;

	return v ? v : json_null();
}

static json_t *case_json(const struct app *app, const struct case_view *cv, const char *code)
{
	const struct report *r = &cv->report;
	json_t *doc = json_object(), *consent = json_object(), *refs = json_array();
	json_t *adds = json_array(), *ids = json_array(), *ch = json_array(), *victim;
	char url[80];

	if (!doc || !consent || !refs || !adds || !ids || !ch) {
		json_decref(doc);
		json_decref(consent);
		json_decref(refs);
		json_decref(adds);
		json_decref(ids);
		json_decref(ch);
		return NULL;
	}
	json_object_set_new(doc, "status", json_string(r->status));
	json_object_set_new(doc, "created_at", json_string(r->created_at));
	json_object_set_new(doc, "updated_at", json_string(r->updated_at));
	json_object_set_new(doc, "withdrawn_at", text_or_null(r->withdrawn_at));
	json_object_set_new(doc, "fraud_type", json_string(r->fraud_type));
	for (const char *p = r->channels; *p;) {
		size_t n = strcspn(p, ",");

		json_array_append_new(ch, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	json_object_set_new(doc, "channels", ch);
	json_object_set_new(doc, "description", text_or_null(r->description));
	json_object_set_new(doc, "occurred_at", text_or_null(r->occurred_at));
	if (r->has_loss || r->payment_method[0])
		json_object_set_new(
			doc, "loss",
			json_pack("{s:o,s:s,s:o}", "amount_cents",
				  r->has_loss ? json_integer(r->loss_cents) : json_null(),
				  "currency", r->currency[0] ? r->currency : "EUR",
				  "payment_method", text_or_null(r->payment_method)));
	for (size_t i = 0; i < r->nidents; i++)
		json_array_append_new(ids, json_pack("{s:s,s:o,s:o}", "kind",
						     ident_kind_name(r->idents[i].kind), "value",
						     text_or_null(r->idents[i].canonical), "role",
						     text_or_null(r->idents[i].role)));
	json_object_set_new(doc, "identifiers", ids);
	victim =
		json_pack("{s:o,s:o,s:o}", "type", text_or_null(r->victim_type), "age_band",
			  text_or_null(r->age_band), "municipality", text_or_null(r->municipality));
	if (victim && r->contact)
		json_object_set_new(victim, "contact", json_loads(r->contact, 0, NULL));
	json_object_set_new(doc, "victim", victim);
	for (int i = 0; i < RECIPIENT_COUNT; i++)
		json_object_set_new(consent, recipient_name((enum recipient)i),
				    json_boolean(r->consent & (1u << i)));
	json_object_set_new(doc, "consent", consent);
	for (size_t i = 0; i < cv->nreferrals; i++) {
		const struct referral *ref = &cv->referrals[i];
		json_t *hist = json_array();

		for (size_t e = 0; hist && e < ref->nevents; e++)
			json_array_append_new(hist, json_pack("{s:s,s:s}", "status",
							      ref->events[e].status, "at",
							      ref->events[e].at));
		json_array_append_new(refs, json_pack("{s:s,s:s,s:s,s:o}", "recipient",
						      recipient_name(ref->recipient), "status",
						      ref->status, "updated_at", ref->updated_at,
						      "history", hist ? hist : json_array()));
	}
	json_object_set_new(doc, "referrals", refs);
	for (size_t i = 0; i < cv->nadditions; i++)
		json_array_append_new(adds, json_pack("{s:s,s:o}", "at", cv->additions[i].at,
						      "description",
						      text_or_null(cv->additions[i].description)));
	json_object_set_new(doc, "additions", adds);
	if (strcmp(r->status, "open") == 0)
		json_object_set_new(doc, "advice",
				    advice_select(app->advice, r->fraud_type,
						  r->payment_method[0] ? r->payment_method : NULL,
						  api_kinds_mask(r), r->language));
	snprintf(url, sizeof(url), "/v1/cases/%s/police-report", code);
	json_object_set_new(doc, "police_report_url", json_string(url));
	return doc;
}

/* Loads the case and replies with it (status 200 or `status`). */
static void reply_case(struct http_req *req, struct http_reply *rep, const uint8_t *hash,
		       int status, const char *client)
{
	struct case_view cv;
	int rc = report_case_load(req->app->store, req->app->pseudonym_key, hash, &cv);

	if (rc) {
		case_error(req, rep, rc, client);
		return;
	}
	http_reply_json(rep, status, case_json(req->app, &cv, http_param(req, "code")));
	case_view_release(&cv);
}

void api_case_get(struct http_req *req, struct http_reply *rep)
{
	uint8_t hash[CASECODE_HASH_BYTES];
	char client[64];

	if (case_code(req, rep, hash, client, sizeof(client)) == 0)
		reply_case(req, rep, hash, 200, client);
}

void api_case_add(struct http_req *req, struct http_reply *rep)
{
	static const char *const known[] = { "description", "identifiers", NULL };
	struct report_ident ids[REPORT_IDENTS_MAX];
	uint8_t hash[CASECODE_HASH_BYTES];
	json_t *errors = NULL, *desc;
	const char *key;
	json_t *v;
	char client[64];
	size_t n = 0;
	int rc;

	if (case_code(req, rep, hash, client, sizeof(client)))
		return;
	memset(ids, 0, sizeof(ids));
	if (!json_is_object(req->json)) {
		http_reply_problem(rep, 422, "validation", "Invalid addition",
				   "expected an object {description, identifiers}", NULL);
		return;
	}
	json_object_foreach(req->json, key, v)
	{
		if (strcmp(key, known[0]) && strcmp(key, known[1]))
			http_problem_field(&errors, key, "unknown field");
	}
	desc = json_object_get(req->json, "description");
	if (desc && !json_is_null(desc))
		api_text_field(desc, "description", REPORT_TEXT_MAX, &errors);
	api_identifiers_parse(req->app, json_object_get(req->json, "identifiers"), "identifiers",
			      ids, &n, &errors);
	if (!errors && n == 0 && !json_string_length(desc))
		http_problem_field(&errors, "description", "give a description or identifiers");
	if (errors) {
		http_reply_problem(rep, 422, "validation", "Invalid addition",
				   "some fields need attention; nothing was saved", errors);
	} else {
		rc = report_case_add(req->app->store, req->app->pseudonym_key, hash,
				     json_string_value(desc), ids, n);
		if (rc)
			case_error(req, rep, rc, client);
		else
			reply_case(req, rep, hash, 201, client);
	}
	for (size_t i = 0; i < REPORT_IDENTS_MAX; i++) {
		mem_free(ids[i].canonical);
		mem_free(ids[i].sealed);
	}
}

void api_case_consent(struct http_req *req, struct http_reply *rep)
{
	uint8_t hash[CASECODE_HASH_BYTES];
	json_t *errors = NULL, *v;
	const char *key;
	unsigned consent = 0;
	char client[64], field[64];
	int rc;

	if (case_code(req, rep, hash, client, sizeof(client)))
		return;
	if (!json_is_object(req->json)) {
		http_reply_problem(rep, 422, "validation", "Invalid consent",
				   "expected an object of recipient: true/false", NULL);
		return;
	}
	json_object_foreach(req->json, key, v)
	{
		enum recipient r;

		snprintf(field, sizeof(field), "%.40s", key);
		if (recipient_parse(key, &r))
			http_problem_field(&errors, field,
					   "unknown recipient; expected bank, "
					   "police, helpdesk, victim_support, "
					   "platform");
		else if (!json_is_boolean(v))
			http_problem_field(&errors, field, "must be true or false");
		else if (json_is_true(v))
			consent |= 1u << r;
	}
	if (errors) {
		http_reply_problem(rep, 422, "validation", "Invalid consent",
				   "some fields need attention; nothing was changed", errors);
		return;
	}
	/* Recipients left out keep what they had: the victim may send one at a time. */
	{
		struct case_view cv;

		rc = report_case_load(req->app->store, req->app->pseudonym_key, hash, &cv);
		if (rc) {
			case_error(req, rep, rc, client);
			return;
		}
		for (int i = 0; i < RECIPIENT_COUNT; i++)
			if (!json_object_get(req->json, recipient_name((enum recipient)i)))
				consent |= cv.report.consent & (1u << i);
		case_view_release(&cv);
	}
	rc = report_case_consent(req->app->store, hash, consent);
	if (rc) {
		case_error(req, rep, rc, client);
		return;
	}
	reply_case(req, rep, hash, 200, client);
	deliverer_kick(req->app->deliverer);
	stream_hub_kick(req->app->streams);
}

void api_case_withdraw(struct http_req *req, struct http_reply *rep)
{
	uint8_t hash[CASECODE_HASH_BYTES];
	char client[64];
	int rc;

	if (case_code(req, rep, hash, client, sizeof(client)))
		return;
	rc = report_case_withdraw(req->app->store, hash);
	if (rc) {
		case_error(req, rep, rc, client);
		return;
	}
	http_reply_static(rep, 204, NULL, "", 0);
	/* Retractions may be waiting in the outbox. */
	deliverer_kick(req->app->deliverer);
	stream_hub_kick(req->app->streams);
}

static void html_row(struct buf *b, const char *label, const char *value)
{
	if (!value || !*value)
		return;
	buf_adds(b, "<tr><th scope=\"row\">");
	html_escape(b, label);
	buf_adds(b, "</th><td>");
	html_escape(b, value);
	buf_adds(b, "</td></tr>\n");
}

/* The package as a printable page; every value escaped. */
static void police_html(const struct app *app, const struct case_view *cv, struct http_reply *rep)
{
	const struct report *r = &cv->report;
	int en = strcmp(r->language, "en") == 0;
	const char *lang = en ? "en" : "nl";
	struct buf b = BUF_INIT(1 << 20);
	char amount[48], *text;
	size_t len;

	buf_addf(&b,
		 "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		 "<title>%s</title><link rel=\"stylesheet\" href=\"/static/signaal.css\">"
		 "</head><body><main class=\"print\">\n<h1>%s</h1>\n<p>%s</p>\n<table>\n",
		 lang, en ? "Details for a police report" : "Gegevens voor aangifte",
		 en ? "Details for a police report" : "Gegevens voor aangifte",
		 en ? "Take this page to the police or use it when you file a report online, so "
		      "that you do not have to tell your story again."
		    : "Neem deze pagina mee naar de politie of gebruik haar als u online aangifte "
		      "doet, zodat u uw verhaal niet opnieuw hoeft te vertellen.");
	html_row(&b, en ? "Reported at" : "Gemeld op", r->created_at);
	html_row(&b, en ? "Type of fraud" : "Soort fraude",
		 taxonomy_label(app->taxonomy, "fraud_types", r->fraud_type, lang));
	html_row(&b, en ? "When it happened" : "Wanneer", r->occurred_at);
	html_row(&b, en ? "What happened" : "Wat er gebeurde", r->description);
	if (r->has_loss) {
		snprintf(amount, sizeof(amount), "%s %lld.%02lld", r->currency,
			 (long long)(r->loss_cents / 100), (long long)(r->loss_cents % 100));
		html_row(&b, en ? "Amount lost" : "Schade", amount);
	}
	html_row(&b, en ? "Paid with" : "Betaald met",
		 r->payment_method[0]
			 ? taxonomy_label(app->taxonomy, "payment_methods", r->payment_method, lang)
			 : NULL);
	for (size_t i = 0; i < r->nidents; i++)
		html_row(&b, ident_kind_name(r->idents[i].kind), r->idents[i].canonical);
	for (size_t i = 0; i < cv->nadditions; i++)
		html_row(&b, en ? "Added later" : "Later toegevoegd", cv->additions[i].description);
	html_row(&b, en ? "Municipality" : "Gemeente", r->municipality);
	buf_adds(&b, "</table>\n</main></body></html>\n");
	text = buf_detach(&b, &len);
	if (!text) {
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "the page could not be made", NULL);
		return;
	}
	http_reply_take(rep, 200, "text/html; charset=utf-8", text, len);
	http_reply_header(rep, "Content-Security-Policy",
			  "default-src 'none'; style-src 'self'; base-uri 'none'; "
			  "frame-ancestors 'none'");
}

void api_case_police_report(struct http_req *req, struct http_reply *rep)
{
	uint8_t hash[CASECODE_HASH_BYTES];
	const char *format = http_query(req, "format");
	struct case_view cv;
	char client[64];
	json_t *doc;
	int rc;

	if (case_code(req, rep, hash, client, sizeof(client)))
		return;
	if (format && strcmp(format, "html") != 0 && strcmp(format, "json") != 0) {
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid query parameter",
				   "format must be json or html", NULL);
		return;
	}
	rc = report_case_load(req->app->store, req->app->pseudonym_key, hash, &cv);
	if (rc) {
		case_error(req, rep, rc, client);
		return;
	}
	if (strcmp(cv.report.status, "open") != 0) {
		case_view_release(&cv);
		case_error(req, rep, STORE_ECONFLICT, client);
		return;
	}
	if (format && strcmp(format, "html") == 0) {
		police_html(req->app, &cv, rep);
	} else {
		doc = case_json(req->app, &cv, http_param(req, "code"));
		if (doc) {
			json_object_del(doc, "advice");
			json_object_del(doc, "consent");
			json_object_del(doc, "referrals");
			json_object_del(doc, "police_report_url");
			json_object_set_new(doc, "purpose", json_string("police_report"));
		}
		http_reply_json(rep, 200, doc);
	}
	case_view_release(&cv);
}
