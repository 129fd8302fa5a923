/*
 * alerts.c - what partners see: GET /v1/rules (public) and the resumable
 * alert feed GET /v1/alerts?after=ID&limit=N (partner key).
 */
#include "api/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "app.h"
#include "partner.h"
#include "rules.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"

int api_partner_auth(struct http_req *req, struct http_reply *rep, struct partner *out)
{
	const char *h = http_header(req, "Authorization");
	uint8_t hash[PARTNER_KEY_HASH_BYTES];
	int rc;

	if (!h || strncmp(h, "Bearer ", 7) != 0 || partner_key_hash(h + 7, hash) != 0) {
		http_reply_problem(rep, 401, "unauthorized", "Unauthorized",
				   h ? "the API key is not valid"
				     : "this needs a partner API key: Authorization: Bearer KEY",
				   NULL);
		http_reply_header(rep, "WWW-Authenticate", "Bearer realm=\"signaal\"");
		return -1;
	}
	rc = store_partner_by_key(req->app->store, hash, out);
	if (rc == STORE_ENOTFOUND) {
		http_reply_problem(rep, 401, "unauthorized", "Unauthorized",
				   "the API key is unknown or revoked", NULL);
		http_reply_header(rep, "WWW-Authenticate",
				  "Bearer realm=\"signaal\", error=\"invalid_token\"");
		return -1;
	}
	if (rc) {
		api_store_error(rep, rc);
		return -1;
	}
	/* Handlers never need the partner's webhook secret. */
	sodium_memzero(out->webhook_secret, sizeof(out->webhook_secret));
	return 0;
}

void api_rules(struct http_req *req, struct http_reply *rep)
{
	http_reply_json(rep, 200, json_incref(rules_json(req->app->rules)));
	http_reply_header(rep, "Cache-Control", "public, max-age=300");
}

void api_alerts(struct http_req *req, struct http_reply *rep)
{
	struct partner p;
	struct alert *as = NULL;
	struct buf b = BUF_INIT(64 << 20);
	long after, limit;
	size_t n = 0, len;
	int64_t last;
	char *text;
	int rc;

	if (api_partner_auth(req, rep, &p) ||
	    http_query_long(req, rep, "after", 0, INT64_MAX, 0, &after) ||
	    http_query_long(req, rep, "limit", 1, 1000, 100, &limit))
		return;
	rc = store_alerts_after(req->app->store, p.id, after, (int)limit, &as, &n);
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	/* Rendered one by one: each may carry a raw value for this partner only. */
	last = after;
	buf_adds(&b, "{\"alerts\":[");
	for (size_t i = 0; i < n; i++) {
		char *one = alert_render(&as[i], req->app->pseudonym_key, &len);

		if (one) {
			buf_adds(&b, i ? "," : "");
			buf_add(&b, one, len);
			sodium_memzero(one, len);
			mem_free(one);
		}
		last = as[i].id;
	}
	buf_addf(&b, "],\"next\":%lld}", (long long)last);
	alerts_free(as, n);
	text = buf_detach(&b, &len);
	if (!text) {
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "the feed could not be made", NULL);
		return;
	}
	http_reply_take(rep, 200, "application/json", text, len);
}
