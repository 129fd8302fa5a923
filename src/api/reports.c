/*
 * reports.c - POST /v1/reports (the victim's front door) and GET /v1/advice.
 *
 * The request is checked field by field against the taxonomy, every
 * identifier is normalised, and all problems are reported together as
 * field errors; only a request without any is handed to report_submit().
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "advice.h"
#include "app.h"
#include "config.h"
#include "deliver/deliver.h"
#include "idempotency.h"
#include "ratelimit.h"
#include "report.h"
#include "store/store.h"
#include "taxonomy.h"
#include "util/mem.h"

static const char *const top_fields[] = { "fraud_type", "channels",    "description", "occurred_at",
					  "loss",	"identifiers", "victim",      "consent",
					  "language",	NULL };

static void check_unknown(json_t *obj, const char *const *known, const char *prefix,
			  json_t **errors)
{
	const char *key;
	json_t *v;
	char field[96], msg[128];

	json_object_foreach(obj, key, v)
	{
		int ok = 0;

		for (size_t i = 0; known[i]; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (ok)
			continue;
		snprintf(field, sizeof(field), "%s%.60s", prefix, key);
		snprintf(msg, sizeof(msg), "unknown field");
		http_problem_field(errors, field, msg);
	}
}

/* A taxonomy code in `section`, copied into out; "" when absent and not required. */
static void get_code(const struct app *app, json_t *obj, const char *key, const char *field,
		     const char *section, int required, char *out, size_t outsz, json_t **errors)
{
	json_t *v = json_object_get(obj, key);
	char msg[160];

	out[0] = '\0';
	if (!v || json_is_null(v)) {
		if (required)
			http_problem_field(errors, field, "required");
		return;
	}
	if (!json_is_string(v)) {
		http_problem_field(errors, field, "must be a string (a code from /v1/taxonomy)");
		return;
	}
	if (json_string_length(v) >= outsz ||
	    !taxonomy_has(app->taxonomy, section, json_string_value(v))) {
		snprintf(msg, sizeof(msg), "unknown code '%.40s'; see %s in /v1/taxonomy",
			 json_string_value(v), section);
		http_problem_field(errors, field, msg);
		return;
	}
	snprintf(out, outsz, "%s", json_string_value(v));
}

/* Whether the character after a '<' makes it the start of a tag or comment. */
static int starts_tag(unsigned char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '/' || c == '!' || c == '?';
}

int api_text_field(json_t *v, const char *field, size_t max, json_t **errors)
{
	const unsigned char *s;
	size_t chars = 0;
	char msg[96];

	if (!json_is_string(v)) {
		http_problem_field(errors, field, "must be a string");
		return -1;
	}
	s = (const unsigned char *)json_string_value(v);
	for (size_t i = 0; i < json_string_length(v); i++) {
		unsigned char c = s[i];

		if ((c & 0xc0) != 0x80)
			chars++;
		if (c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
			http_problem_field(errors, field, "must not contain control characters");
			return -1;
		}
		/* Tags are refused, not stored: the text goes to people and other systems. */
		if (c == '<' && i + 1 < json_string_length(v) && starts_tag(s[i + 1])) {
			http_problem_field(errors, field, "must not contain HTML or script");
			return -1;
		}
	}
	if (chars > max) {
		snprintf(msg, sizeof(msg), "too long: %zu characters, at most %zu", chars, max);
		http_problem_field(errors, field, msg);
		return -1;
	}
	return 0;
}

/* RFC 3339 UTC ("2026-11-20T14:00:00Z", optional fraction), not in the future. */
static void get_time(json_t *obj, const char *key, const char *field, char *out, size_t outsz,
		     json_t **errors)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec, n = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	time_t t;

	out[0] = '\0';
	if (!v || json_is_null(v))
		return;
	s = json_is_string(v) ? json_string_value(v) : NULL;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 19 || s[4] != '-' || s[7] != '-') {
		http_problem_field(errors, field,
				   "must be an RFC 3339 UTC time like "
				   "2026-11-20T14:00:00Z");
		return;
	}
	if (s[19] == '.')
		for (n = 20; s[n] >= '0' && s[n] <= '9'; n++)
			;
	if ((s[n] != 'Z' && s[n] != 'z') || s[n + 1] || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))) ||
	    h > 23 || mi > 59 || sec > 60) {
		http_problem_field(errors, field, "must be a valid RFC 3339 UTC time ending in Z");
		return;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	if (t > time(NULL) + 300) {
		http_problem_field(errors, field, "must not be in the future");
		return;
	}
	if (y < 1990) {
		http_problem_field(errors, field, "must not be before 1990");
		return;
	}
	snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, sec);
}

