/*
 * store.h - the storage interface.  Everything above this header is free of
 * SQL dialects: a backend (sqlite.c, later postgres.c) implements the
 * operations in struct store_backend (store_int.h), and callers use only
 * the store_* functions below.
 *
 * Threads: a struct store is shared by all threads.  Each thread that calls
 * into it gets its own database connection, opened on first use and kept
 * with its prepared statements until store_close().  Transactions
 * (store_tx_*) belong to the calling thread's connection.
 *
 * Errors: every function returns STORE_OK or a negative STORE_E* code; the
 * API layer maps them to HTTP statuses in one place (api/errors.c).
 * Functions that take `err` also write a one-line message there.
 */
#ifndef SIGNAAL_STORE_H
#define SIGNAAL_STORE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;
struct report;
struct report_ident;
struct case_view;
struct partner;
struct alert;
struct alert_source;
struct signal;
struct signal_view;
struct feedback;

enum store_err {
	STORE_OK = 0,
	STORE_ENOTFOUND = -1, /* no such row */
	STORE_EEXISTS = -2,   /* a unique key is taken */
	STORE_EBUSY = -3,     /* locked or overloaded: try again */
	STORE_EFULL = -4,     /* disk or quota full */
	STORE_EIO = -5,	      /* the database failed */
	STORE_ENOMEM = -6,
	STORE_ESCHEMA = -7,   /* the database is newer than this program, or broken */
	STORE_EINVAL = -8,    /* a caller's mistake */
	STORE_ECONFLICT = -9, /* the resource's state forbids this (e.g. withdrawn) */
};

const char *store_strerror(int code);

/* Names of the compiled-in backends, for --help and validation. */
const char *store_backend_names(void);

/* store_open() flags */
#define STORE_OPEN_EXISTING 0x1 /* fail with STORE_ENOTFOUND rather than create a database */

/*
 * Opens the backend named by cfg->store, creating an empty database unless
 * `flags` has STORE_OPEN_EXISTING.  Does not migrate.  Returns STORE_OK and
 * *out (free with store_close), or an error with err filled.
 */
int store_open(struct store **out, const struct config *cfg, unsigned flags, char *err,
	       size_t errsz);
void store_close(struct store *st);
const char *store_name(const struct store *st);

/*
 * Applies every migration newer than the database's schema version, each
 * in its own transaction.  *from and *to (may be NULL) receive the versions
 * before and after.
 */
int store_migrate(struct store *st, int *from, int *to, char *err, size_t errsz);

/* The schema version in the database (0 for a new one) and the newest this program knows. */
int store_schema_version(struct store *st, int *version);
int store_schema_latest(const struct store *st);

/* A cheap round trip to the database, for /readyz. */
int store_ping(struct store *st);
/* Bytes the backend's library holds in this process (caches included), for /metrics. */
long long store_memory_used(struct store *st);

/* An online, consistent copy of the database to a new file at path. */
int store_backup(struct store *st, const char *path, char *err, size_t errsz);

/* Transactions on the calling thread's connection. */
int store_tx_begin(struct store *st);
int store_tx_commit(struct store *st);
int store_tx_rollback(struct store *st);

/* Instance facts kept in the database (key/value); value is copied into out. */
int store_meta_get(struct store *st, const char *key, char *out, size_t outsz);
int store_meta_set(struct store *st, const char *key, const char *value);

/*
 * Reports and cases (report.h has the structs).  Each call is one
 * transaction; a case is found by the hash of its code.  Sealed fields go
 * in and come out sealed: the store never sees a raw identifier.
 */
int store_report_insert(struct store *st, struct report *r); /* sets r->id */

/*
 * The same without waiting: `done(arg, rc)` is called exactly once, on the
 * store's writer thread, when the report is committed (rc STORE_OK) or has
 * failed; `r` must stay valid until then.  Reports queued together share
 * one commit (group commit).  Returns STORE_OK when queued; otherwise
 * `done` is not called.  `done` must be quick and must not call the store.
 */
typedef void (*store_done_fn)(void *arg, int rc);
typedef int (*store_hook_fn)(void *arg, struct report *r);
int store_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg);

/*
 * A function the report writer calls for each report inside its transaction,
 * after the report's own rows (store_tx_* functions may be used there);
 * a failure rolls that report back.  Set once before serving.
 */
void store_set_report_hook(struct store *st, store_hook_fn hook, void *arg);

/*
 * The same when a report is withdrawn: called inside that transaction with
 * the report's identifiers, after its reporter stopped counting for them
 * and before they are erased (store_tx_* functions may be used there).
 */
