/*
 * check.c - checks before you pay.  GET /v1/check for the public: what a
 * rule makes public about an identifier (counts, dates, fraud types and
 * what to do), never the content of reports.  POST /v1/lookup for
 * partners: the registry's facts for up to 1,000 identifiers or
 * pseudonyms at once.  Both read the in-memory index (lookup_index.h),
 * never the disk.
 */
#include "api/api.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "advice.h"
#include "api/lookup_body.h"
#include "app.h"
#include "audit.h"
#include "config.h"
#include "lookup_index.h"
#include "partner.h"
#include "pseudonym.h"
#include "pseudonym_cache.h"
#include "ratelimit.h"
#include "rules.h"
#include "store/store.h"
#include "util/b64url.h"
#include "util/buf.h"
#include "util/mem.h"

#define LOOKUP_MAX	  1000
#define LOOKUP_ANSWER_MAX (LOOKUP_MAX * 2048) /* an item is well under 2 KiB */

/* Whether a rule that fired for this identifier makes it public (and no dispute hides it). */
static bool made_public(const struct app *app, const struct identifier_facts *f)
{
	if (strcmp(f->status, "disputed") == 0 || strcmp(f->status, "cleared") == 0)
		return false;
	for (size_t i = 0; i < rules_count(app->rules); i++) {
		const struct rule *r = rules_at(app->rules, i);

		if (r->make_public && partner_list_has(f->fired, r->id))
			return true;
	}
	return false;
}

/*
 * The advice of a listed identifier depends only on its first fraud type,
 * its kind and the language, and the advice never changes while the server
 * runs: each combination is rendered once and kept (a few hundred at most).
 */
#define ADVICE_CACHE_MAX 512

static struct {
	pthread_mutex_t lock;
	size_t n;
	struct {
		char key[80];
		char *text;
	} e[ADVICE_CACHE_MAX];
} advice_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * The advice as JSON text, or NULL when out of memory.  Kept in the cache,
 * or, if the cache is full, made for this call alone: then *owned is set
 * and the caller frees it.
 */
static const char *advice_text(const struct app *app, const char *fraud_type, unsigned kind,
			       const char *lang, char **owned)
{
	char key[80];
	const char *text = NULL;
	char *made, *copy;
	json_t *a;

	*owned = NULL;
	snprintf(key, sizeof(key), "%s/%u/%s", fraud_type ? fraud_type : "", kind, lang);
	pthread_mutex_lock(&advice_cache.lock);
	for (size_t i = 0; i < advice_cache.n && !text; i++)
		if (strcmp(advice_cache.e[i].key, key) == 0)
			text = advice_cache.e[i].text;
	pthread_mutex_unlock(&advice_cache.lock);
	if (text)
		return text;
	a = advice_select(app->advice, fraud_type, NULL, 1u << kind, lang);
	made = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	copy = made ? mem_strdup(made) : NULL;
	free(made);
	if (!copy)
		return NULL;
	pthread_mutex_lock(&advice_cache.lock);
	for (size_t i = 0; i < advice_cache.n && !text; i++)
		if (strcmp(advice_cache.e[i].key, key) == 0)
			text = advice_cache.e[i].text; /* another thread made it meanwhile */
	if (!text && advice_cache.n < ADVICE_CACHE_MAX) {
		snprintf(advice_cache.e[advice_cache.n].key, sizeof(key), "%s", key);
		advice_cache.e[advice_cache.n++].text = copy;
		text = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&advice_cache.lock);
	if (!text) { /* the cache is full: this call's own copy */
		*owned = copy;
		return copy;
	}
	mem_free(copy);
	return text;
}

/* A JSON string of v (n bytes) into b; non-zero if an append failed. */
static int add_str(struct buf *b, const char *v, size_t n)
{
	int rc = buf_addc(b, '"');
	size_t run = 0; /* v[i - run .. i) need no escape: appended in one go */

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c != '"' && c != '\\' && c >= 0x20) {
			run++;
			continue;
		}
		rc |= buf_add(b, v + i - run, run);
		run = 0;
		if (c == '"' || c == '\\')
			rc |= buf_addf(b, "\\%c", c);
		else
			rc |= buf_addf(b, "\\u%04x", c);
	}
	rc |= buf_add(b, v + n - run, run);
	return rc | buf_addc(b, '"');
}

static int add_list(struct buf *b, const char *list)
{
	int rc = buf_addc(b, '[');

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");

		if (p != list)
			rc |= buf_addc(b, ',');
		rc |= add_str(b, p, n);
		p += n + (p[n] == ',');
	}
	return rc | buf_addc(b, ']');
}

