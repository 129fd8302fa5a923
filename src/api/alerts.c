/*
 * alerts.c - what partners see: GET /v1/rules (public) and the resumable
 * alert feed GET /v1/alerts?after=ID&limit=N (partner key).
 */
#include "api/api.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "app.h"
#include "config.h"
#include "partner.h"
#include "ratelimit.h"
#include "report.h"
#include "rules.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/mem.h"

/*
 * The holder of a partner or analyst key; 0, or -1 with a 401 reply set.
 * With `meter`, the request takes a token from the key's bucket (429 when
 * it is empty): per key, not per address, so that one partner's traffic
 * does not limit another behind the same gateway.
 */
static int key_auth(struct http_req *req, struct http_reply *rep, struct partner *out, bool meter)
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
	if (meter && req->app->partner_limit) {
		char bucket[2 * 16 + 1];
		int retry;

		sodium_bin2hex(bucket, sizeof(bucket), hash, 16);
		if (ratelimit_take(req->app->partner_limit, bucket, &retry)) {
			api_too_many(
				rep, "too-many-requests", "Too many requests",
				"this key has made too many requests; slow down and retry after "
				"Retry-After seconds",
				retry, req->app->cfg->partner_rate_limit, 60);
			return -1;
		}
	}
	return 0;
}

int api_partner_auth(struct http_req *req, struct http_reply *rep, struct partner *out)
{
	if (key_auth(req, rep, out, true))
		return -1;
	if (partner_is_analyst(out)) {
		http_reply_problem(rep, 403, "forbidden", "Forbidden",
				   "an analyst key reads statistics only (/v1/stats)", NULL);
		return -1;
	}
	return 0;
}

int api_analyst_auth(struct http_req *req, struct http_reply *rep, struct partner *out)
{
	if (key_auth(req, rep, out, true))
		return -1;
	if (!partner_is_analyst(out)) {
		http_reply_problem(rep, 403, "forbidden", "Forbidden",
				   "statistics by municipality and month need an analyst key; "
				   "/v1/stats/public is open to all",
				   NULL);
		return -1;
	}
	return 0;
}

bool api_partner_batch(struct http_req *req)
{
	struct http_reply rep = { 0 };
	struct partner p;
	/* Asked when the headers are in; the handler meters the request later. */
	bool ok = key_auth(req, &rep, &p, false) == 0 && !partner_is_analyst(&p);

	http_reply_release(&rep);
	return ok;
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
		struct alert_disclosure disc;
		char *one =
			alert_render(&as[i], req->app->store, req->app->pseudonym_key, &len, &disc);

		if (one) {
			alert_audit(req->app->audit, &as[i], &disc, "feed");
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

/* ---- the event stream: GET /v1/alerts/stream ---- */

#define STREAM_BATCH	  20
#define HEARTBEAT_SECONDS 15

struct alert_stream {
	struct stream_hub *hub;
	struct http_stream *hs;
	const struct app *app;
	int64_t partner;
	int64_t last; /* the id of the last event sent */
	time_t last_write;
	struct buf pending; /* rendered events not yet handed to the connection */
	size_t sent;	    /* bytes of pending already handed over */
	struct alert_stream *next;
};

struct stream_hub {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct alert_stream *streams;
	pthread_t ticker;
	bool stop;
	bool kicked;
};

/* Wakes every stream: new alerts may be there, or a heartbeat is due. */
static void hub_wake_all(struct stream_hub *hub)
{
	struct http_stream **hs;
	size_t n = 0, count = 0;

	/* Taken under the lock, woken outside it: waking calls into the HTTP server. */
	pthread_mutex_lock(&hub->lock);
	for (struct alert_stream *s = hub->streams; s; s = s->next)
		count++;
	hs = mem_calloc(count ? count : 1, sizeof(*hs));
	for (struct alert_stream *s = hub->streams; hs && s; s = s->next) {
		if (!s->hs)
			continue;
		http_stream_ref(s->hs);
		hs[n++] = s->hs;
	}
	pthread_mutex_unlock(&hub->lock);
	for (size_t i = 0; i < n; i++) {
		http_stream_wake(hs[i]);
		http_stream_unref(hs[i]);
	}
	mem_free(hs);
}

static void *hub_main(void *arg)
{
	struct stream_hub *hub = arg;

	pthread_mutex_lock(&hub->lock);
	while (!hub->stop) {
		struct timespec until;

		if (!hub->kicked) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&hub->cond, &hub->lock, &until);
		}
		hub->kicked = false;
		pthread_mutex_unlock(&hub->lock);
		hub_wake_all(hub);
		pthread_mutex_lock(&hub->lock);
	}
	pthread_mutex_unlock(&hub->lock);
	return NULL;
}

