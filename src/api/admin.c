/*
 * admin.c - the administration API under /v1/admin/, for an administration
 * key ("sa_...", made with `signaal admin key create`): what the operator
 * does with `signaal partner ...`, for tools that cannot use the shell.
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "config.h"
#include "partner.h"
#include "report.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

/* Checks the administration key; `actor` gets "admin:<its name>" for the audit log. */
static int admin_auth(struct http_req *req, struct http_reply *rep, char actor[80])
{
	const char *h = http_header(req, "Authorization");
	uint8_t hash[PARTNER_KEY_HASH_BYTES];
	char name[64];
	int rc;

	if (!h || strncmp(h, "Bearer ", 7) != 0 || admin_key_hash(h + 7, hash) != 0 ||
	    (rc = store_admin_by_key(req->app->store, hash, name, sizeof(name))) ==
		    STORE_ENOTFOUND) {
		http_reply_problem(rep, 401, "unauthorized", "Unauthorized",
				   "this needs an administration key: Authorization: Bearer sa_...",
				   NULL);
		http_reply_header(rep, "WWW-Authenticate", "Bearer realm=\"signaal admin\"");
		return -1;
	}
	if (rc) {
		api_store_error(rep, rc);
		return -1;
	}
	snprintf(actor, 80, "admin:%s", name);
	return 0;
}

/*
 * Records an administrative act done through the API.  Queued: the act is
 * committed already, and a failure to queue is logged for the operator.
 */
static void audited(struct http_req *req, const char *actor, const char *act, const char *ref,
		    json_t *detail)
{
	const struct audit_event ev = { .actor = actor, .act = act, .ref = ref, .detail = detail };

	if (req->app->audit && audit_record(req->app->audit, &ev, NULL, NULL))
		log_error("audit: cannot record an administrative act", "act", act);
	json_decref(detail);
}

static json_t *partner_json(const struct partner *p)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:b}", "name", p->name, "sector", p->sector,
			 "bank_codes", p->bank_codes, "tlds", p->tlds, "webhook",
			 p->webhook_url[0] ? json_string(p->webhook_url) : json_null(),
			 "created_at", p->created_at, "disabled", p->disabled);
}

void api_admin_partners(struct http_req *req, struct http_reply *rep)
{
	char actor[80];
	struct partner *ps;
	json_t *list;
	size_t n;
	int rc;

	if (admin_auth(req, rep, actor))
		return;
	rc = store_partner_list(req->app->store, &ps, &n);
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	list = json_array();
	for (size_t i = 0; list && i < n; i++) {
		sodium_memzero(ps[i].webhook_secret, sizeof(ps[i].webhook_secret));
		json_array_append_new(list, partner_json(&ps[i]));
	}
	mem_free(ps);
	http_reply_json(rep, 200, json_pack("{s:o}", "partners", list ? list : json_array()));
}

/* Copies a list of codes into a comma-separated field; -1 on a bad entry. */
static int codes(json_t *arr, char *out, size_t outsz, bool (*valid)(const char *))
{
	size_t pos = 0;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return -1;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *v = json_string_value(json_array_get(arr, i));
		int n;

		if (!v || !valid(v))
			return -1;
		n = snprintf(out + pos, outsz - pos, "%s%s", pos ? "," : "", v);
		if (n < 0 || (size_t)n >= outsz - pos)
			return -1;
		pos += (size_t)n;
	}
	return 0;
}

static int copy_str(json_t *doc, const char *key, char *out, size_t outsz)
{
	json_t *v = json_object_get(doc, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= outsz)
		return -1;
	snprintf(out, outsz, "%s", json_string_value(v));
	return 0;
}