void api_routing(const struct ident *id, char *out, size_t outsz)
{
	const char *v = NULL, *dot;

	out[0] = '\0';
	if (id->kind == IDENT_IBAN)
		v = ident_attr_get(id, "bank_code");
	else if (id->kind == IDENT_URL)
		v = ident_attr_get(id, "host");
	else if (id->kind == IDENT_DOMAIN || id->kind == IDENT_EMAIL)
		v = id->kind == IDENT_DOMAIN ? id->canonical : ident_attr_get(id, "domain");
	if (!v)
		return;
	if (id->kind != IDENT_IBAN && (dot = strrchr(v, '.')) != NULL)
		v = dot + 1;
	snprintf(out, outsz, "%s", v);
}

int api_identifiers_parse(const struct app *app, json_t *arr, const char *prefix,
			  struct report_ident *out, size_t *n, json_t **errors)
{
	static const char *const known[] = { "kind", "value", "role", NULL };
	char field[64], msg[IDENT_ERR_MAX + 40];
	size_t i;

	*n = 0;
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr)) {
		http_problem_field(errors, prefix, "must be an array of {kind, value, role}");
		return -1;
	}
	if (json_array_size(arr) > REPORT_IDENTS_MAX) {
		snprintf(msg, sizeof(msg), "at most %d identifiers", REPORT_IDENTS_MAX);
		http_problem_field(errors, prefix, msg);
		return -1;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		json_t *it = json_array_get(arr, i), *k, *v, *role;
		struct report_ident *ri = &out[*n];
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX];
		int rc;

		snprintf(field, sizeof(field), "%s[%zu]", prefix, i);
		if (!json_is_object(it)) {
			http_problem_field(errors, field, "must be an object {kind, value, role}");
			continue;
		}
		snprintf(field, sizeof(field), "%s[%zu].", prefix, i);
		check_unknown(it, known, field, errors);
		k = json_object_get(it, "kind");
		v = json_object_get(it, "value");
		role = json_object_get(it, "role");
		snprintf(field, sizeof(field), "%s[%zu].kind", prefix, i);
		if (!json_is_string(k) || ident_kind_parse(json_string_value(k), &ri->kind)) {
			http_problem_field(errors, field,
					   "must be one of iban, phone, url, domain, "
					   "email, crypto, handle");
			continue;
		}
		snprintf(field, sizeof(field), "%s[%zu].value", prefix, i);
		if (!json_is_string(v)) {
			http_problem_field(errors, field, "required: the identifier as a string");
			continue;
		}
		rc = ident_normalize(&id, ri->kind, json_string_value(v), json_string_length(v),
				     err, sizeof(err));
		if (rc != IDENT_OK) {
			snprintf(msg, sizeof(msg), "invalid %s: %s", ident_kind_name(ri->kind),
				 err);
			http_problem_field(errors, field, msg);
			ident_release(&id);
			continue;
		}
		ri->role[0] = '\0';
		if (role && !json_is_null(role)) {
			snprintf(field, sizeof(field), "%s[%zu].role", prefix, i);
			if (!json_is_string(role) || json_string_length(role) >= sizeof(ri->role) ||
			    !taxonomy_has(app->taxonomy, "identifier_roles",
					  json_string_value(role))) {
				http_problem_field(errors, field,
						   "unknown role; see "
						   "identifier_roles in /v1/taxonomy");
				ident_release(&id);
				continue;
			}
			if (!taxonomy_allows_kind(app->taxonomy, "identifier_roles",
						  json_string_value(role), ri->kind)) {
				snprintf(msg, sizeof(msg), "role '%s' does not apply to a %s",
					 json_string_value(role), ident_kind_name(ri->kind));
				http_problem_field(errors, field, msg);
				ident_release(&id);
				continue;
			}
			snprintf(ri->role, sizeof(ri->role), "%s", json_string_value(role));
		}
		api_routing(&id, ri->routing, sizeof(ri->routing));
		ri->canonical = id.canonical; /* taken over */
		id.canonical = NULL;
		ident_release(&id);
		(*n)++;
	}
	return 0;
}

