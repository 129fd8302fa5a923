/*
 * store_int.h - what a storage backend implements.  Private to src/store/.
 *
 * A backend's own store struct embeds `struct store` as its first member,
 * so that store.c can call through `st->be` and the backend can cast back.
 * store.c checks arguments and counts errors; backends only do the work.
 */
#ifndef SIGNAAL_STORE_INT_H
#define SIGNAAL_STORE_INT_H

#include "store/store.h"

struct store_backend {
	const char *name;
	int (*open)(struct store **out, const struct config *cfg, unsigned flags, char *err,
		    size_t errsz);
	void (*close)(struct store *st);
	int (*migrate)(struct store *st, int *from, int *to, char *err, size_t errsz);
	int (*schema_version)(struct store *st, int *version);
	int (*schema_latest)(void);
	int (*ping)(struct store *st);
	long long (*memory_used)(struct store *st);
	int (*backup)(struct store *st, const char *path, char *err, size_t errsz);
	int (*tx_begin)(struct store *st);
	int (*tx_commit)(struct store *st);
	int (*tx_rollback)(struct store *st);
	int (*meta_get)(struct store *st, const char *key, char *out, size_t outsz);
	int (*meta_set)(struct store *st, const char *key, const char *value);

	int (*report_insert_async)(struct store *st, struct report *r, store_done_fn done,
				   void *arg);
	int (*case_get)(struct store *st, const uint8_t *hash, struct case_view *out);
	int (*case_add)(struct store *st, const uint8_t *hash, const char *now,
			const char *description, const struct report_ident *idents, size_t nidents);
	int (*case_consent)(struct store *st, const uint8_t *hash, unsigned consent,
			    const char *now);
	int (*case_withdraw)(struct store *st, const uint8_t *hash, const char *now);

	int (*partner_add)(struct store *st, struct partner *p);
	int (*partner_get)(struct store *st, const char *name, struct partner *out);
	int (*partner_list)(struct store *st, struct partner **out, size_t *n);
	int (*partner_key_add)(struct store *st, int64_t partner, const uint8_t *hash,
			       const char *prefix, const char *now);
	int (*partner_key_revoke)(struct store *st, const char *prefix, const char *now);
	int (*partner_by_key)(struct store *st, const uint8_t *hash, struct partner *out);
	int (*admin_key_add)(struct store *st, const char *name, const uint8_t *hash,
			     const char *prefix, const char *now);
	int (*admin_key_revoke)(struct store *st, const char *prefix, const char *now);
	int (*admin_by_key)(struct store *st, const uint8_t *hash, char *name, size_t namesz);
	int (*identifier_facts)(struct store *st, const uint8_t *pseudonym,
				struct identifier_facts *out);
	int (*identifier_scan)(struct store *st, store_facts_fn each, void *arg, int64_t *upto);
	int (*identifier_changes)(struct store *st, int64_t after, struct identifier_change *out,
				  size_t max, size_t *n);
	int (*identifier_changes_prune)(struct store *st, int64_t upto);
	void (*set_commit_hook)(struct store *st, store_commit_fn fn, void *arg);
	int (*audit_append)(struct store *st, const struct audit_record *r, size_t n,
			    int64_t *first);
	int (*audit_index_subjects)(struct store *st, size_t max, size_t *entries,
				    size_t *subjects);
	int (*audit_leaves)(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32],
			    size_t *n);
	int (*audit_entries)(struct store *st, int64_t start, int64_t end, store_audit_fn each,
			     void *arg);
	int (*audit_by_subject)(struct store *st, const uint8_t *commitment, store_audit_fn each,
				void *arg);
	int (*audit_checkpoint_add)(struct store *st, int64_t size, const uint8_t *root,
				    const char *note, const char *now);
	int (*audit_checkpoint_latest)(struct store *st, int64_t *size, char *note, size_t notesz);
	int (*audit_checkpoints)(struct store *st, store_checkpoint_fn each, void *arg);

	/* retention */
	int (*purge)(struct store *st, const struct purge_policy *p, const char *now,
		     struct purge_counts *out);
	int (*report_cells)(struct store *st, const char *from, const char *to,
			    int (*each)(void *arg, const struct report_cell *c), void *arg);

	int (*tx_identifier_touch)(struct store *st, const uint8_t *pseudonym, const char *kind,
				   const uint8_t *sealed, size_t sealed_len, const char *routing,
				   int signal, const char *now);
	int (*tx_source_add)(struct store *st, const uint8_t *pseudonym, const char *source,
			     const char *fraud_type, const char *role, int confidence,
			     const char *now);
	int (*tx_sources)(struct store *st, const uint8_t *pseudonym, const char *since,
			  int (*each)(void *arg, const struct alert_source *src), void *arg);
	int (*tx_fired_since)(struct store *st, const char *rule, const uint8_t *pseudonym,
			      const char *since, int *fired);
	int (*tx_firing_add)(struct store *st, const char *rule, const uint8_t *pseudonym,
			     const char *now, int sources, const char *reason);
	int (*tx_outbox_add)(struct store *st, int64_t partner, const char *event,
			     const uint8_t *pseudonym, int raw, const char *payload,
			     const char *now);
	int (*alerts_after)(struct store *st, int64_t partner, int64_t after, int limit,
			    struct alert **out, size_t *n);
	int (*outbox_defer)(struct store *st, int64_t partner, const char *until, const char *why);
	int (*outbox_due)(struct store *st, const char *now, int limit, const int64_t *skip,
			  size_t nskip, struct alert **out, size_t *n);
	int (*outbox_results)(struct store *st, const struct delivery_result *r, size_t n);
	void (*set_report_hook)(struct store *st, store_hook_fn hook, void *arg);
	void (*set_withdraw_hook)(struct store *st, store_withdraw_hook_fn hook, void *arg);
	int (*tx_firing_retract)(struct store *st, const char *rule, const uint8_t *pseudonym,
				 const char *since, const char *now, const char *payload);
	int (*signals_insert)(struct store *st, struct signal *s, size_t n,
			      store_signal_hook_fn hook, void *arg);
	int (*outbox_dead)(struct store *st, struct alert **out, size_t *n);
	int (*outbox_retry)(struct store *st, int64_t id, const char *now, int *count);
	int (*tx_referral_route)(struct store *st, int64_t report, const char *recipient,
				 int64_t partner, const char *payload, const char *now);
	int (*referral_case)(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
			     char *recipient, size_t recipientsz);
	int (*referral_update)(struct store *st, int64_t referral, int64_t partner,
			       const char *status, const char *now);
	int (*signal_get)(struct store *st, int64_t id, struct signal_view *out);
	int (*signal_recipient)(struct store *st, const uint8_t *pseudonym, int64_t partner,
				int *yes);
	int (*feedback_add)(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
			    const char *new_status, const char *retraction);
	int (*feedback_list)(struct store *st, int64_t signal, struct feedback **out, size_t *n);

	int (*subject_request_add)(struct store *st, struct subject_request *r, const char *notice,
				   int *notified);
	int (*subject_request_get)(struct store *st, int64_t id, const uint8_t *hash,
				   struct subject_request *out);
	int (*subject_request_list)(struct store *st, const char *status,
				    struct subject_request **out, size_t *n);
	int (*subject_request_answer)(struct store *st, int64_t id, const char *answer,
				      const char *now);
	int (*subject_request_decide)(struct store *st, int64_t id, const char *decision,
				      const char *reason, const char *notice, const char *now,
				      int *notified);
};

