/* store.c - choosing a backend and the thin wrappers around it; see store.h. */
#include "store/store_int.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "metrics.h"

static const struct store_backend *const backends[] = {
	&store_sqlite_backend,
	&store_pg_backend,
};

const char *store_backend_names(void)
{
	return "sqlite";
}

const char *store_strerror(int code)
{
	switch (code) {
	case STORE_OK: return "ok";
	case STORE_ENOTFOUND: return "not found";
	case STORE_EEXISTS: return "already exists";
	case STORE_EBUSY: return "database busy";
	case STORE_EFULL: return "database full";
	case STORE_EIO: return "database error";
	case STORE_ENOMEM: return "out of memory";
	case STORE_ESCHEMA: return "database schema mismatch";
	case STORE_EINVAL: return "invalid argument";
	case STORE_ECONFLICT: return "conflict";
	}
	return "unknown database error";
}

/* Counts failures that mean the database is unwell, for the metrics. */
static int counted(int rc)
{
	if (rc == STORE_EBUSY || rc == STORE_EFULL || rc == STORE_EIO || rc == STORE_ESCHEMA ||
	    rc == STORE_ENOMEM)
		metrics_db_error();
	return rc;
}

int store_open(struct store **out, const struct config *cfg, unsigned flags, char *err,
	       size_t errsz)
{
	*out = NULL;
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, cfg->store) == 0)
			return backends[i]->open(out, cfg, flags, err, errsz);
	if (err && errsz)
		snprintf(err, errsz, "unknown storage backend '%s' (available: %s)", cfg->store,
			 store_backend_names());
	return STORE_EINVAL;
}

void store_close(struct store *st)
{
	if (st)
		st->be->close(st);
}

const char *store_name(const struct store *st)
{
	return st->be->name;
}

int store_migrate(struct store *st, int *from, int *to, char *err, size_t errsz)
{
	int a = 0, b = 0;
	int rc = counted(st->be->migrate(st, &a, &b, err, errsz));

	if (from)
		*from = a;
	if (to)
		*to = b;
	return rc;
}

int store_schema_version(struct store *st, int *version)
{
	return counted(st->be->schema_version(st, version));
}

int store_schema_latest(const struct store *st)
{
	return st->be->schema_latest();
}

int store_ping(struct store *st)
{
	return counted(st->be->ping(st));
}

long long store_memory_used(struct store *st)
{
	return st->be->memory_used(st);
}

int store_backup(struct store *st, const char *path, char *err, size_t errsz)
{
	return counted(st->be->backup(st, path, err, errsz));
}

int store_tx_begin(struct store *st)
{
	return counted(st->be->tx_begin(st));
}

int store_tx_commit(struct store *st)
{
	return counted(st->be->tx_commit(st));
}

int store_tx_rollback(struct store *st)
{
	return counted(st->be->tx_rollback(st));
}

int store_meta_get(struct store *st, const char *key, char *out, size_t outsz)
{
	return counted(st->be->meta_get(st, key, out, outsz));
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
	return counted(st->be->meta_set(st, key, value));
}

int store_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg)
{
	return counted(st->be->report_insert_async(st, r, done, arg));
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int rc;
};

static void waiter_wake(void *arg, int rc)
{
	struct waiter *w = arg;

	pthread_mutex_lock(&w->lock);
	w->rc = rc;
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int store_report_insert(struct store *st, struct report *r)
{
	struct waiter w = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, STORE_OK };
	int rc = store_report_insert_async(st, r, waiter_wake, &w);

	if (rc)
		return rc;
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
	return counted(w.rc);
}

int store_case_get(struct store *st, const uint8_t *hash, struct case_view *out)
{
	return counted(st->be->case_get(st, hash, out));
}

int store_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		   const struct report_ident *idents, size_t nidents)
{
	return counted(st->be->case_add(st, hash, now, description, idents, nidents));
}

int store_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now)
{
	return counted(st->be->case_consent(st, hash, consent, now));
}

int store_case_withdraw(struct store *st, const uint8_t *hash, const char *now)
{
	return counted(st->be->case_withdraw(st, hash, now));
}

int store_partner_add(struct store *st, struct partner *p)
{
	return counted(st->be->partner_add(st, p));
}

int store_partner_get(struct store *st, const char *name, struct partner *out)
{
	return counted(st->be->partner_get(st, name, out));
}

int store_partner_list(struct store *st, struct partner **out, size_t *n)
{
	return counted(st->be->partner_list(st, out, n));
}

int store_partner_key_add(struct store *st, int64_t partner, const uint8_t *hash,
			  const char *prefix, const char *now)
{
	return counted(st->be->partner_key_add(st, partner, hash, prefix, now));
}

int store_partner_key_revoke(struct store *st, const char *prefix, const char *now)
{
	return counted(st->be->partner_key_revoke(st, prefix, now));
}