static void get_loss(const struct app *app, json_t *loss, struct report *r, json_t **errors)
{
	static const char *const known[] = { "amount_cents", "currency", "payment_method", NULL };
	json_t *amount, *cur;

	if (!loss || json_is_null(loss))
		return;
	if (!json_is_object(loss)) {
		http_problem_field(errors, "loss",
				   "must be an object {amount_cents, currency, "
				   "payment_method}");
		return;
	}
	check_unknown(loss, known, "loss.", errors);
	amount = json_object_get(loss, "amount_cents");
	if (amount) {
		if (!json_is_integer(amount))
			http_problem_field(errors, "loss.amount_cents",
					   "must be a whole number of "
					   "cents");
		else if (json_integer_value(amount) < 0)
			http_problem_field(errors, "loss.amount_cents", "must not be negative");
		else if (json_integer_value(amount) > 100000000000000LL)
			http_problem_field(errors, "loss.amount_cents", "is implausibly large");
		else
			r->has_loss = true, r->loss_cents = json_integer_value(amount);
	}
	cur = json_object_get(loss, "currency");
	snprintf(r->currency, sizeof(r->currency), "EUR");
	if (cur) {
		const char *c = json_string_value(cur);

		if (!c || strlen(c) != 3 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' ||
		    c[2] < 'A' || c[2] > 'Z')
			http_problem_field(errors, "loss.currency",
					   "must be an ISO 4217 code like "
					   "EUR");
		else
			snprintf(r->currency, sizeof(r->currency), "%s", c);
	}
	get_code(app, loss, "payment_method", "loss.payment_method", "payment_methods", 0,
		 r->payment_method, sizeof(r->payment_method), errors);
}

static void get_victim(const struct app *app, json_t *victim, struct report *r, json_t **errors)
{
	static const char *const known[] = { "type", "age_band", "municipality", "contact", NULL };
	static const char *const known_contact[] = { "email", "phone", NULL };
	json_t *m, *contact, *out;

	if (!victim || json_is_null(victim))
		return;
	if (!json_is_object(victim)) {
		http_problem_field(errors, "victim", "must be an object");
		return;
	}
	check_unknown(victim, known, "victim.", errors);
	get_code(app, victim, "type", "victim.type", "victim_types", 0, r->victim_type,
		 sizeof(r->victim_type), errors);
	get_code(app, victim, "age_band", "victim.age_band", "age_bands", 0, r->age_band,
		 sizeof(r->age_band), errors);
	m = json_object_get(victim, "municipality");
	if (m && !json_is_null(m)) {
		if (!json_is_string(m) ||
		    !municipalities_find(app->municipalities, json_string_value(m)))
			http_problem_field(errors, "victim.municipality",
					   "unknown municipality; use a CBS code like GM0363 from "
					   "/v1/municipalities");
		else
			snprintf(r->municipality, sizeof(r->municipality), "%s",
				 json_string_value(m));
	}
	contact = json_object_get(victim, "contact");
	if (!contact || json_is_null(contact))
		return;
	if (!json_is_object(contact)) {
		http_problem_field(errors, "victim.contact", "must be an object {email, phone}");
		return;
	}
	check_unknown(contact, known_contact, "victim.contact.", errors);
	out = json_object();
	for (size_t i = 0; known_contact[i] && out; i++) {
		json_t *v = json_object_get(contact, known_contact[i]);
		struct ident id = IDENT_INIT;
		char err[IDENT_ERR_MAX], field[40], msg[IDENT_ERR_MAX + 20];
		enum ident_kind kind = i == 0 ? IDENT_EMAIL : IDENT_PHONE;

		if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
			continue;
		snprintf(field, sizeof(field), "victim.contact.%s", known_contact[i]);
		if (!json_is_string(v)) {
			http_problem_field(errors, field, "must be a string");
			continue;
		}
		if (ident_normalize(&id, kind, json_string_value(v), json_string_length(v), err,
				    sizeof(err)) != IDENT_OK) {
			snprintf(msg, sizeof(msg), "invalid: %s", err);
			http_problem_field(errors, field, msg);
		} else {
			json_object_set_new(out, known_contact[i], json_string(id.canonical));
		}
		ident_release(&id);
	}
	if (out && json_object_size(out))
		r->contact = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(out);
}

