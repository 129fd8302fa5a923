/* deliver.c - the outbox sent by webhook; see deliver.h. */
#include "deliver/deliver.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alert.h"
#include "deliver/webhook.h"
#include "partner.h"
#include "report.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

#define BATCH	     64
#define POLL_SECONDS 1

struct deliverer {
	struct store *store;
	const struct pseudonym_key *key;
	struct audit *audit;
	bool allow_loopback;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked, stop;
};

static void time_after(long seconds, char out[32])
{
	time_t t = time(NULL) + seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const struct partner *partner_of(const struct partner *ps, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ps[i].id == id)
			return &ps[i];
	return NULL;
}

/* Sends one alert and says how it went in `out`; the caller stores the outcomes together. */
static void deliver_one(struct deliverer *d, CURL *curl, const struct alert *a,
			const struct partner *p, struct delivery_result *out)
{
	struct webhook_opts opts = { 10000, false, d->allow_loopback };
	struct webhook_result res;
	char msgid[40], ids[24], attempts[12], status[12];
	size_t len;
	struct alert_disclosure disc;
	char *body = alert_render(a, d->store, d->key, &len, &disc);
	int ok;

	memset(out, 0, sizeof(*out));
	out->id = a->id;
	report_now(out->at);
	if (!body) {
		snprintf(out->error, sizeof(out->error), "cannot render the alert");
		time_after(webhook_backoff(a->attempts + 1, randombytes_random()), out->next);
		return;
	}
	snprintf(msgid, sizeof(msgid), "alert-%lld", (long long)a->id);
	ok = webhook_send_opts(curl, p->webhook_url, p->webhook_secret, msgid,
			       (long long)time(NULL), body, len, &opts, &res) == 0;
	sodium_memzero(body, len); /* may hold a raw identifier */
	mem_free(body);
	snprintf(ids, sizeof(ids), "%lld", (long long)a->id);
	snprintf(attempts, sizeof(attempts), "%d", a->attempts + 1);
	snprintf(status, sizeof(status), "%ld", res.status);
	if (ok) {
		out->delivered = 1;
		alert_audit(d->audit, a, &disc, "webhook");
		log_debug("alert delivered", "alert", ids, "partner", p->name, "status", status);
		return;
	}
	out->dead = a->attempts + 1 >= WEBHOOK_MAX_ATTEMPTS;
	if (!out->dead)
		time_after(webhook_backoff(a->attempts + 1, randombytes_random()), out->next);
	snprintf(out->error, sizeof(out->error), "%s", res.error);
	log_warn(out->dead ? "alert dead-lettered" : "alert delivery failed", "alert", ids,
		 "partner", p->name, "attempt", attempts, "error", res.error, "retry_at",
		 out->dead ? "-" : out->next);
}

static void *deliver_main(void *arg)
{
	struct deliverer *d = arg;
	CURL *curl = curl_easy_init();

	for (;;) {
		struct alert *as = NULL;
		struct partner *ps = NULL;
		struct delivery_result results[BATCH];
		size_t n = 0, np = 0, nres = 0;
		char now[32];
		int rc;

		pthread_mutex_lock(&d->lock);
		if (d->stop) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		d->kicked = false;
		pthread_mutex_unlock(&d->lock);

		report_now(now);
		rc = store_outbox_due(d->store, now, BATCH, &as, &n);
		if (rc == STORE_OK && n)
			rc = store_partner_list(d->store, &ps, &np);
		for (size_t i = 0; rc == STORE_OK && curl && i < n; i++) {
			const struct partner *p = partner_of(ps, np, as[i].partner);

			if (p && p->webhook_url[0])
				deliver_one(d, curl, &as[i], p, &results[nres++]);
			pthread_mutex_lock(&d->lock);
			rc = d->stop ? STORE_EINVAL : STORE_OK;
			pthread_mutex_unlock(&d->lock);
		}
		/* One transaction for the whole batch: one fsync, not one per delivery. */
		if (nres)
			store_outbox_results(d->store, results, nres);
		for (size_t i = 0; i < np; i++)
			sodium_memzero(ps[i].webhook_secret, sizeof(ps[i].webhook_secret));
		mem_free(ps);
		alerts_free(as, n);
		if (n == BATCH)
			continue; /* more may be due at once */

		pthread_mutex_lock(&d->lock);
		if (!d->kicked && !d->stop) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += POLL_SECONDS;
			pthread_cond_timedwait(&d->wake, &d->lock, &until);
		}
		pthread_mutex_unlock(&d->lock);
	}
	if (curl)
		curl_easy_cleanup(curl);
	return NULL;
}

struct deliverer *deliverer_start(struct store *st, const struct pseudonym_key *key,
				  struct audit *audit, bool allow_loopback, char *err, size_t errsz)
{
	struct deliverer *d = mem_calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	d->store = st;
	d->key = key;
	d->audit = audit;
	d->allow_loopback = allow_loopback;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	if (pthread_create(&d->thread, NULL, deliver_main, d)) {
		snprintf(err, errsz, "cannot start the deliverer thread");
		pthread_mutex_destroy(&d->lock);
		pthread_cond_destroy(&d->wake);
		mem_free(d);
		return NULL;
	}
	return d;
}

void deliverer_kick(struct deliverer *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->kicked = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
}

void deliverer_stop(struct deliverer *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	d->stop = true;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	pthread_join(d->thread, NULL);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	mem_free(d);
}