struct withdrawn_ident {
	uint8_t pseudonym[64];
	int kind; /* enum ident_kind */
};
typedef int (*store_withdraw_hook_fn)(void *arg, const struct withdrawn_ident *ids, size_t n,
				      const char *now);
void store_set_withdraw_hook(struct store *st, store_withdraw_hook_fn hook, void *arg);

/*
 * Inside a write transaction: takes back the live firings of `rule` for an
 * identifier since `since`, and queues `payload` (a retraction) to every
 * partner that got an alert of that rule about it.
 */
int store_tx_firing_retract(struct store *st, const char *rule, const uint8_t *pseudonym,
			    const char *since, const char *now, const char *payload);
int store_case_get(struct store *st, const uint8_t *hash, struct case_view *out);
int store_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		   const struct report_ident *idents, size_t nidents);
int store_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now);
int store_case_withdraw(struct store *st, const uint8_t *hash, const char *now);

/*
 * Inside the calling thread's write transaction only (the report hook):
 * the registry, sources, rule firings and the outbox (alert.h).
 */
int store_tx_identifier_touch(struct store *st, const uint8_t *pseudonym, const char *kind,
			      const uint8_t *sealed, size_t sealed_len, const char *routing,
			      int signal, const char *now);
int store_tx_source_add(struct store *st, const uint8_t *pseudonym, const char *source,
			const char *fraud_type, const char *role, int confidence, const char *now);
int store_tx_sources(struct store *st, const uint8_t *pseudonym, const char *since,
		     int (*each)(void *arg, const struct alert_source *src), void *arg);
int store_tx_fired_since(struct store *st, const char *rule, const uint8_t *pseudonym,
			 const char *since, int *fired);
int store_tx_firing_add(struct store *st, const char *rule, const uint8_t *pseudonym,
			const char *now, int sources, const char *reason);
int store_tx_outbox_add(struct store *st, int64_t partner, const char *event,
			const uint8_t *pseudonym, int raw, const char *payload, const char *now);

/*
 * Referrals through the outbox: inside the report's transaction, the
 * partner a referral goes to and its outbox row; later, the case a
 * referral belongs to, and the recipient's status updates.
 */
int store_tx_referral_route(struct store *st, int64_t report, const char *recipient,
			    int64_t partner, const char *payload, const char *now);
int store_referral_case(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
			char *recipient, size_t recipientsz);
/* STORE_ENOTFOUND unless the referral went to `partner`; STORE_ECONFLICT for a wrong step. */
int store_referral_update(struct store *st, int64_t referral, int64_t partner, const char *status,
			  const char *now);

/* The outbox: a partner's feed, what is due for delivery, and delivery results. */
int store_alerts_after(struct store *st, int64_t partner, int64_t after, int limit,
		       struct alert **out, size_t *n);
/*
 * Up to `limit` rows due by `now` for partners with a webhook, oldest
 * first, leaving out the partners in skip[0..nskip) (those being served
 * already; at most STORE_OUTBOX_SKIP_MAX).
 */
#define STORE_OUTBOX_SKIP_MAX 8
int store_outbox_due(struct store *st, const char *now, int limit, const int64_t *skip,
		     size_t nskip, struct alert **out, size_t *n);
/*
 * Partner `partner`'s undelivered rows due before `until` wait until then,
 * with `why` as their last error and no attempt counted: after a failed
 * delivery the partner's other alerts wait for the same retry.
 */
int store_outbox_defer(struct store *st, int64_t partner, const char *until, const char *why);
/* The outcomes of a batch of deliveries, written in one transaction (one fsync). */
struct delivery_result;
int store_outbox_results(struct store *st, const struct delivery_result *r, size_t n);

/*
 * Partner signals (signal.h): all of them in one transaction with their
 * ids set, `hook` called for each inside it (may be NULL); all or nothing.
 */
typedef int (*store_signal_hook_fn)(void *arg, struct signal *s);
int store_signals_insert(struct store *st, struct signal *s, size_t n, store_signal_hook_fn hook,
			 void *arg);

/* Dead-lettered outbox rows (with last_error in payload's place), and putting them back. */
int store_outbox_dead(struct store *st, struct alert **out, size_t *n);
/* Queues dead row `id` (0: all of them) for delivery again; *count gets how many. */
int store_outbox_retry(struct store *st, int64_t id, const char *now, int *count);

/* A signal as partners see it, whether a partner was alerted about its identifier, feedback. */
int store_signal_get(struct store *st, int64_t id, struct signal_view *out);
int store_signal_recipient(struct store *st, const uint8_t *pseudonym, int64_t partner, int *yes);
/*
 * Stores feedback; sets the identifier's status when new_status is not NULL;
 * queues `retraction` (JSON) to every partner alerted about it when not NULL.
 */