static void get_consent(json_t *consent, struct report *r, json_t **errors)
{
	const char *key;
	json_t *v;
	char field[64];

	r->consent = 0;
	if (!consent || json_is_null(consent))
		return;
	if (!json_is_object(consent)) {
		http_problem_field(errors, "consent", "must be an object of recipient: true/false");
		return;
	}
	json_object_foreach(consent, key, v)
	{
		enum recipient rc;

		snprintf(field, sizeof(field), "consent.%.40s", key);
		if (recipient_parse(key, &rc)) {
			http_problem_field(errors, field,
					   "unknown recipient; expected bank, police, "
					   "helpdesk, victim_support, platform");
			continue;
		}
		if (!json_is_boolean(v)) {
			http_problem_field(errors, field, "must be true or false");
			continue;
		}
		if (json_is_true(v))
			r->consent |= 1u << rc;
	}
}

/* The whole request into r; field errors into *errors. */
static void report_parse(const struct app *app, json_t *doc, struct report *r, json_t **errors)
{
	json_t *channels = json_object_get(doc, "channels"), *v, *lang;
	size_t pos = 0;

	check_unknown(doc, top_fields, "", errors);
	get_code(app, doc, "fraud_type", "fraud_type", "fraud_types", 1, r->fraud_type,
		 sizeof(r->fraud_type), errors);
	if (channels && !json_is_null(channels)) {
		if (!json_is_array(channels) || json_array_size(channels) > 20) {
			http_problem_field(errors, "channels",
					   "must be an array of at most 20 codes");
		} else {
			for (size_t i = 0; i < json_array_size(channels); i++) {
				char field[32], code[REPORT_CODE_MAX];

				snprintf(field, sizeof(field), "channels[%zu]", i);
				v = json_array_get(channels, i);
				if (!json_is_string(v)) {
					http_problem_field(errors, field, "must be a string code");
					continue;
				}
				json_t *tmp = json_pack("{s:O}", "c", v);
				get_code(app, tmp, "c", field, "channels", 1, code, sizeof(code),
					 errors);
				json_decref(tmp);
				if (code[0] && pos + strlen(code) + 2 < sizeof(r->channels))
					pos += (size_t)snprintf(r->channels + pos,
								sizeof(r->channels) - pos, "%s%s",
								pos ? "," : "", code);
			}
		}
	}
	v = json_object_get(doc, "description");
	if (v && !json_is_null(v) && api_text_field(v, "description", REPORT_TEXT_MAX, errors) == 0)
		r->description = mem_strdup(json_string_value(v));
	get_time(doc, "occurred_at", "occurred_at", r->occurred_at, sizeof(r->occurred_at), errors);
	get_loss(app, json_object_get(doc, "loss"), r, errors);
	api_identifiers_parse(app, json_object_get(doc, "identifiers"), "identifiers", r->idents,
			      &r->nidents, errors);
	get_victim(app, json_object_get(doc, "victim"), r, errors);
	get_consent(json_object_get(doc, "consent"), r, errors);
	lang = json_object_get(doc, "language");
	snprintf(r->language, sizeof(r->language), "nl");
	if (lang && !json_is_null(lang)) {
		if (json_is_string(lang) && (strcmp(json_string_value(lang), "nl") == 0 ||
					     strcmp(json_string_value(lang), "en") == 0))
			snprintf(r->language, sizeof(r->language), "%s", json_string_value(lang));
		else
			http_problem_field(errors, "language", "must be \"nl\" or \"en\"");
	}
}

unsigned api_kinds_mask(const struct report *r)
{
	unsigned mask = 0;

	for (size_t i = 0; i < r->nidents; i++)
		mask |= 1u << r->idents[i].kind;
	return mask;
}

/* A report on its way to the disk, and the reply that goes out once it is there. */
struct submission {
	struct report r;
	struct http_deferred *d;
	struct idem *idem; /* set when the request carried a new Idempotency-Key */
	struct deliverer *deliverer;
	struct stream_hub *streams;
	char scope[IDEM_KEY_MAX + 80];
	char *body; /* the 201 document, made before the wait */
	size_t len;
};

static void submission_free(struct submission *sub)
{
	report_release(&sub->r);
	mem_free(sub->body);
	mem_free(sub);
}

