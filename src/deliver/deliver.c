/* deliver.c - the outbox sent by webhook; see deliver.h. */
#include "deliver/deliver.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
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
#define WORKERS	     STORE_OUTBOX_SKIP_MAX /* partners served at once */
#define POLL_SECONDS 1

struct deliverer {
	struct store *store;
	const struct pseudonym_key *key;
	struct audit *audit;
	bool allow_loopback;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle; /* a worker ended */
	bool kicked, stop;
	int64_t busy[WORKERS]; /* partners that have a worker now */
	size_t nbusy;
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

/*
 * Partners are served in parallel, each by a worker thread of its own that
 * sends the partner's due alerts in order, stores the outcomes and ends.
 * While a partner has a worker its alerts are left out of the due list, so
 * a receiver that hangs holds up its own alerts only, never another
 * partner's.  When a delivery fails, the partner's later alerts in the
 * worker's batch are not sent but deferred to the same retry time, without
 * counting an attempt: the receiver is not hammered while it is down.
 */
#define NOT_SENT "not sent: an alert before it to this partner failed"

struct job {
	struct deliverer *d;
	struct partner p;
	struct alert *as; /* owned; this partner's, in id order */
	size_t n;
};

static bool stopping(struct deliverer *d)
{
	bool stop;

	pthread_mutex_lock(&d->lock);
	stop = d->stop;
	pthread_mutex_unlock(&d->lock);
	return stop;
}

static void defer(struct delivery_result *out, const struct alert *a,
		  const struct delivery_result *failed)
{
	memset(out, 0, sizeof(*out));
	out->id = a->id;
	out->deferred = 1;
	report_now(out->at);
	snprintf(out->next, sizeof(out->next), "%s", failed->next[0] ? failed->next : out->at);
	snprintf(out->error, sizeof(out->error), "%s", NOT_SENT);
}

static void job_free(struct job *j)
{
	sodium_memzero(j->p.webhook_secret, sizeof(j->p.webhook_secret));
	alerts_free(j->as, j->n);
	mem_free(j);
}

static void *job_main(void *arg)
{
	struct job *j = arg;
	struct deliverer *d = j->d;
	CURL *curl = curl_easy_init();
	struct delivery_result *res = mem_calloc(j->n, sizeof(*res));
	const struct delivery_result *failed = NULL;
	size_t nres = 0;

	for (size_t i = 0; curl && res && i < j->n && !stopping(d); i++) {
		if (failed) {
			defer(&res[nres++], &j->as[i], failed);
			continue;
		}
		deliver_one(d, curl, &j->as[i], &j->p, &res[nres]);
		if (!res[nres].delivered && !res[nres].dead)
			failed = &res[nres];
		nres++;
	}
	/* One transaction for the partner's batch: one fsync, not one per delivery. */
	if (nres)
		store_outbox_results(d->store, res, nres);
	/* Alerts that came for the partner meanwhile wait for the same retry. */
	if (failed && failed->next[0])
		store_outbox_defer(d->store, j->p.id, failed->next, NOT_SENT);
	mem_free(res);
	if (curl)
		curl_easy_cleanup(curl);
	pthread_mutex_lock(&d->lock);
	for (size_t i = 0; i < d->nbusy; i++) {
		if (d->busy[i] == j->p.id) {
			d->busy[i] = d->busy[--d->nbusy];
			break;
		}
	}
	d->kicked = true; /* the partner may have more due */
	pthread_cond_signal(&d->wake);
	pthread_cond_broadcast(&d->idle);
	pthread_mutex_unlock(&d->lock);
	job_free(j);
	return NULL;
}

static const struct alert *sort_base;

static int by_partner(const void *a, const void *b)
{
	const struct alert *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];

	if (x->partner != y->partner)
		return x->partner < y->partner ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Starts a worker for partner p's alerts as[idx[0..k)], which it takes over. */
static int start_job(struct deliverer *d, const struct partner *p, struct alert *as,
		     const size_t *idx, size_t k)
{
	struct job *j = mem_calloc(1, sizeof(*j));
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (!j || !(j->as = mem_calloc(k, sizeof(*j->as)))) {
		mem_free(j);
		return -1;
	}
	j->d = d;
	j->p = *p;
	for (size_t i = 0; i < k; i++) {
		j->as[j->n++] = as[idx[i]];
		as[idx[i]].payload = NULL; /* the job owns them now */
		as[idx[i]].sealed = NULL;
	}
	pthread_mutex_lock(&d->lock);
	d->busy[d->nbusy++] = p->id;
	pthread_mutex_unlock(&d->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, job_main, j);
	pthread_attr_destroy(&attr);
	if (rc) {
		pthread_mutex_lock(&d->lock);
		d->nbusy--;
		pthread_mutex_unlock(&d->lock);
		job_free(j);
		return -1;
	}
	return 0;
}

/* Hands the due alerts to workers, a partner each, while there are free ones. */
static size_t dispatch(struct deliverer *d, struct alert *as, size_t n, const struct partner *ps,
		       size_t np, size_t free_workers)
{
	size_t order[BATCH], started = 0;

	if (n == 0 || n > BATCH)
		return 0;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* Only the deliverer's own thread sorts, so the comparison's base may be static. */
	sort_base = as;
	qsort(order, n, sizeof(order[0]), by_partner);
	for (size_t k = 0; k < n && started < free_workers;) {
		size_t end = k + 1;
		const struct partner *p = partner_of(ps, np, as[order[k]].partner);

		while (end < n && as[order[end]].partner == as[order[k]].partner)
			end++;
		if (p && p->webhook_url[0]) {
			if (start_job(d, p, as, order + k, end - k))
				break;
			started++;
		}
		k = end;
	}
	return started;
}

static void *deliver_main(void *arg)
{
	struct deliverer *d = arg;

	for (;;) {
		struct alert *as = NULL;
		struct partner *ps = NULL;
		int64_t skip[STORE_OUTBOX_SKIP_MAX];
		size_t n = 0, np = 0, nskip, started = 0;
		char now[32];
		int rc = STORE_OK;

		pthread_mutex_lock(&d->lock);
		if (d->stop) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		d->kicked = false;
		nskip = d->nbusy;
		memcpy(skip, d->busy, nskip * sizeof(skip[0]));
		pthread_mutex_unlock(&d->lock);

		if (nskip < WORKERS) {
			report_now(now);
			rc = store_outbox_due(d->store, now, BATCH, skip, nskip, &as, &n);
			if (rc == STORE_OK && n)
				rc = store_partner_list(d->store, &ps, &np);
			if (rc == STORE_OK && n)
				started = dispatch(d, as, n, ps, np, WORKERS - nskip);
			for (size_t i = 0; i < np; i++)
				sodium_memzero(ps[i].webhook_secret, sizeof(ps[i].webhook_secret));
			mem_free(ps);
			alerts_free(as, n);
		}
		if (n == BATCH && started)
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
	/* Workers end after the delivery in hand (at most one timeout). */
	pthread_mutex_lock(&d->lock);
	while (d->nbusy)
		pthread_cond_wait(&d->idle, &d->lock);
	pthread_mutex_unlock(&d->lock);
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
	pthread_cond_init(&d->idle, NULL);
	if (pthread_create(&d->thread, NULL, deliver_main, d)) {
		snprintf(err, errsz, "cannot start the deliverer thread");
		pthread_mutex_destroy(&d->lock);
		pthread_cond_destroy(&d->wake);
		pthread_cond_destroy(&d->idle);
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
	pthread_cond_destroy(&d->idle);
	mem_free(d);
}