int store_feedback_add(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
		       const char *new_status, const char *retraction);
int store_feedback_list(struct store *st, int64_t signal, struct feedback **out, size_t *n);

/* Administration keys: added, revoked, and checked (STORE_ENOTFOUND if unknown or revoked). */
int store_admin_key_add(struct store *st, const char *name, const uint8_t *hash, const char *prefix,
			const char *now);
int store_admin_key_revoke(struct store *st, const char *prefix, const char *now);
int store_admin_by_key(struct store *st, const uint8_t *hash, char *name, size_t namesz);

/* What the registry knows about one identifier (check.c and lookups). */
struct identifier_facts {
	char kind[16];
	char status[16]; /* reported, confirmed, disputed, cleared */
	char first_seen[32];
	char last_seen[32];
	int reports, signals;
	char fraud_types[256]; /* comma-separated, distinct */
	char fired[512];       /* rules that fired and were not retracted, comma-separated */
};
int store_identifier_facts(struct store *st, const uint8_t *pseudonym,
			   struct identifier_facts *out); /* STORE_ENOTFOUND when unknown */

/*
 * For the in-memory lookup index (lookup_index.h), which follows the
 * registry.  store_identifier_scan() calls `each` with the facts of every
 * identifier, in one read transaction, and sets *upto to the last change
 * that scan includes; store_identifier_changes() then gives the changes
 * after a sequence number, oldest first (up to `max`; the same identifier
 * may come more than once).  Changes up to `upto` can be pruned once every
 * reader has them.  A non-zero return from `each` stops the scan with it.
 */
struct identifier_change {
	int64_t seq;
	uint8_t pseudonym[64];
};
typedef int (*store_facts_fn)(void *arg, const uint8_t *pseudonym,
			      const struct identifier_facts *f);
int store_identifier_scan(struct store *st, store_facts_fn each, void *arg, int64_t *upto);
int store_identifier_changes(struct store *st, int64_t after, struct identifier_change *out,
			     size_t max, size_t *n);
int store_identifier_changes_prune(struct store *st, int64_t upto);

/*
 * A function called after every write transaction this process commits,
 * in the committing thread, outside the store's locks; it must be quick
 * (wake a thread, count).  Set once before serving; NULL removes it.
 */
typedef void (*store_commit_fn)(void *arg);
void store_set_commit_hook(struct store *st, store_commit_fn fn, void *arg);

/*
 * The audit log (audit.h).  store_audit_append() appends records in one
 * write transaction, at the next positions, and gives the first position;
 * their subjects wait beside them until store_audit_index_subjects() moves
 * those of the oldest entries into the index, whole entries until `max`
 * subjects or more have moved, or none wait (counting the entries and
 * subjects it moved: fewer than `max` subjects means none were left).  store_audit_by_subject() finds both.
 * store_audit_leaves() reads leaf hashes from a position on, in order.
 */
#define STORE_AUDIT_COMMIT_BYTES 16
struct audit_record {
	const char *entry;
	uint8_t leaf[32];
	const uint8_t (*subjects)[STORE_AUDIT_COMMIT_BYTES];
	size_t nsubjects;
};
int store_audit_append(struct store *st, const struct audit_record *r, size_t n, int64_t *first);
int store_audit_index_subjects(struct store *st, size_t max, size_t *entries, size_t *subjects);
int store_audit_leaves(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32],
		       size_t *n);
/* Entries [start, end) in order; `each` returning non-zero stops with that code. */
typedef int (*store_audit_fn)(void *arg, int64_t idx, const char *entry, const uint8_t *leaf);
int store_audit_entries(struct store *st, int64_t start, int64_t end, store_audit_fn each,
			void *arg);
/* The entries that name a commitment, in order. */
int store_audit_by_subject(struct store *st, const uint8_t *commitment, store_audit_fn each,
			   void *arg);
/*
 * Checkpoints: added (STORE_EEXISTS if that size has one), the latest, and
 * all in order of size (root is NULL when the stored one is not 32 bytes).
 */
int store_audit_checkpoint_add(struct store *st, int64_t size, const uint8_t *root,
			       const char *note, const char *now);
int store_audit_checkpoint_latest(struct store *st, int64_t *size, char *note, size_t notesz);
typedef int (*store_checkpoint_fn)(void *arg, int64_t size, const uint8_t *root, const char *note);
int store_audit_checkpoints(struct store *st, store_checkpoint_fn each, void *arg);