/* On the store's writer thread: the report is committed (or failed). */
static void report_committed(void *arg, int rc)
{
	struct submission *sub = arg;
	struct http_deferred *d = sub->d;
	struct deliverer *deliverer = sub->deliverer;
	struct stream_hub *streams = sub->streams;
	struct http_reply *rep = http_deferred_reply(d);

	if (rc == STORE_OK) {
		if (sub->idem)
			idem_complete(sub->idem, sub->scope, 201, sub->body, sub->len);
		http_reply_take(rep, 201, "application/json", sub->body, sub->len);
		sub->body = NULL;
	} else {
		if (sub->idem)
			idem_abandon(sub->idem, sub->scope);
		api_store_error(rep, rc);
	}
	submission_free(sub);
	http_deferred_done(d);
	if (rc == STORE_OK) {
		/* A rule may have filled the outbox. */
		deliverer_kick(deliverer);
		stream_hub_kick(streams);
	}
}

/*
 * A retry with the same Idempotency-Key gets the first answer.  Returns 0
 * to go on (sub->idem set when the key is new), or -1 with the reply set.
 */
static int idempotency_begin(struct http_req *req, struct http_reply *rep, struct submission *sub)
{
	const char *key = http_header(req, "Idempotency-Key");
	char client[64], *answer = NULL;
	size_t len = 0;
	int status = 0;

	if (!key || !req->app->idempotency)
		return 0;
	if (!idem_key_valid(key)) {
		http_reply_problem(rep, 400, "invalid-header", "Invalid Idempotency-Key",
				   "the Idempotency-Key must be 1 to 128 printable characters",
				   NULL);
		return -1;
	}
	if (http_client_addr(req, client, sizeof(client)))
		snprintf(client, sizeof(client), "unknown");
	/* Scoped by address: a key alone must not reveal somebody else's case code. */
	snprintf(sub->scope, sizeof(sub->scope), "%s\n%s", client, key);
	switch (idem_begin(req->app->idempotency, sub->scope, req->body.data, req->body.len,
			   &status, &answer, &len)) {
	case IDEM_NEW: sub->idem = req->app->idempotency; return 0;
	case IDEM_REPLAY:
		http_reply_take(rep, status, "application/json", answer, len);
		http_reply_header(rep, "Idempotent-Replayed", "true");
		return -1;
	case IDEM_IN_PROGRESS:
		http_reply_problem(rep, 409, "request-in-progress", "Request in progress",
				   "a request with this Idempotency-Key is still being processed; "
				   "retry in a moment",
				   NULL);
		http_reply_header(rep, "Retry-After", "1");
		return -1;
	case IDEM_MISMATCH:
		http_reply_problem(rep, 422, "idempotency-key-reused", "Idempotency-Key reused",
				   "this Idempotency-Key was used for a different request", NULL);
		return -1;
	case IDEM_FULL: break;
	}
	/* No room to remember the answer: process the request as if it had no key. */
	return 0;
}

/*
 * Independence: reports count once per reporter.  Without verified contact
 * details the reporter is known only by the client's address (through the
 * trusted proxies), kept as a keyed hash so that the registry holds no
 * addresses.
 */
static void reporter_fingerprint(struct http_req *req, struct report *r)
{
	uint8_t h[16];
	char addr[64], hex[33];

	if (http_client_addr(req, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "unknown");
	crypto_generichash_state st;

	/* Keyed, and with a label of its own, so that it is useless outside this purpose. */
	crypto_generichash_init(&st, req->app->pseudonym_key->seal_key,
				sizeof(req->app->pseudonym_key->seal_key), sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)"signaal reporter v1\n", 20);
	crypto_generichash_update(&st, (const unsigned char *)addr, strlen(addr));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(r->reporter, sizeof(r->reporter), "r:%s", hex);
}

/*
 * Reports per client address are limited (report_rate_limit an hour), so
 * that one client cannot flood the registry; 429 with Retry-After past it.
 */