void api_check(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	const char *kind_s = http_query(req, "kind"), *value = http_query(req, "value");
	const char *lang = http_query(req, "lang");
	struct ident id = IDENT_INIT;
	struct identifier_facts f;
	enum ident_kind kind;
	uint8_t pseud[PSEUDONYM_BYTES];
	json_t *errors = NULL;
	char err[IDENT_ERR_MAX], addr[64];
	bool known;
	int retry;

	if (app->check_limit) {
		if (http_client_addr(req, addr, sizeof(addr)))
			snprintf(addr, sizeof(addr), "unknown");
		if (ratelimit_take(app->check_limit, addr, &retry)) {
			api_too_many(rep, "too-many-checks", "Too many checks",
				     "too many checks from your address; try again in a minute",
				     retry, app->cfg->check_rate_limit, 60);
			return;
		}
	}
	lang = lang && strcmp(lang, "en") == 0 ? "en" : "nl";
	if (!kind_s || ident_kind_parse(kind_s, &kind))
		http_problem_field(&errors, "kind",
				   "required: iban, phone, url, domain, email, "
				   "crypto or handle");
	else if (!value || !*value)
		http_problem_field(&errors, "value", "required: what to check");
	else if (ident_normalize(&id, kind, value, strlen(value), err, sizeof(err)) != IDENT_OK)
		http_problem_field(&errors, "value", err);
	if (errors) {
		ident_release(&id);
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid check", "see errors",
				   errors);
		return;
	}
	pseudonym_cached(app->check_cache, app->pseudonym_key, ident_kind_name(kind), id.canonical,
			 strlen(id.canonical), pseud);
	lookup_index_get(app->index, pseud, 1, &f, &known);
	sodium_memzero(pseud, sizeof(pseud));
	if (!known || !made_public(app, &f)) {
		/* Careful: the absence of reports is no proof of safety.  (JSON strings already.) */
		const char *msg =
			strcmp(lang, "en") == 0
				? "\"No reports are known that we may show. That does not mean it "
				  "is safe: fraudsters change accounts and numbers often. Do not "
				  "pay if you have doubts.\""
				: "\"Er zijn geen meldingen bekend die we mogen tonen. Dat "
				  "betekent niet dat het veilig is: oplichters wisselen vaak van "
				  "rekening en nummer. Twijfelt u? Betaal dan niet.\"";
		struct buf b;
		char *body;
		size_t len;
		int rc;

		/* The common answer, written directly: the check is the busiest public route. */
		buf_init(&b, 4096);
		rc = buf_reserve(&b, 512); /* the whole answer, in one allocation */
		rc |= buf_adds(&b, "{\"kind\":\"");
		rc |= buf_adds(&b, ident_kind_name(kind));
		rc |= buf_adds(&b, "\",\"canonical\":");
		rc |= add_str(&b, id.canonical, strlen(id.canonical));
		rc |= buf_adds(&b, ",\"listed\":false,\"message\":");
		rc |= buf_adds(&b, msg);
		rc |= buf_addc(&b, '}');
		ident_release(&id);
		if (rc || !(body = buf_detach(&b, &len))) {
			buf_release(&b);
			api_store_error(rep, STORE_ENOMEM);
			return;
		}
		http_reply_take(rep, 200, "application/json", body, len);
		return;
	}
	{
		/* Listed: the facts a public rule allows, and what to do now. */
		const char *advice;
		char *owned;
		size_t first = strcspn(f.fraud_types, ",");
		char type[48];
		struct buf b;
		char *body;
		size_t len;
		int rc;

		snprintf(type, sizeof(type), "%.*s", (int)first, f.fraud_types);
		advice = advice_text(app, type[0] ? type : NULL, (unsigned)kind, lang, &owned);
		buf_init(&b, 65536);
		rc = buf_reserve(&b, 4096);
		rc |= buf_adds(&b, "{\"kind\":\"");
		rc |= buf_adds(&b, ident_kind_name(kind));
		rc |= buf_adds(&b, "\",\"canonical\":");
		rc |= add_str(&b, id.canonical, strlen(id.canonical));
		rc |= buf_adds(&b, ",\"listed\":true,\"status\":");
		rc |= add_str(&b, f.status, strlen(f.status));
		rc |= buf_addf(&b, ",\"reports\":%d,\"first_reported\":", f.reports);
		rc |= add_str(&b, f.first_seen, strnlen(f.first_seen, 10));
		rc |= buf_adds(&b, ",\"last_reported\":");
		rc |= add_str(&b, f.last_seen, strnlen(f.last_seen, 10));
		rc |= buf_adds(&b, ",\"fraud_types\":");
		rc |= add_list(&b, f.fraud_types);
		rc |= buf_adds(&b, ",\"advice\":");
		rc |= advice ? buf_adds(&b, advice) : -1;
		rc |= buf_addc(&b, '}');
		ident_release(&id);
		mem_free(owned);
		if (rc || !(body = buf_detach(&b, &len))) {
			buf_release(&b);
			api_store_error(rep, STORE_ENOMEM);
			return;
		}
		http_reply_take(rep, 200, "application/json", body, len);
	}
}