struct stream_hub *stream_hub_new(void)
{
	struct stream_hub *hub = mem_calloc(1, sizeof(*hub));

	if (!hub)
		return NULL;
	pthread_mutex_init(&hub->lock, NULL);
	pthread_cond_init(&hub->cond, NULL);
	if (pthread_create(&hub->ticker, NULL, hub_main, hub)) {
		pthread_mutex_destroy(&hub->lock);
		pthread_cond_destroy(&hub->cond);
		mem_free(hub);
		return NULL;
	}
	return hub;
}

void stream_hub_kick(struct stream_hub *hub)
{
	if (!hub)
		return;
	pthread_mutex_lock(&hub->lock);
	hub->kicked = true;
	pthread_cond_signal(&hub->cond);
	pthread_mutex_unlock(&hub->lock);
}

void stream_hub_close(struct stream_hub *hub)
{
	if (!hub)
		return;
	pthread_mutex_lock(&hub->lock);
	if (hub->stop) { /* closed already */
		pthread_mutex_unlock(&hub->lock);
		return;
	}
	hub->stop = true;
	pthread_cond_signal(&hub->cond);
	pthread_mutex_unlock(&hub->lock);
	pthread_join(hub->ticker, NULL);
	/* The streams see `stop` and end, so that shutdown need not wait for them. */
	hub_wake_all(hub);
}

void stream_hub_free(struct stream_hub *hub)
{
	if (!hub)
		return;
	pthread_mutex_destroy(&hub->lock);
	pthread_cond_destroy(&hub->cond);
	mem_free(hub);
}

static bool hub_stopping(struct stream_hub *hub)
{
	bool stop;

	pthread_mutex_lock(&hub->lock);
	stop = hub->stop;
	pthread_mutex_unlock(&hub->lock);
	return stop;
}