struct store {
	const struct store_backend *be;
};

extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend; /* pg.c */

/* sqlite_report.c */
int sqlite_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg);
int sqlite_case_get(struct store *st, const uint8_t *hash, struct case_view *out);
int sqlite_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		    const struct report_ident *idents, size_t nidents);
int sqlite_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now);
int sqlite_case_withdraw(struct store *st, const uint8_t *hash, const char *now);

/* sqlite_alert.c */
int sqlite_tx_identifier_touch(struct store *st, const uint8_t *pseudonym, const char *kind,
			       const uint8_t *sealed, size_t sealed_len, const char *routing,
			       int signal, const char *now);
int sqlite_tx_source_add(struct store *st, const uint8_t *pseudonym, const char *source,
			 const char *fraud_type, const char *role, int confidence, const char *now);
int sqlite_tx_sources(struct store *st, const uint8_t *pseudonym, const char *since,
		      int (*each)(void *arg, const struct alert_source *src), void *arg);
int sqlite_tx_fired_since(struct store *st, const char *rule, const uint8_t *pseudonym,
			  const char *since, int *fired);
int sqlite_tx_firing_add(struct store *st, const char *rule, const uint8_t *pseudonym,
			 const char *now, int sources, const char *reason);
int sqlite_tx_outbox_add(struct store *st, int64_t partner, const char *event,
			 const uint8_t *pseudonym, int raw, const char *payload, const char *now);
int sqlite_alerts_after(struct store *st, int64_t partner, int64_t after, int limit,
			struct alert **out, size_t *n);
int sqlite_outbox_defer(struct store *st, int64_t partner, const char *until, const char *why);
int sqlite_outbox_due(struct store *st, const char *now, int limit, const int64_t *skip,
		      size_t nskip, struct alert **out, size_t *n);
int sqlite_outbox_results(struct store *st, const struct delivery_result *r, size_t n);