/*
 * The lookup answer is written straight into a buffer: a batch of 1,000 is
 * the hot path of screening, and building it as jansson objects first cost
 * more than the lookups themselves.  Each function returns non-zero if an
 * append failed (out of memory), so that no partial answer goes out.
 */

static int add_facts(struct buf *b, const struct identifier_facts *f)
{
	int rc = buf_adds(b, "{\"known\":true,\"kind\":");

	rc |= add_str(b, f->kind, strlen(f->kind));
	rc |= buf_adds(b, ",\"status\":");
	rc |= add_str(b, f->status, strlen(f->status));
	rc |= buf_addf(b, ",\"reports\":%d,\"signals\":%d,\"first_seen\":", f->reports, f->signals);
	rc |= add_str(b, f->first_seen, strlen(f->first_seen));
	rc |= buf_adds(b, ",\"last_seen\":");
	rc |= add_str(b, f->last_seen, strlen(f->last_seen));
	rc |= buf_adds(b, ",\"fraud_types\":");
	rc |= add_list(b, f->fraud_types);
	rc |= buf_adds(b, ",\"rules_fired\":");
	rc |= add_list(b, f->fired);
	return rc | buf_addc(b, '}');
}

/* A lookup answer that waits for its audit entry to be committed. */
struct lookup_wait {
	struct http_deferred *d;
	char *body;
	size_t len;
};

static void lookup_audited(void *arg, int rc)
{
	struct lookup_wait *w = arg;
	struct http_reply *rep = http_deferred_reply(w->d);

	if (rc == 0) {
		http_reply_take(rep, 200, "application/json", w->body, w->len);
	} else {
		/* No disclosure goes out unrecorded. */
		mem_free(w->body);
		http_reply_problem(rep, 503, "audit-unavailable", "Service unavailable",
				   "the answer could not be recorded in the audit log, so it is "
				   "not given; try again shortly",
				   NULL);
		http_reply_header(rep, "Retry-After", "1");
	}
	http_deferred_done(w->d);
	mem_free(w);
}

/*
 * Hits are disclosures: one audit entry per lookup names them all by
 * commitment, and the answer goes out once that entry is committed.
 */