static int report_rate_limited(struct http_req *req, struct http_reply *rep)
{
	char addr[64];
	int retry;

	if (!req->app->report_limit)
		return 0;
	if (http_client_addr(req, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "unknown");
	if (ratelimit_take(req->app->report_limit, addr, &retry) == 0)
		return 0;
	api_too_many(rep, "too-many-reports", "Too many reports",
		     "too many reports from your address; try again later, or call the "
		     "Fraudehelpdesk",
		     retry, req->app->cfg->report_rate_limit, 3600);
	return -1;
}

/* The 201 document: the case code (shown once), advice and referrals. */
static char *created_body(const struct app *app, const struct report *r, const char *code,
			  unsigned kinds, size_t *len)
{
	json_t *referrals = json_array(), *doc;
	char url[64], *text;

	for (int i = 0; referrals && i < RECIPIENT_COUNT; i++)
		if (r->consent & (1u << i))
			json_array_append_new(referrals,
					      json_pack("{s:s,s:s}", "recipient",
							recipient_name((enum recipient)i), "status",
							"pending"));
	snprintf(url, sizeof(url), "/case#%s", code);
	doc = json_pack("{s:s,s:s,s:o,s:o}", "case_code", code, "case_url", url, "advice",
			advice_select(app->advice, r->fraud_type,
				      r->payment_method[0] ? r->payment_method : NULL, kinds,
				      r->language),
			"referrals", referrals);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	*len = text ? strlen(text) : 0;
	return text;
}

void api_reports_create(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	struct submission *sub;
	json_t *errors = NULL;
	char code[CASECODE_TEXT_MAX], detail[96];
	int rc;

	if (!json_is_object(req->json)) {
		http_reply_problem(rep, 422, "validation", "Invalid report",
				   "expected a JSON object describing what happened", NULL);
		return;
	}
	if (report_rate_limited(req, rep))
		return;
	sub = mem_calloc(1, sizeof(*sub));
	if (!sub) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	if (idempotency_begin(req, rep, sub)) {
		submission_free(sub);
		return;
	}
	report_parse(app, req->json, &sub->r, &errors);
	if (errors) {
		if (sub->idem)
			idem_abandon(sub->idem, sub->scope);
		snprintf(detail, sizeof(detail), "%zu field%s need%s attention; nothing was saved",
			 json_array_size(errors), json_array_size(errors) == 1 ? "" : "s",
			 json_array_size(errors) == 1 ? "s" : "");
		http_reply_problem(rep, 422, "validation", "Invalid report", detail, errors);
		submission_free(sub);
		return;
	}
	reporter_fingerprint(req, &sub->r);
	rc = report_prepare(app->pseudonym_key, &sub->r, code);
	if (rc == STORE_OK) {
		sub->body = created_body(app, &sub->r, code, api_kinds_mask(&sub->r), &sub->len);
		rc = sub->body ? STORE_OK : STORE_ENOMEM;
	}
	sodium_memzero(code, sizeof(code));
	if (rc != STORE_OK) {
		if (sub->idem)
			idem_abandon(sub->idem, sub->scope);
		api_store_error(rep, rc);
		submission_free(sub);
		return;
	}
	/* The worker thread goes back to other clients while the commit waits for the disk. */
	sub->deliverer = app->deliverer;
	sub->streams = app->streams;
	sub->d = http_defer(req);
	rc = store_report_insert_async(app->store, &sub->r, report_committed, sub);
	if (rc != STORE_OK)
		report_committed(sub, rc);
}

void api_advice(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	const char *ft = http_query(req, "fraud_type"), *pm = http_query(req, "payment_method");
	const char *kinds = http_query(req, "kinds"), *lang = http_query(req, "lang");
	json_t *errors = NULL;
	unsigned mask = 0;

	if (!ft || !taxonomy_has(app->taxonomy, "fraud_types", ft))
		http_problem_field(&errors, "fraud_type",
				   ft ? "unknown code; see fraud_types in "
					"/v1/taxonomy"
				      : "required");
	if (pm && *pm && !taxonomy_has(app->taxonomy, "payment_methods", pm))
		http_problem_field(&errors, "payment_method",
				   "unknown code; see payment_methods in "
				   "/v1/taxonomy");
	if (lang && strcmp(lang, "nl") != 0 && strcmp(lang, "en") != 0)
		http_problem_field(&errors, "lang", "must be nl or en");
	for (const char *p = kinds; p && *p;) {
		size_t n = strcspn(p, ",");
		char name[16];
		enum ident_kind k;

		snprintf(name, sizeof(name), "%.*s", (int)(n < 15 ? n : 15), p);
		if (n >= 15 || ident_kind_parse(name, &k)) {
			http_problem_field(&errors, "kinds",
					   "a comma-separated list of iban, phone, "
					   "url, domain, email, crypto, handle");
			break;
		}
		mask |= 1u << k;
		p += n + (p[n] == ',');
	}
	if (errors) {
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid query parameter",
				   "see errors", errors);
		return;
	}
	lang = lang ? lang : "nl";
	http_reply_json(
		rep, 200,
		json_pack("{s:s,s:s,s:o}", "fraud_type", ft, "language", lang, "advice",
			  advice_select(app->advice, ft, pm && *pm ? pm : NULL, mask, lang)));
}
