/*
 * subjects.c - requests of data subjects: POST /v1/subject-requests (access
 * or objection, public) and GET /v1/subject-requests/{code} (the person
 * reads the status and the answer with the request code).
 *
 * The reply to a request is the same whether or not the identifier is
 * registered: only the operator's answer, later, says so, so that the
 * endpoint is no way around the public check's limits.  The contact
 * address is sealed at once and never logged or audited.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "casecode.h"
#include "config.h"
#include "deliver/deliver.h"
#include "pseudonym.h"
#include "ratelimit.h"
#include "report.h"
#include "store/store.h"
#include "subject.h"
#include "util/log.h"
#include "util/mem.h"

static const char *const fields[] = {
	"type", "kind", "value", "contact", "reason", "language", NULL
};

static const char next_access_nl[] =
	"Wij zoeken uit of dit gegeven bij Signaal geregistreerd staat, sinds wanneer, en met "
	"welke organisaties het is gedeeld. Wij kunnen eerst contact met u opnemen om na te gaan "
	"dat het gegeven van u is. Het antwoord leest u met uw verzoekcode. Bewaar de code goed: "
	"wij tonen hem maar één keer.";
static const char next_access_en[] =
	"We will find out whether this identifier is registered with Signaal, since when, and "
	"which organisations it was shared with. We may contact you first to make sure that it "
	"is yours. You read the answer with your request code. Keep the code safe: it is shown "
	"only once.";
static const char next_objection_nl[] =
	"Als dit gegeven bij Signaal geregistreerd staat, tonen wij het niet meer in de openbare "
	"controle zolang wij uw bezwaar behandelen, en laten wij de organisaties die het "
	"ontvingen weten dat het betwist wordt. Wij kunnen contact met u opnemen. Het besluit "
	"leest u met uw verzoekcode. Bewaar de code goed: wij tonen hem maar één keer.";
static const char next_objection_en[] =
	"If this identifier is registered with Signaal, we no longer show it in the public check "
	"while we handle your objection, and we tell the organisations that received it that it "
	"is disputed. We may contact you. You read the decision with your request code. Keep "
	"the code safe: it is shown only once.";

/* Requests count against the report limit's table, in a bucket of their own per address. */
static int rate_limited(struct http_req *req, struct http_reply *rep)
{
	char addr[64], key[80];
	int retry;

	if (!req->app->report_limit)
		return 0;
	if (http_client_addr(req, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "unknown");
	snprintf(key, sizeof(key), "subject\n%s", addr);
	if (ratelimit_take(req->app->report_limit, key, &retry) == 0)
		return 0;
	api_too_many(rep, "too-many-requests", "Too many requests",
		     "too many requests from your address; try again later", retry,
		     req->app->cfg->report_rate_limit, 3600);
	return -1;
}

/* The contact: an e-mail address or a phone number, in canonical form into out. */
static void get_contact(json_t *v, char *out, size_t outsz, json_t **errors)
{
	struct ident id = IDENT_INIT;
	enum ident_kind kind;
	char err[IDENT_ERR_MAX], msg[IDENT_ERR_MAX + 40];

	out[0] = '\0';
	if (!json_is_string(v) || json_string_length(v) == 0) {
		http_problem_field(errors, "contact",
				   "required: an e-mail address or phone number to reach you");
		return;
	}
	kind = strchr(json_string_value(v), '@') ? IDENT_EMAIL : IDENT_PHONE;
	if (json_string_length(v) > SUBJECT_CONTACT_MAX ||
	    ident_normalize(&id, kind, json_string_value(v), json_string_length(v), err,
			    sizeof(err)) != IDENT_OK) {
		snprintf(msg, sizeof(msg), "not a valid %s: %s",
			 kind == IDENT_EMAIL ? "e-mail address" : "phone number",
			 json_string_length(v) > SUBJECT_CONTACT_MAX ? "too long" : err);
		http_problem_field(errors, "contact", msg);
	} else if (strlen(id.canonical) < outsz) {
		snprintf(out, outsz, "%s", id.canonical);
	} else {
		http_problem_field(errors, "contact", "too long");
	}
	ident_release(&id);
}

/* A request on its way to the audit log, and the reply that goes out once it is there. */
struct received {
	struct http_deferred *d;
	struct deliverer *deliverer;
	struct stream_hub *streams;
	int notified;
	char *body;
	size_t len;
};

static void received_audited(void *arg, int rc)
{
	struct received *w = arg;
	struct http_reply *rep = http_deferred_reply(w->d);

	/* The request is stored and the code exists only in this reply: it goes out anyway. */
	if (rc)
		log_error("audit: cannot record a subject request");
	http_reply_take(rep, 202, "application/json", w->body, w->len);
	http_deferred_done(w->d);
	if (w->notified) {
		deliverer_kick(w->deliverer);
		stream_hub_kick(w->streams);
	}
	mem_free(w);
}

/* Parses the request into r (type, kind, pseudonym, language) and the sealed data. */
static void parse(const struct app *app, json_t *doc, struct subject_request *r, json_t **errors,
		  int *sealed)
{
	json_t *type = json_object_get(doc, "type"), *kind = json_object_get(doc, "kind");
	json_t *value = json_object_get(doc, "value"), *reason = json_object_get(doc, "reason");
	json_t *lang = json_object_get(doc, "language");
	struct ident id = IDENT_INIT;
	enum ident_kind k = IDENT_IBAN;
	char err[IDENT_ERR_MAX], msg[IDENT_ERR_MAX + 40], contact[SUBJECT_CONTACT_MAX + 1];
	const char *key, *why = NULL;
	json_t *v;
	bool kind_ok = false;

	json_object_foreach(doc, key, v)
	{
		bool ok = false;

		for (size_t i = 0; fields[i]; i++)
			ok |= strcmp(key, fields[i]) == 0;
		if (!ok)
			http_problem_field(errors, key, "unknown field");
	}
	if (json_is_string(type) && (strcmp(json_string_value(type), "access") == 0 ||
				     strcmp(json_string_value(type), "objection") == 0))
		snprintf(r->type, sizeof(r->type), "%s", json_string_value(type));
	else
		http_problem_field(errors, "type", "required: access or objection");
	if (!json_is_string(kind) || ident_kind_parse(json_string_value(kind), &k))
		http_problem_field(errors, "kind",
				   "required: iban, phone, url, domain, email, crypto or handle");
	else
		kind_ok = true;
	if (!json_is_string(value) || json_string_length(value) == 0) {
		http_problem_field(errors, "value", "required: the identifier as a string");
	} else if (kind_ok &&
		   ident_normalize(&id, k, json_string_value(value), json_string_length(value), err,
				   sizeof(err)) != IDENT_OK) {
		snprintf(msg, sizeof(msg), "invalid %s: %s", ident_kind_name(k), err);
		http_problem_field(errors, "value", msg);
	}
	get_contact(json_object_get(doc, "contact"), contact, sizeof(contact), errors);
	if (reason && !json_is_null(reason) &&
	    api_text_field(reason, "reason", SUBJECT_REASON_MAX, errors) == 0 &&
	    json_string_length(reason) > 0)
		why = json_string_value(reason);
	if (strcmp(r->type, "objection") == 0 &&
	    (!reason || json_is_null(reason) ||
	     (json_is_string(reason) && json_string_length(reason) == 0)))
		http_problem_field(errors, "reason", "required for an objection: why you object");
	snprintf(r->language, sizeof(r->language), "nl");
	if (lang && !json_is_null(lang)) {
		if (json_is_string(lang) && (strcmp(json_string_value(lang), "nl") == 0 ||
					     strcmp(json_string_value(lang), "en") == 0))
			snprintf(r->language, sizeof(r->language), "%s", json_string_value(lang));
		else
			http_problem_field(errors, "language", "must be \"nl\" or \"en\"");
	}
	if (!*errors && id.canonical) {
		snprintf(r->kind, sizeof(r->kind), "%s", ident_kind_name(k));
		*sealed = pseudonym_compute(app->pseudonym_key, r->kind, id.canonical,
					    strlen(id.canonical), r->pseudonym) == 0 &&
			  subject_seal(app->pseudonym_key, r, id.canonical, contact, why) == 0;
	}
	sodium_memzero(contact, sizeof(contact));
	ident_release(&id);
}

void api_subject_request_create(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	struct subject_request r;
	struct received *w = NULL;
	struct audit_event ev = { .actor = "public", .act = "subject.received" };
	uint8_t subject[1][AUDIT_COMMIT_BYTES];
	json_t *errors = NULL, *doc;
	char code[CASECODE_TEXT_MAX], url[64], *notice = NULL;
	int sealed = 0, notified = 0, rc;
	bool en;

	memset(&r, 0, sizeof(r));
	if (!json_is_object(req->json)) {
		http_reply_problem(rep, 422, "validation", "Invalid request",
				   "expected a JSON object {type, kind, value, contact, reason}",
				   NULL);
		return;
	}
	if (rate_limited(req, rep))
		return;
	parse(app, req->json, &r, &errors, &sealed);
	if (errors) {
		http_reply_problem(rep, 422, "validation", "Invalid request",
				   "some fields need attention; nothing was saved", errors);
		subject_request_release(&r);
		return;
	}
	if (!sealed) {
		api_store_error(rep, STORE_ENOMEM);
		subject_request_release(&r);
		return;
	}
	casecode_new(code, r.code_hash);
	report_now(r.created_at);
	if (strcmp(r.type, "objection") == 0) {
		notice = subject_notice("retraction", "disputed", r.kind, r.pseudonym, "disputed");
		if (!notice) {
			api_store_error(rep, STORE_ENOMEM);
			goto out;
		}
	}
	rc = store_subject_request_add(app->store, &r, notice, &notified);
	if (rc) {
		api_store_error(rep, rc);
		goto out;
	}
	en = strcmp(r.language, "en") == 0;
	snprintf(url, sizeof(url), "/subject#%s", code);
	doc = json_pack("{s:s,s:s,s:s,s:s,s:s}", "request_code", code, "type", r.type, "status",
			"received", "status_url", url, "next",
			strcmp(r.type, "access") == 0
				? (en ? next_access_en : next_access_nl)
				: (en ? next_objection_en : next_objection_nl));
	w = mem_calloc(1, sizeof(*w));
	if (w && doc)
		w->body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!w || !w->body) {
		/* Stored but not answered: the person tries again and gets another code. */
		if (w)
			mem_free(w);
		api_store_error(rep, STORE_ENOMEM);
		goto out;
	}
	w->len = strlen(w->body);
	w->notified = notified;
	w->deliverer = app->deliverer;
	w->streams = app->streams;
	if (!app->audit) {
		http_reply_take(rep, 202, "application/json", w->body, w->len);
		if (notified) {
			deliverer_kick(app->deliverer);
			stream_hub_kick(app->streams);
		}
		mem_free(w);
		goto out;
	}
	audit_commit_identifier(audit_keys_of(app->audit), r.pseudonym, subject[0]);
	ev.ref = r.type;
	ev.subjects = (const uint8_t(*)[AUDIT_COMMIT_BYTES])subject;
	ev.nsubjects = 1;
	ev.detail = json_pack("{s:I}", "request", (json_int_t)r.id);
	w->d = http_defer(req);
	if (audit_record(app->audit, &ev, received_audited, w))
		received_audited(w, -1);
	json_decref(ev.detail);
out:
	sodium_memzero(code, sizeof(code));
	mem_free(notice);
	subject_request_release(&r);
}

