/*
 * pg_int.h - what the PostgreSQL backend's files share.  Private to
 * src/store/pg*.c.
 *
 * The shape follows the SQLite backend (sqlite_int.h) so that the two read
 * alike: one connection per thread, opened on first use and reopened when
 * the server drops it; statements prepared once per connection, keyed by
 * the address of their SQL text (always a string literal, with $1..$n
 * placeholders); write transactions that never fail half-way for a lock.
 *
 * Several server nodes share one database, so the single writer that
 * SQLite gives for free is made explicit: every write transaction takes
 * one transaction-scoped advisory lock (PG_WRITE_LOCK) before its first
 * statement.  Writes are therefore serial across all nodes, exactly as
 * on SQLite: rules see every earlier write and fire once, audit entries
 * get gap-free sequence numbers, and the outbox is claimed by one node
 * at a time.  Reads take no lock and see the last committed state
 * (READ COMMITTED).
 *
 * Parameters go as text, except bytea, which goes as binary; results come
 * as text (bytea as "\x" hex, decoded by pg_bytes).
 */
#ifndef SIGNAAL_PG_INT_H
#define SIGNAAL_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/group.h"
#include "store/store_int.h"

#define PG_STMT_CACHE 256 /* more than the backend has statements */
#define PG_MAX_PARAMS 16
/* The advisory lock key every write transaction holds. */
#define PG_WRITE_LOCK "23442993671389516" /* 0x5349474e41414c, "SIGNAAL" */

struct pg_conn {
	PGconn *conn;
	struct pg_store *store;
	struct pg_conn *next;
	bool in_tx; /* inside pg_write_begin .. pg_write_end */
	size_t nstmts;
	struct {
		const char *sql;
	} stmts[PG_STMT_CACHE]; /* prepared as "s<index>" on this connection */
};

struct pg_store {
	struct store base;
	char url[1024];
	int busy_timeout_ms; /* lock_timeout: a write waits this long for the lock, then EBUSY */
	pthread_key_t key;
	pthread_mutex_t lock; /* guards conns */
	struct pg_conn *conns;

	/* Group commit of reports (group.h; pg_report.c writes a batch). */
	struct store_group group;

	store_hook_fn report_hook; /* called for each report inside its transaction */
	void *report_hook_arg;
	store_withdraw_hook_fn withdraw_hook; /* and for a withdrawn report's identifiers */
	void *withdraw_hook_arg;
	store_commit_fn commit_hook; /* after every write commit */
	void *commit_hook_arg;
};

struct pg_store *pg_store_of(struct store *st);

/* Statement parameters, $1 first.  Strings are not copied: keep them alive until the call. */
struct pg_params {
	int n;
	const char *values[PG_MAX_PARAMS];
	int lengths[PG_MAX_PARAMS];
	int formats[PG_MAX_PARAMS];
	char num[PG_MAX_PARAMS][24];
};

void pg_params_init(struct pg_params *p);
void pg_param_text(struct pg_params *p, const char *v); /* NULL is SQL NULL */
void pg_param_opt(struct pg_params *p, const char *v);	/* NULL or "" is SQL NULL */
void pg_param_int(struct pg_params *p, int64_t v);
void pg_param_bytes(struct pg_params *p, const void *v, size_t n); /* bytea; NULL is SQL NULL */
void pg_param_null(struct pg_params *p);

/* The calling thread's connection, opened (or reopened after a drop) on use. */
int pg_conn_get(struct pg_store *s, struct pg_conn **out);
int pg_conn_of(struct store *st, struct pg_conn **out);

/*
 * Runs `sql` (a string literal) as a prepared statement with parameters p
 * (NULL for none).  pg_query hands the result to the caller, who
 * PQclear()s it, on STORE_OK only; pg_exec runs for effect and sets
 * *affected (when not NULL) to the number of rows changed.  Errors are
 * logged and mapped to STORE_E* codes (pg_err).
 */
int pg_query(struct pg_conn *c, const char *sql, const struct pg_params *p, PGresult **res);
int pg_exec(struct pg_conn *c, const char *sql, const struct pg_params *p, int64_t *affected);
/* A plain statement without parameters or preparation: BEGIN, SAVEPOINT x and the like. */
int pg_simple(struct pg_conn *c, const char *sql);

/* Maps a failed result's SQLSTATE to a STORE_E* code. */
int pg_err(const PGresult *res);

/* Result columns.  A NULL reads as 0, "" or no bytes. */
bool pg_isnull(const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
void pg_text(const PGresult *r, int row, int col, char *out, size_t outsz);
char *pg_dup(const PGresult *r, int row, int col); /* mem_strdup'd; NULL for SQL NULL */
/* Decodes a bytea column into out[0..outsz); sets *len.  STORE_EIO if it does not fit. */
int pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t outsz, size_t *len);

/*
 * Write transactions: BEGIN and the cluster-wide write lock; end with
 * pg_write_end(), which commits when rc is STORE_OK and rolls back
 * otherwise, runs the commit hook after a commit, and returns the outcome.
 */
int pg_write_begin(struct pg_store *s, struct pg_conn **c);
int pg_write_end(struct pg_store *s, struct pg_conn *c, int rc);

/* Writes a batch of queued reports in one transaction (group.h). */
void pg_report_group_run(struct store *st, struct group_job *batch);

extern const struct store_backend store_pg_backend;
extern const struct store_migration store_pg_migrations[];
extern const size_t store_pg_nmigrations;

/* pg_report.c */
int pg_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg);
int pg_case_get(struct store *st, const uint8_t *hash, struct case_view *out);
int pg_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		const struct report_ident *idents, size_t nidents);
int pg_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now);
int pg_case_withdraw(struct store *st, const uint8_t *hash, const char *now);
void pg_set_report_hook(struct store *st, store_hook_fn hook, void *arg);
void pg_set_withdraw_hook(struct store *st, store_withdraw_hook_fn hook, void *arg);