/* Renders the alerts after s->last into s->pending as server-sent events. */
static void stream_fetch(struct alert_stream *s)
{
	struct alert *as = NULL;
	size_t n = 0, len;

	if (store_alerts_after(s->app->store, s->partner, s->last, STREAM_BATCH, &as, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct alert_disclosure disc;
		char *one = alert_render(&as[i], s->app->store, s->app->pseudonym_key, &len, &disc);

		if (one) {
			alert_audit(s->app->audit, &as[i], &disc, "stream");
			buf_addf(&s->pending, "id: %lld\nevent: %s\ndata: ", (long long)as[i].id,
				 as[i].event);
			buf_add(&s->pending, one, len);
			buf_adds(&s->pending, "\n\n");
			sodium_memzero(one, len);
			mem_free(one);
		}
		s->last = as[i].id;
	}
	alerts_free(as, n);
}

static long stream_fill(void *arg, char *buf, size_t max)
{
	struct alert_stream *s = arg;
	size_t n;

	if (hub_stopping(s->hub))
		return -1;
	if (s->sent == s->pending.len) {
		if (s->pending.data)
			sodium_memzero(s->pending.data, s->pending.len);
		buf_reset(&s->pending);
		s->sent = 0;
		stream_fetch(s);
		if (s->pending.len == 0 && time(NULL) - s->last_write >= HEARTBEAT_SECONDS)
			buf_adds(&s->pending, ": keep-alive\n\n");
		if (s->pending.len == 0)
			return 0;
	}
	n = s->pending.len - s->sent;
	if (n > max)
		n = max;
	memcpy(buf, s->pending.data + s->sent, n);
	s->sent += n;
	s->last_write = time(NULL);
	return (long)n;
}

static void stream_done(void *arg)
{
	struct alert_stream *s = arg, **p;

	pthread_mutex_lock(&s->hub->lock);
	for (p = &s->hub->streams; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->hub->lock);
	if (s->hs)
		http_stream_unref(s->hs);
	if (s->pending.data)
		sodium_memzero(s->pending.data, s->pending.len);
	buf_release(&s->pending);
	mem_free(s);
}

void api_alerts_stream(struct http_req *req, struct http_reply *rep)
{
	struct stream_hub *hub = req->app->streams;
	const char *last = http_header(req, "Last-Event-ID");
	struct alert_stream *s;
	struct partner p;
	long after;
	char *end;

	if (api_partner_auth(req, rep, &p) ||
	    http_query_long(req, rep, "after", 0, INT64_MAX, 0, &after))
		return;
	if (last) {
		/* Resuming: the id of the last event the client saw. */
		after = strtol(last, &end, 10);
		if (*end || after < 0) {
			http_reply_problem(rep, 400, "invalid-header", "Invalid Last-Event-ID",
					   "Last-Event-ID must be the id of an event", NULL);
			return;
		}
	}
	s = mem_calloc(1, sizeof(*s));
	if (!s || !hub) {
		mem_free(s);
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	s->hub = hub;
	s->app = req->app;
	s->partner = p.id;
	s->last = after;
	s->last_write = time(NULL);
	buf_init(&s->pending, 1 << 20);
	s->hs = http_reply_stream(rep, 200, "text/event-stream", stream_fill, stream_done, s);
	if (!s->hs)
		return; /* stream_done freed s */
	http_stream_ref(s->hs);
	http_reply_header(rep, "X-Accel-Buffering", "no");
	pthread_mutex_lock(&hub->lock);
	s->next = hub->streams;
	hub->streams = s;
	pthread_mutex_unlock(&hub->lock);
}

/* ---- referrals: PUT /v1/referrals/{id} by the partner that received one ---- */

void api_referral_update(struct http_req *req, struct http_reply *rep)
{
	const char *idp = http_param(req, "id"), *status;
	struct partner p;
	json_t *errors = NULL;
	char now[32], *end;
	long long id;
	int rc;

	if (api_partner_auth(req, rep, &p))
		return;
	id = strtoll(idp ? idp : "", &end, 10);
	status = json_string_value(json_object_get(req->json, "status"));
	if (!json_is_object(req->json) || json_object_size(req->json) != 1 || !status ||
	    (strcmp(status, "received") && strcmp(status, "in_progress") &&
	     strcmp(status, "closed"))) {
		http_problem_field(&errors, "status",
				   "required, and alone: received, in_progress "
				   "or closed");
		http_reply_problem(rep, 422, "validation", "Invalid status", "nothing was changed",
				   errors);
		return;
	}
	report_now(now);
	rc = *end || id <= 0 ? STORE_ENOTFOUND
			     : store_referral_update(req->app->store, id, p.id, status, now);
	if (rc == STORE_ENOTFOUND) {
		http_reply_problem(rep, 404, "not-found", "Not found",
				   "no referral with this id was sent to you", NULL);
		return;
	}
	if (rc == STORE_ECONFLICT) {
		http_reply_problem(
			rep, 409, "conflict", "Conflict",
			"a referral moves forward only: delivered, received, in_progress, "
			"closed; and not once the victim has taken it back",
			NULL);
		return;
	}
	if (rc) {
		api_store_error(rep, rc);
		return;
	}
	http_reply_json(rep, 200,
			json_pack("{s:I,s:s,s:s}", "referral_id", (json_int_t)id, "status", status,
				  "updated_at", now));
}