void sqlite_set_report_hook(struct store *st, store_hook_fn hook, void *arg);
void sqlite_set_withdraw_hook(struct store *st, store_withdraw_hook_fn hook, void *arg);
int sqlite_tx_firing_retract(struct store *st, const char *rule, const uint8_t *pseudonym,
			     const char *since, const char *now, const char *payload);
int sqlite_signal_get(struct store *st, int64_t id, struct signal_view *out);
int sqlite_signal_recipient(struct store *st, const uint8_t *pseudonym, int64_t partner, int *yes);
int sqlite_feedback_add(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
			const char *new_status, const char *retraction);
int sqlite_feedback_list(struct store *st, int64_t signal, struct feedback **out, size_t *n);
int sqlite_tx_referral_route(struct store *st, int64_t report, const char *recipient,
			     int64_t partner, const char *payload, const char *now);
int sqlite_referral_case(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
			 char *recipient, size_t recipientsz);
int sqlite_referral_update(struct store *st, int64_t referral, int64_t partner, const char *status,
			   const char *now);
int sqlite_outbox_dead(struct store *st, struct alert **out, size_t *n);
int sqlite_outbox_retry(struct store *st, int64_t id, const char *now, int *count);
int sqlite_signals_insert(struct store *st, struct signal *s, size_t n, store_signal_hook_fn hook,
			  void *arg);

/* sqlite_partner.c */
int sqlite_partner_add(struct store *st, struct partner *p);
int sqlite_partner_get(struct store *st, const char *name, struct partner *out);
int sqlite_partner_list(struct store *st, struct partner **out, size_t *n);
int sqlite_partner_key_add(struct store *st, int64_t partner, const uint8_t *hash,
			   const char *prefix, const char *now);
int sqlite_partner_key_revoke(struct store *st, const char *prefix, const char *now);
int sqlite_partner_by_key(struct store *st, const uint8_t *hash, struct partner *out);
int sqlite_admin_key_add(struct store *st, const char *name, const uint8_t *hash,
			 const char *prefix, const char *now);
int sqlite_admin_key_revoke(struct store *st, const char *prefix, const char *now);
int sqlite_admin_by_key(struct store *st, const uint8_t *hash, char *name, size_t namesz);
int sqlite_identifier_facts(struct store *st, const uint8_t *pseudonym,
			    struct identifier_facts *out);
int sqlite_identifier_scan(struct store *st, store_facts_fn each, void *arg, int64_t *upto);
int sqlite_identifier_changes(struct store *st, int64_t after, struct identifier_change *out,
			      size_t max, size_t *n);
int sqlite_identifier_changes_prune(struct store *st, int64_t upto);

/* sqlite_audit.c */
int sqlite_audit_append(struct store *st, const struct audit_record *r, size_t n, int64_t *first);
int sqlite_audit_index_subjects(struct store *st, size_t max, size_t *entries, size_t *subjects);
int sqlite_audit_leaves(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32],
			size_t *n);
int sqlite_audit_entries(struct store *st, int64_t start, int64_t end, store_audit_fn each,
			 void *arg);
int sqlite_audit_by_subject(struct store *st, const uint8_t *commitment, store_audit_fn each,
			    void *arg);
int sqlite_audit_checkpoint_add(struct store *st, int64_t size, const uint8_t *root,
				const char *note, const char *now);
int sqlite_audit_checkpoint_latest(struct store *st, int64_t *size, char *note, size_t notesz);
int sqlite_audit_checkpoints(struct store *st, store_checkpoint_fn each, void *arg);

/* sqlite_subject.c */
int sqlite_subject_request_add(struct store *st, struct subject_request *r, const char *notice,
			       int *notified);
/* By id, or by the hash of its code when hash is not NULL. */
int sqlite_subject_request_get(struct store *st, int64_t id, const uint8_t *hash,
			       struct subject_request *out);
int sqlite_subject_request_list(struct store *st, const char *status, struct subject_request **out,
				size_t *n);
int sqlite_subject_request_answer(struct store *st, int64_t id, const char *answer,
				  const char *now);
int sqlite_subject_request_decide(struct store *st, int64_t id, const char *decision,
				  const char *reason, const char *notice, const char *now,
				  int *notified);
/* sqlite_stats.c */
int sqlite_report_cells(struct store *st, const char *from, const char *to,
			int (*each)(void *arg, const struct report_cell *c), void *arg);

/* sqlite_purge.c */
int sqlite_purge(struct store *st, const struct purge_policy *p, const char *now,
		 struct purge_counts *out);

/* A numbered migration, embedded at build time from data/migrations/<backend>/. */
struct store_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_nmigrations;

#endif