static void lookup_answer(struct http_req *req, struct http_reply *rep, const struct partner *p,
			  const uint8_t *pseuds, const bool *known, size_t n, size_t hits,
			  char *body, size_t len)
{
	struct audit *au = req->app->audit;
	uint8_t(*subjects)[AUDIT_COMMIT_BYTES] = NULL;
	struct audit_event ev = { .act = "lookup.hit" };
	struct lookup_wait *w;
	char actor[32];

	if (!au || hits == 0) {
		http_reply_take(rep, 200, "application/json", body, len);
		return;
	}
	subjects = mem_calloc(hits, AUDIT_COMMIT_BYTES);
	w = mem_calloc(1, sizeof(*w));
	if (!subjects || !w) {
		mem_free(subjects);
		mem_free(w);
		mem_free(body);
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	for (size_t i = 0, k = 0; i < n && k < hits; i++)
		if (known[i])
			audit_commit_identifier(audit_keys_of(au), pseuds + i * PSEUDONYM_BYTES,
						subjects[k++]);
	snprintf(actor, sizeof(actor), "partner:%lld", (long long)p->id);
	ev.actor = actor;
	ev.subjects = (const uint8_t(*)[AUDIT_COMMIT_BYTES])subjects;
	ev.nsubjects = hits;
	ev.detail = json_pack("{s:I,s:I}", "items", (json_int_t)n, "hits", (json_int_t)hits);
	w->body = body;
	w->len = len;
	w->d = http_defer(req);
	if (audit_record(au, &ev, lookup_audited, w))
		lookup_audited(w, -1);
	json_decref(ev.detail);
	mem_free(subjects);
}

/*
 * The items of a lookup that is not in the common form, through jansson:
 * pseudonyms and {kind, value} pairs into pseuds (room for LOOKUP_MAX).
 * Returns 0 and sets *n, or -1 with the problem in rep.
 */
static int lookup_items(struct http_req *req, struct http_reply *rep, uint8_t *pseuds, size_t *n)
{
	const struct app *app = req->app;
	json_t *items, *errors = NULL;
	char field[48], detail[96];

	if (http_req_json(req, rep))
		return -1;
	items = json_object_get(req->json, "items");
	*n = json_array_size(items);
	if (!json_is_object(req->json) || !json_is_array(items) || *n == 0 || *n > LOOKUP_MAX) {
		http_problem_field(&errors, "items",
				   "required: 1 to 1000 items, each {kind, value} "
				   "or {pseudonym}");
		http_reply_problem(rep, 422, "validation", "Invalid lookup",
				   "nothing was looked up", errors);
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		json_t *it = json_array_get(items, i), *ps = json_object_get(it, "pseudonym");
		uint8_t *pseud = pseuds + i * PSEUDONYM_BYTES;

		snprintf(field, sizeof(field), "items[%zu]", i);
		if (json_is_string(ps)) {
			/* Pseudonyms are no secret to the server: variable time is safe. */
			if (b64url_decode_exact(pseud, PSEUDONYM_BYTES, json_string_value(ps),
						json_string_length(ps)))
				http_problem_field(&errors, field,
						   "pseudonym must be the base64url "
						   "of 64 bytes");
		} else {
			const char *k = json_string_value(json_object_get(it, "kind"));
			json_t *v = json_object_get(it, "value");
			struct ident id = IDENT_INIT;
			enum ident_kind kind;
			char err[IDENT_ERR_MAX];

			if (!k || ident_kind_parse(k, &kind) || !json_is_string(v) ||
			    ident_normalize(&id, kind, json_string_value(v), json_string_length(v),
					    err, sizeof(err)) != IDENT_OK)
				http_problem_field(&errors, field,
						   "expected {kind, value} with a "
						   "valid identifier, or {pseudonym}");
			else
				pseudonym_compute(app->pseudonym_key, k, id.canonical,
						  strlen(id.canonical), pseud);
			ident_release(&id);
		}
	}
	if (errors) {
		snprintf(detail, sizeof(detail), "%zu items need attention; nothing was looked up",
			 json_array_size(errors));
		http_reply_problem(rep, 422, "validation", "Invalid lookup", detail, errors);
		return -1;
	}
	return 0;
}

void api_lookup(struct http_req *req, struct http_reply *rep)
{
	const struct app *app = req->app;
	struct identifier_facts *facts = NULL;
	struct buf answer;
	char *body;
	uint8_t *pseuds;
	bool *known = NULL;
	struct partner p;
	size_t n = 0, len, hits;
	int rc;

	if (api_partner_auth(req, rep, &p))
		return;
	pseuds = mem_alloc(LOOKUP_MAX * PSEUDONYM_BYTES);
	if (!pseuds) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	/* The common form of a screening batch without a JSON tree; the rest through jansson. */
	if (lookup_body_pseudonyms(req->body.data, req->body.len, pseuds, PSEUDONYM_BYTES,
				   LOOKUP_MAX, &n) != 0 &&
	    lookup_items(req, rep, pseuds, &n) != 0)
		goto out;
	facts = mem_calloc(n, sizeof(*facts));
	known = mem_calloc(n, sizeof(*known));
	if (!facts || !known) {
		api_store_error(rep, STORE_ENOMEM);
		goto out;
	}
	hits = lookup_index_get(app->index, pseuds, n, facts, known);
	buf_init(&answer, LOOKUP_ANSWER_MAX);
	/* A guess at the answer's size, to spare most of the doublings; appends still check. */
	(void)buf_reserve(&answer, (n + 1) * 16 + hits * 192 < LOOKUP_ANSWER_MAX
					   ? (n + 1) * 16 + hits * 192
					   : LOOKUP_ANSWER_MAX);
	rc = buf_adds(&answer, "{\"items\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			rc |= buf_addc(&answer, ',');
		rc |= known[i] ? add_facts(&answer, &facts[i])
			       : buf_adds(&answer, "{\"known\":false}");
	}
	rc |= buf_adds(&answer, "]}");
	if (rc || !(body = buf_detach(&answer, &len))) {
		buf_release(&answer);
		api_store_error(rep, STORE_ENOMEM);
		goto out;
	}
	lookup_answer(req, rep, &p, pseuds, known, n, hits, body, len);
out:
	sodium_memzero(pseuds, LOOKUP_MAX * PSEUDONYM_BYTES);
	mem_free(pseuds);
	mem_free(facts);
	mem_free(known);
}