void api_subject_request_get(struct http_req *req, struct http_reply *rep)
{
	const char *code = http_param(req, "code");
	struct ratelimit *guesses = req->app->case_guesses;
	struct subject_request r;
	uint8_t hash[CASECODE_HASH_BYTES];
	char client[64];
	json_t *doc, *answer = NULL;
	int retry, rc = STORE_ENOTFOUND;

	if (http_client_addr(req, client, sizeof(client)))
		snprintf(client, sizeof(client), "unknown");
	/* Wrong codes cost guesses, shared with case codes: both are 128 random bits. */
	if (guesses && ratelimit_peek(guesses, client, &retry)) {
		api_too_many(rep, "too-many-attempts", "Too many attempts",
			     "too many wrong codes from your address; try again later", retry, 10,
			     60);
		return;
	}
	if (code && casecode_parse(code, hash) == 0)
		rc = store_subject_request_by_code(req->app->store, hash, &r);
	if (rc == STORE_ENOTFOUND) {
		if (guesses)
			ratelimit_take(guesses, client, &retry);
		http_reply_problem(rep, 404, "request-not-found", "Request not found",
				   "there is no request with this code: check it for typing errors",
				   NULL);
		return;
	}
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	if (r.answer)
		answer = json_loads(r.answer, 0, NULL);
	doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "type", r.type, "kind", r.kind,
			"status", r.status, "language", r.language, "created_at", r.created_at,
			"updated_at", r.updated_at, "answer", answer ? answer : json_null(),
			"decision_reason",
			r.decision_reason ? json_string(r.decision_reason) : json_null());
	subject_request_release(&r);
	if (!doc) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	http_reply_json(rep, 200, doc);
	http_reply_header(rep, "Cache-Control", "no-store");
}