/* pg_alert.c */
int pg_tx_identifier_touch(struct store *st, const uint8_t *pseudonym, const char *kind,
			   const uint8_t *sealed, size_t sealed_len, const char *routing,
			   int signal, const char *now);
int pg_tx_source_add(struct store *st, const uint8_t *pseudonym, const char *source,
		     const char *fraud_type, const char *role, int confidence, const char *now);
int pg_tx_sources(struct store *st, const uint8_t *pseudonym, const char *since,
		  int (*each)(void *arg, const struct alert_source *src), void *arg);
int pg_tx_fired_since(struct store *st, const char *rule, const uint8_t *pseudonym,
		      const char *since, int *fired);
int pg_tx_firing_add(struct store *st, const char *rule, const uint8_t *pseudonym, const char *now,
		     int sources, const char *reason);
int pg_tx_outbox_add(struct store *st, int64_t partner, const char *event, const uint8_t *pseudonym,
		     int raw, const char *payload, const char *now);
int pg_alerts_after(struct store *st, int64_t partner, int64_t after, int limit, struct alert **out,
		    size_t *n);
int pg_outbox_defer(struct store *st, int64_t partner, const char *until, const char *why);
int pg_outbox_due(struct store *st, const char *now, int limit, const int64_t *skip, size_t nskip,
		  struct alert **out, size_t *n);
int pg_outbox_results(struct store *st, const struct delivery_result *r, size_t n);
int pg_tx_firing_retract(struct store *st, const char *rule, const uint8_t *pseudonym,
			 const char *since, const char *now, const char *payload);
int pg_tx_referral_route(struct store *st, int64_t report, const char *recipient, int64_t partner,
			 const char *payload, const char *now);
int pg_referral_case(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
		     char *recipient, size_t recipientsz);
int pg_referral_update(struct store *st, int64_t referral, int64_t partner, const char *status,
		       const char *now);
int pg_outbox_dead(struct store *st, struct alert **out, size_t *n);
int pg_outbox_retry(struct store *st, int64_t id, const char *now, int *count);
int pg_signals_insert(struct store *st, struct signal *s, size_t n, store_signal_hook_fn hook,
		      void *arg);

/* pg_feedback.c */
int pg_signal_get(struct store *st, int64_t id, struct signal_view *out);
int pg_signal_recipient(struct store *st, const uint8_t *pseudonym, int64_t partner, int *yes);
int pg_feedback_add(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
		    const char *new_status, const char *retraction);
int pg_feedback_list(struct store *st, int64_t signal, struct feedback **out, size_t *n);

/* pg_partner.c */
int pg_partner_add(struct store *st, struct partner *p);
int pg_partner_get(struct store *st, const char *name, struct partner *out);
int pg_partner_list(struct store *st, struct partner **out, size_t *n);
int pg_partner_key_add(struct store *st, int64_t partner, const uint8_t *hash, const char *prefix,
		       const char *now);
int pg_partner_key_revoke(struct store *st, const char *prefix, const char *now);
int pg_partner_by_key(struct store *st, const uint8_t *hash, struct partner *out);
int pg_admin_key_add(struct store *st, const char *name, const uint8_t *hash, const char *prefix,
		     const char *now);
int pg_admin_key_revoke(struct store *st, const char *prefix, const char *now);
int pg_admin_by_key(struct store *st, const uint8_t *hash, char *name, size_t namesz);
int pg_identifier_facts(struct store *st, const uint8_t *pseudonym, struct identifier_facts *out);
int pg_identifier_scan(struct store *st, store_facts_fn each, void *arg, int64_t *upto);
int pg_identifier_changes(struct store *st, int64_t after, struct identifier_change *out,
			  size_t max, size_t *n);
int pg_identifier_changes_prune(struct store *st, int64_t upto);

/* pg_audit.c */
int pg_audit_append(struct store *st, const struct audit_record *r, size_t n, int64_t *first);
int pg_audit_index_subjects(struct store *st, size_t max, size_t *entries, size_t *subjects);
int pg_audit_leaves(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32], size_t *n);
int pg_audit_entries(struct store *st, int64_t start, int64_t end, store_audit_fn each, void *arg);
int pg_audit_by_subject(struct store *st, const uint8_t *commitment, store_audit_fn each,
			void *arg);
int pg_audit_checkpoint_add(struct store *st, int64_t size, const uint8_t *root, const char *note,
			    const char *now);
int pg_audit_checkpoint_latest(struct store *st, int64_t *size, char *note, size_t notesz);
int pg_audit_checkpoints(struct store *st, store_checkpoint_fn each, void *arg);

/* pg_subject.c */
int pg_subject_request_add(struct store *st, struct subject_request *r, const char *notice,
			   int *notified);
int pg_subject_request_get(struct store *st, int64_t id, const uint8_t *hash,
			   struct subject_request *out);
int pg_subject_request_list(struct store *st, const char *status, struct subject_request **out,
			    size_t *n);
int pg_subject_request_answer(struct store *st, int64_t id, const char *answer, const char *now);
int pg_subject_request_decide(struct store *st, int64_t id, const char *decision,
			      const char *reason, const char *notice, const char *now,
			      int *notified);

/* pg_stats.c */
int pg_report_cells(struct store *st, const char *from, const char *to,
		    int (*each)(void *arg, const struct report_cell *c), void *arg);

/* pg_purge.c */
int pg_purge(struct store *st, const struct purge_policy *p, const char *now,
	     struct purge_counts *out);

#endif
