/* purge.c - retention: the purge and the server's purge thread; see purge.h. */
#include "purge.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "config.h"
#include "report.h"
#include "util/log.h"
#include "util/mem.h"

#define FIRST_RUN_MAX 60 /* seconds after start, at most */

void purge_policy_from_config(struct purge_policy *p, const struct config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->narratives_days = cfg->retain_narratives;
	p->contact_days = cfg->retain_contact;
	p->raw_identifiers_days = cfg->retain_raw_identifiers;
	p->signals_days = cfg->retain_signals;
	p->alerts_days = cfg->retain_alerts;
	p->subject_requests_days = cfg->retain_subject_requests;
}

void purge_policy_summary(const struct purge_policy *p, char *out, size_t outsz)
{
	snprintf(out, outsz,
		 "narratives=%dd contact=%dd raw_identifiers=%dd signals=%dd alerts=%dd "
		 "subject_requests=%dd",
		 p->narratives_days, p->contact_days, p->raw_identifiers_days, p->signals_days,
		 p->alerts_days, p->subject_requests_days);
}

json_t *purge_counts_json(const struct purge_counts *c)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "narratives",
			 (json_int_t)c->narratives, "additions", (json_int_t)c->additions,
			 "contacts", (json_int_t)c->contacts, "raw_identifiers",
			 (json_int_t)c->raw_identifiers, "report_raw_identifiers",
			 (json_int_t)c->report_raw_identifiers, "signals", (json_int_t)c->signals,
			 "feedback", (json_int_t)c->feedback, "alerts", (json_int_t)c->alerts,
			 "subject_requests",
			 c->subject_requests < 0 ? json_null()
						 : json_integer((json_int_t)c->subject_requests));
}

static int record(struct store *st, struct audit *au, const struct purge_policy *p,
		  const char *actor, const struct purge_counts *c, int rc)
{
	char ref[256];
	json_t *detail = purge_counts_json(c);
	struct audit_event ev = { .actor = actor, .act = "retention.purged", .ref = ref };
	int failed;

	purge_policy_summary(p, ref, sizeof(ref));
	if (!detail)
		return -1;
	json_object_set_new(detail, "complete", json_boolean(rc == STORE_OK));
	ev.detail = detail;
	failed = au ? audit_record(au, &ev, NULL, NULL) != 0 : audit_append_now(st, &ev) != 0;
	json_decref(detail);
	return failed ? -1 : 0;
}

int purge_run(struct store *st, struct audit *au, const struct purge_policy *p, const char *actor,
	      struct purge_counts *out)
{
	char now[REPORT_TIME_MAX];
	int rc;

	report_now(now);
	rc = store_purge(st, p, now, out);
	if (p->dry_run)
		return rc;
	/* Whatever was committed is on record, even when the purge stopped half-way. */
	if (record(st, au, p, actor, out, rc)) {
		log_error("audit: cannot record the retention purge");
		if (rc == STORE_OK)
			rc = STORE_EIO;
	}
	return rc;
}

/* ---- the server's purge thread ---- */

struct purger {
	struct store *store;
	struct audit *audit;
	struct purge_policy policy;
	int interval;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

static int stopping(void *arg)
{
	struct purger *pg = arg;
	bool stop;

	pthread_mutex_lock(&pg->lock);
	stop = pg->stop;
	pthread_mutex_unlock(&pg->lock);
	return stop;
}

static void log_run(const struct purge_counts *c, int rc)
{
	char n[9][24];
	const int64_t v[] = { c->narratives,
			      c->contacts,
			      c->raw_identifiers + c->report_raw_identifiers,
			      c->signals,
			      c->alerts,
			      c->subject_requests < 0 ? 0 : c->subject_requests,
			      c->batches,
			      c->longest_batch_ms,
			      c->additions };

	for (size_t i = 0; i < 9; i++)
		snprintf(n[i], sizeof(n[i]), "%lld", (long long)v[i]);
	if (rc && rc != STORE_ECONFLICT)
		log_error("retention purge failed", "error", store_strerror(rc), "narratives", n[0],
			  "contacts", n[1], "raw_identifiers", n[2], "signals", n[3], "alerts",
			  n[4]);
	else
		log_info(rc ? "retention purge stopped" : "retention purge", "narratives", n[0],
			 "additions", n[8], "contacts", n[1], "raw_identifiers", n[2], "signals",
			 n[3], "alerts", n[4], "subject_requests", n[5], "batches", n[6],
			 "longest_batch_ms", n[7]);
}

static void *purger_main(void *arg)
{
	struct purger *pg = arg;
	int wait = pg->interval < FIRST_RUN_MAX ? pg->interval : FIRST_RUN_MAX;

	for (;;) {
		struct purge_counts c;
		struct timespec until;
		int rc;

		pthread_mutex_lock(&pg->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += wait;
		while (!pg->stop && pthread_cond_timedwait(&pg->wake, &pg->lock, &until) == 0)
			; /* woken early: only stop ends the wait */
		if (pg->stop) {
			pthread_mutex_unlock(&pg->lock);
			break;
		}
		pthread_mutex_unlock(&pg->lock);
		rc = purge_run(pg->store, pg->audit, &pg->policy, "server", &c);
		log_run(&c, rc);
		wait = pg->interval;
	}
	return NULL;
}

struct purger *purger_start(struct store *st, struct audit *au, const struct purge_policy *p,
			    int interval_s, char *err, size_t errsz)
{
	struct purger *pg;

	if (interval_s < 1) {
		snprintf(err, errsz, "BUG: purge interval %d", interval_s);
		return NULL;
	}
	pg = mem_calloc(1, sizeof(*pg));
	if (!pg) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	pg->store = st;
	pg->audit = au;
	pg->policy = *p;
	pg->policy.dry_run = 0;
	pg->policy.cancel = stopping;
	pg->policy.cancel_arg = pg;
	pg->interval = interval_s;
	pthread_mutex_init(&pg->lock, NULL);
	pthread_cond_init(&pg->wake, NULL);
	if (pthread_create(&pg->thread, NULL, purger_main, pg)) {
		snprintf(err, errsz, "cannot start the purge thread");
		pthread_mutex_destroy(&pg->lock);
		pthread_cond_destroy(&pg->wake);
		mem_free(pg);
		return NULL;
	}
	return pg;
}

void purger_stop(struct purger *pg)
{
	if (!pg)
		return;
	pthread_mutex_lock(&pg->lock);
	pg->stop = true;
	pthread_cond_signal(&pg->wake);
	pthread_mutex_unlock(&pg->lock);
	pthread_join(pg->thread, NULL);
	pthread_mutex_destroy(&pg->lock);
	pthread_cond_destroy(&pg->wake);
	mem_free(pg);
}