/*
 * Requests of data subjects (subject.h has the struct and the flow).
 * store_subject_request_add() stores a request and sets r->id; for an
 * objection it disputes the identifier when it is reported or confirmed
 * (keeping that status in r->prior_status) and then queues `notice` (a
 * retraction) to every partner alerted about it; *notified gets how many.
 * store_subject_request_answer() answers an access request (again);
 * store_subject_request_decide() decides an objection that is still open,
 * `decision` "upheld" (the identifier is cleared; `notice` to its
 * recipients when that changed it) or "rejected" (the prior status comes
 * back unless another objection is open; `notice` when it did).  Both
 * give STORE_ECONFLICT for a request of the wrong type or state.
 */
struct subject_request;
int store_subject_request_add(struct store *st, struct subject_request *r, const char *notice,
			      int *notified);
int store_subject_request_get(struct store *st, int64_t id, struct subject_request *out);
int store_subject_request_by_code(struct store *st, const uint8_t *hash,
				  struct subject_request *out);
/* Requests in order of id, all or those with `status`; free with subject_requests_free(). */
int store_subject_request_list(struct store *st, const char *status, struct subject_request **out,
			       size_t *n);
int store_subject_request_answer(struct store *st, int64_t id, const char *answer, const char *now);
int store_subject_request_decide(struct store *st, int64_t id, const char *decision,
				 const char *reason, const char *notice, const char *now,
				 int *notified);

/*
 * Retention (purge.h): erases what has outlived its period, class by
 * class, in write transactions of at most `batch` rows each so that report
 * intake is never held off for long.  Each class's period is in days and
 * counts back from `now`; periods are at least 1.  Nothing is ever erased
 * that the rows' own clocks (a report's last activity, an identifier's
 * last sighting, a delivery) do not put past its period; the audit log is
 * never touched.  With dry_run the counts are what would go, and nothing
 * changes.  `cancel` (may be NULL) is asked between batches; when it says
 * stop, the purge ends with STORE_ECONFLICT and the counts so far.  On any
 * error *out still holds what was committed.
 */
struct purge_policy {
	int narratives_days;	   /* reports' descriptions and additions' text */
	int contact_days;	   /* reports' sealed contact details and reporter fingerprint */
	int raw_identifiers_days;  /* sealed raw values in identifiers and report_identifiers */
	int signals_days;	   /* partner signals (and the feedback on them) */
	int alerts_days;	   /* delivered or dead outbox rows */
	int subject_requests_days; /* decided data-subject requests */
	int batch;		   /* rows per transaction; 0: the default (1000) */
	int dry_run;
	int (*cancel)(void *arg);
	void *cancel_arg;
};
struct purge_counts {
	int64_t narratives;		/* reports whose description was erased */
	int64_t additions;		/* additions whose text was erased */
	int64_t contacts;		/* reports whose contact details and reporter were erased */
	int64_t raw_identifiers;	/* registry identifiers whose raw value was erased */
	int64_t report_raw_identifiers; /* report identifiers whose raw value was erased */
	int64_t signals;		/* signals deleted */
	int64_t feedback;		/* feedback on them deleted */
	int64_t alerts;			/* outbox rows deleted */
	int64_t subject_requests;	/* subject requests deleted; -1: no such table */
	int64_t batches;		/* write transactions committed */
	int64_t longest_batch_ms;	/* the longest of them */
};
int store_purge(struct store *st, const struct purge_policy *p, const char *now,
		struct purge_counts *out);

/*
 * Statistics (stats.h): open (not withdrawn) reports made in [from, to)
 * ("YYYY-MM-DD" bounds on the report's creation), counted per municipality,
 * fraud type and month ("YYYY-MM"); `each` is called once per cell and may
 * stop the scan by returning non-zero (which is returned).  Purged reports
 * keep these columns and still count.
 */
struct report_cell {
	char municipality[8]; /* CBS code, or "" when the report gave none */
	char fraud_type[64];
	char month[8];
	int64_t reports;
	int64_t loss_cents; /* sum of the losses stated in EUR */
};
int store_report_cells(struct store *st, const char *from, const char *to,
		       int (*each)(void *arg, const struct report_cell *c), void *arg);

/* Partners and keys (partner.h has the struct). */
int store_partner_add(struct store *st, struct partner *p); /* sets p->id; STORE_EEXISTS */
int store_partner_get(struct store *st, const char *name, struct partner *out);
/* Every partner, in order of name; *out is freed by the caller with mem_free. */
int store_partner_list(struct store *st, struct partner **out, size_t *n);
int store_partner_key_add(struct store *st, int64_t partner, const uint8_t *hash,
			  const char *prefix, const char *now);
int store_partner_key_revoke(struct store *st, const char *prefix, const char *now);
/* The partner a key belongs to; STORE_ENOTFOUND for an unknown or revoked key. */
int store_partner_by_key(struct store *st, const uint8_t *hash, struct partner *out);

#endif