int store_partner_by_key(struct store *st, const uint8_t *hash, struct partner *out)
{
	return counted(st->be->partner_by_key(st, hash, out));
}

int store_tx_identifier_touch(struct store *st, const uint8_t *pseudonym, const char *kind,
			      const uint8_t *sealed, size_t sealed_len, const char *routing,
			      int signal, const char *now)
{
	return counted(st->be->tx_identifier_touch(st, pseudonym, kind, sealed, sealed_len, routing,
						   signal, now));
}

int store_tx_source_add(struct store *st, const uint8_t *pseudonym, const char *source,
			const char *fraud_type, const char *role, int confidence, const char *now)
{
	return counted(
		st->be->tx_source_add(st, pseudonym, source, fraud_type, role, confidence, now));
}

int store_tx_sources(struct store *st, const uint8_t *pseudonym, const char *since,
		     int (*each)(void *arg, const struct alert_source *src), void *arg)
{
	return counted(st->be->tx_sources(st, pseudonym, since, each, arg));
}

int store_tx_fired_since(struct store *st, const char *rule, const uint8_t *pseudonym,
			 const char *since, int *fired)
{
	return counted(st->be->tx_fired_since(st, rule, pseudonym, since, fired));
}

int store_tx_firing_add(struct store *st, const char *rule, const uint8_t *pseudonym,
			const char *now, int sources, const char *reason)
{
	return counted(st->be->tx_firing_add(st, rule, pseudonym, now, sources, reason));
}

int store_tx_outbox_add(struct store *st, int64_t partner, const char *event,
			const uint8_t *pseudonym, int raw, const char *payload, const char *now)
{
	return counted(st->be->tx_outbox_add(st, partner, event, pseudonym, raw, payload, now));
}

int store_alerts_after(struct store *st, int64_t partner, int64_t after, int limit,
		       struct alert **out, size_t *n)
{
	return counted(st->be->alerts_after(st, partner, after, limit, out, n));
}

int store_outbox_defer(struct store *st, int64_t partner, const char *until, const char *why)
{
	return counted(st->be->outbox_defer(st, partner, until, why));
}

int store_outbox_due(struct store *st, const char *now, int limit, const int64_t *skip,
		     size_t nskip, struct alert **out, size_t *n)
{
	if (nskip > STORE_OUTBOX_SKIP_MAX)
		return STORE_EINVAL;
	return counted(st->be->outbox_due(st, now, limit, skip, nskip, out, n));
}

int store_outbox_results(struct store *st, const struct delivery_result *r, size_t n)
{
	return counted(st->be->outbox_results(st, r, n));
}

void store_set_report_hook(struct store *st, store_hook_fn hook, void *arg)
{
	st->be->set_report_hook(st, hook, arg);
}

int store_signals_insert(struct store *st, struct signal *s, size_t n, store_signal_hook_fn hook,
			 void *arg)
{
	return counted(st->be->signals_insert(st, s, n, hook, arg));
}

int store_outbox_dead(struct store *st, struct alert **out, size_t *n)
{
	return counted(st->be->outbox_dead(st, out, n));
}

int store_outbox_retry(struct store *st, int64_t id, const char *now, int *count)
{
	return counted(st->be->outbox_retry(st, id, now, count));
}

int store_signal_get(struct store *st, int64_t id, struct signal_view *out)
{
	return counted(st->be->signal_get(st, id, out));
}

int store_signal_recipient(struct store *st, const uint8_t *pseudonym, int64_t partner, int *yes)
{
	return counted(st->be->signal_recipient(st, pseudonym, partner, yes));
}

int store_feedback_add(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
		       const char *new_status, const char *retraction)
{
	return counted(st->be->feedback_add(st, f, pseudonym, new_status, retraction));
}

int store_feedback_list(struct store *st, int64_t signal, struct feedback **out, size_t *n)
{
	return counted(st->be->feedback_list(st, signal, out, n));
}

int store_tx_referral_route(struct store *st, int64_t report, const char *recipient,
			    int64_t partner, const char *payload, const char *now)
{
	return counted(st->be->tx_referral_route(st, report, recipient, partner, payload, now));
}

int store_referral_case(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
			char *recipient, size_t recipientsz)
{
	return counted(st->be->referral_case(st, referral, hash, partner, recipient, recipientsz));
}

int store_referral_update(struct store *st, int64_t referral, int64_t partner, const char *status,
			  const char *now)
{
	return counted(st->be->referral_update(st, referral, partner, status, now));
}

void store_set_withdraw_hook(struct store *st, store_withdraw_hook_fn hook, void *arg)
{
	st->be->set_withdraw_hook(st, hook, arg);
}

int store_tx_firing_retract(struct store *st, const char *rule, const uint8_t *pseudonym,
			    const char *since, const char *now, const char *payload)
{
	return counted(st->be->tx_firing_retract(st, rule, pseudonym, since, now, payload));
}