void api_admin_partner_add(struct http_req *req, struct http_reply *rep)
{
	char actor[80];
	static const char *const known[] = { "name",	"sector",	  "bank_codes", "tlds",
					     "webhook", "webhook_secret", NULL };
	struct partner p = { 0 };
	json_t *errors = NULL, *v, *doc;
	const char *key;
	bool made;
	char err[400];
	int rc;

	if (admin_auth(req, rep, actor))
		return;
	if (!json_is_object(req->json)) {
		http_reply_problem(rep, 422, "validation", "Invalid partner",
				   "expected an object {name, sector, ...}", NULL);
		return;
	}
	json_object_foreach(req->json, key, v)
	{
		int ok = 0;

		for (size_t i = 0; known[i]; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok)
			http_problem_field(&errors, key, "unknown field");
	}
	if (copy_str(req->json, "name", p.name, sizeof(p.name)))
		http_problem_field(&errors, "name", "must be a string of at most 63 bytes");
	if (copy_str(req->json, "sector", p.sector, sizeof(p.sector)))
		http_problem_field(&errors, "sector", "must be a sector code");
	if (copy_str(req->json, "webhook", p.webhook_url, sizeof(p.webhook_url)))
		http_problem_field(&errors, "webhook", "must be an https URL");
	if (copy_str(req->json, "webhook_secret", p.webhook_secret, sizeof(p.webhook_secret)))
		http_problem_field(&errors, "webhook_secret", "must be a whsec_ secret");
	if (codes(json_object_get(req->json, "bank_codes"), p.bank_codes, sizeof(p.bank_codes),
		  partner_bank_code_valid))
		http_problem_field(&errors, "bank_codes",
				   "must be a list of four capital letters "
				   "like ABNA");
	if (codes(json_object_get(req->json, "tlds"), p.tlds, sizeof(p.tlds), partner_tld_valid))
		http_problem_field(&errors, "tlds", "must be a list of top-level domains like nl");
	if (!errors &&
	    partner_validate(&p, req->app->taxonomy, req->app->cfg->webhook_allow_loopback, &made,
			     err, sizeof(err)))
		http_problem_field(&errors, "partner", err);
	if (errors) {
		http_reply_problem(rep, 422, "validation", "Invalid partner", "nothing was stored",
				   errors);
		sodium_memzero(p.webhook_secret, sizeof(p.webhook_secret));
		return;
	}
	report_now(p.created_at);
	rc = store_partner_add(req->app->store, &p);
	if (rc == STORE_EEXISTS) {
		http_reply_problem(rep, 409, "conflict", "Conflict",
				   "a partner with this name exists already", NULL);
	} else if (rc) {
		api_store_error(rep, rc);
	} else {
		doc = partner_json(&p);
		/* A secret the server made is shown this once. */
		if (doc && made)
			json_object_set_new(doc, "webhook_secret", json_string(p.webhook_secret));
		http_reply_json(rep, 201, doc);
		log_info("partner added", "partner", p.name, "sector", p.sector, "by", "admin api");
		audited(req, actor, "partner.added", p.name,
			json_pack("{s:I,s:s}", "partner", (json_int_t)p.id, "sector", p.sector));
	}
	sodium_memzero(p.webhook_secret, sizeof(p.webhook_secret));
}

void api_admin_key_create(struct http_req *req, struct http_reply *rep)
{
	char actor[80];
	struct partner p;
	char key[PARTNER_KEY_MAX], prefix[PARTNER_KEY_PREFIX_MAX], now[32];
	uint8_t hash[PARTNER_KEY_HASH_BYTES];
	int rc;

	if (admin_auth(req, rep, actor))
		return;
	rc = store_partner_get(req->app->store, http_param(req, "name"), &p);
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	sodium_memzero(p.webhook_secret, sizeof(p.webhook_secret));
	partner_key_new(key, hash, prefix);
	report_now(now);
	rc = store_partner_key_add(req->app->store, p.id, hash, prefix, now);
	if (rc) {
		sodium_memzero(key, sizeof(key));
		api_store_error(rep, rc);
		return;
	}
	http_reply_json(
		rep, 201,
		json_pack("{s:s,s:s,s:s}", "partner", p.name, "key", key, "prefix", prefix));
	sodium_memzero(key, sizeof(key));
	audited(req, actor, "partner_key.created", prefix,
		json_pack("{s:I,s:s}", "partner", (json_int_t)p.id, "name", p.name));
}

void api_admin_key_revoke(struct http_req *req, struct http_reply *rep)
{
	char actor[80];
	char now[32];
	int rc;

	if (admin_auth(req, rep, actor))
		return;
	report_now(now);
	rc = store_partner_key_revoke(req->app->store, http_param(req, "prefix"), now);
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	audited(req, actor, "partner_key.revoked", http_param(req, "prefix"), NULL);
	http_reply_static(rep, 204, NULL, "", 0);
}