int store_admin_key_add(struct store *st, const char *name, const uint8_t *hash, const char *prefix,
			const char *now)
{
	return counted(st->be->admin_key_add(st, name, hash, prefix, now));
}

int store_admin_key_revoke(struct store *st, const char *prefix, const char *now)
{
	return counted(st->be->admin_key_revoke(st, prefix, now));
}

int store_admin_by_key(struct store *st, const uint8_t *hash, char *name, size_t namesz)
{
	return counted(st->be->admin_by_key(st, hash, name, namesz));
}

int store_identifier_facts(struct store *st, const uint8_t *pseudonym, struct identifier_facts *out)
{
	return counted(st->be->identifier_facts(st, pseudonym, out));
}

int store_identifier_scan(struct store *st, store_facts_fn each, void *arg, int64_t *upto)
{
	return counted(st->be->identifier_scan(st, each, arg, upto));
}

int store_identifier_changes(struct store *st, int64_t after, struct identifier_change *out,
			     size_t max, size_t *n)
{
	*n = 0;
	return max ? counted(st->be->identifier_changes(st, after, out, max, n)) : STORE_OK;
}

int store_identifier_changes_prune(struct store *st, int64_t upto)
{
	return counted(st->be->identifier_changes_prune(st, upto));
}

void store_set_commit_hook(struct store *st, store_commit_fn fn, void *arg)
{
	st->be->set_commit_hook(st, fn, arg);
}

int store_audit_append(struct store *st, const struct audit_record *r, size_t n, int64_t *first)
{
	*first = -1;
	return n ? counted(st->be->audit_append(st, r, n, first)) : STORE_OK;
}

int store_audit_index_subjects(struct store *st, size_t max, size_t *entries, size_t *subjects)
{
	*entries = *subjects = 0;
	return max ? counted(st->be->audit_index_subjects(st, max, entries, subjects)) : STORE_OK;
}

int store_audit_leaves(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32], size_t *n)
{
	*n = 0;
	return max ? counted(st->be->audit_leaves(st, from, max, leaves, n)) : STORE_OK;
}

int store_audit_entries(struct store *st, int64_t start, int64_t end, store_audit_fn each,
			void *arg)
{
	return counted(st->be->audit_entries(st, start, end, each, arg));
}

int store_audit_by_subject(struct store *st, const uint8_t *commitment, store_audit_fn each,
			   void *arg)
{
	return counted(st->be->audit_by_subject(st, commitment, each, arg));
}

int store_audit_checkpoint_add(struct store *st, int64_t size, const uint8_t *root,
			       const char *note, const char *now)
{
	return counted(st->be->audit_checkpoint_add(st, size, root, note, now));
}

int store_audit_checkpoint_latest(struct store *st, int64_t *size, char *note, size_t notesz)
{
	return counted(st->be->audit_checkpoint_latest(st, size, note, notesz));
}

int store_audit_checkpoints(struct store *st, store_checkpoint_fn each, void *arg)
{
	return counted(st->be->audit_checkpoints(st, each, arg));
}

/* ---- requests of data subjects ---- */

int store_subject_request_add(struct store *st, struct subject_request *r, const char *notice,
			      int *notified)
{
	*notified = 0;
	return counted(st->be->subject_request_add(st, r, notice, notified));
}

int store_subject_request_get(struct store *st, int64_t id, struct subject_request *out)
{
	return counted(st->be->subject_request_get(st, id, NULL, out));
}

int store_subject_request_by_code(struct store *st, const uint8_t *hash,
				  struct subject_request *out)
{
	return counted(st->be->subject_request_get(st, 0, hash, out));
}

int store_subject_request_list(struct store *st, const char *status, struct subject_request **out,
			       size_t *n)
{
	*out = NULL;
	*n = 0;
	return counted(st->be->subject_request_list(st, status, out, n));
}

int store_subject_request_answer(struct store *st, int64_t id, const char *answer, const char *now)
{
	return counted(st->be->subject_request_answer(st, id, answer, now));
}

int store_subject_request_decide(struct store *st, int64_t id, const char *decision,
				 const char *reason, const char *notice, const char *now,
				 int *notified)
{
	*notified = 0;
	if (strcmp(decision, "upheld") != 0 && strcmp(decision, "rejected") != 0)
		return STORE_EINVAL;
	return counted(
		st->be->subject_request_decide(st, id, decision, reason, notice, now, notified));
}

int store_purge(struct store *st, const struct purge_policy *p, const char *now,
		struct purge_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (p->narratives_days < 1 || p->contact_days < 1 || p->raw_identifiers_days < 1 ||
	    p->signals_days < 1 || p->alerts_days < 1 || p->subject_requests_days < 1 ||
	    p->batch < 0)
		return STORE_EINVAL;
	return counted(st->be->purge(st, p, now, out));
}

int store_report_cells(struct store *st, const char *from, const char *to,
		       int (*each)(void *arg, const struct report_cell *c), void *arg)
{
	return counted(st->be->report_cells(st, from, to, each, arg));
}
