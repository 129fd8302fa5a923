/*
 * pg_report.c - reports and cases in the PostgreSQL backend.
 *
 * Every operation is one write transaction on the calling thread's
 * connection (pg_write_begin): it takes the cluster-wide write lock first,
 * so it never fails half-way for a lock, and a report is either all there
 * or not at all.
 *
 * Unlike SQLite, a failed statement aborts the whole PostgreSQL
 * transaction; the group commit therefore relies on its savepoint per
 * report to keep one bad report from failing the others.
 */
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "report.h"
#include "store/pg_int.h"
#include "util/log.h"
#include "util/mem.h"

/* A bytea column's length in bytes (its text is "\x" and two hex digits a byte). */
static size_t bytea_len(const PGresult *r, int row, int col)
{
	int n = PQgetlength(r, row, col);

	return pg_isnull(r, row, col) || n < 2 ? 0 : (size_t)(n - 2) / 2;
}

static int begin(struct store *st, struct pg_conn **c)
{
	return pg_write_begin(pg_store_of(st), c);
}

static int finish(struct store *st, struct pg_conn *c, int rc)
{
	return pg_write_end(pg_store_of(st), c, rc);
}

static int event_insert(struct pg_conn *c, int64_t referral, const char *status, const char *now)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, referral);
	pg_param_text(&p, status);
	pg_param_text(&p, now);
	return pg_exec(c,
		       "INSERT INTO referral_events (referral_id, status, at) "
		       "VALUES ($1, $2, $3)",
		       &p, NULL);
}

/* Sets a referral's status (creating the referral if needed) and records the event. */
static int referral_set(struct pg_conn *c, int64_t report, const char *recipient,
			const char *status, const char *now)
{
	struct pg_params p;
	PGresult *res;
	int64_t id = 0;
	int rc;

	pg_params_init(&p);
	pg_param_int(&p, report);
	pg_param_text(&p, recipient);
	pg_param_text(&p, status);
	pg_param_text(&p, now);
	rc = pg_query(c,
		      "INSERT INTO referrals (report_id, recipient, status, updated_at) "
		      "VALUES ($1, $2, $3, $4) ON CONFLICT (report_id, recipient) DO "
		      "UPDATE SET status = excluded.status, updated_at = excluded.updated_at "
		      "RETURNING id",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 1)
		id = pg_int(res, 0, 0);
	else
		rc = STORE_EIO;
	PQclear(res);
	return rc ? rc : event_insert(c, id, status, now);
}

static int idents_insert(struct pg_conn *c, int64_t report, const struct report_ident *id, size_t n,
			 const char *now)
{
	struct pg_params p;
	int rc = STORE_OK;

	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		pg_params_init(&p);
		pg_param_int(&p, report);
		pg_param_text(&p, ident_kind_name(id[i].kind));
		pg_param_opt(&p, id[i].role);
		pg_param_bytes(&p, id[i].pseudonym, PSEUDONYM_BYTES);
		pg_param_bytes(&p, id[i].sealed, id[i].sealed_len);
		pg_param_text(&p, now);
		rc = pg_exec(c,
			     "INSERT INTO report_identifiers (report_id, kind, role, "
			     "pseudonym, sealed, added_at) VALUES ($1, $2, $3, $4, $5, $6)",
			     &p, NULL);
	}
	return rc;
}

static int insert_one(struct pg_conn *c, struct report *r)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	pg_params_init(&p);
	pg_param_bytes(&p, r->case_hash, CASECODE_HASH_BYTES);
	pg_param_text(&p, r->fraud_type);
	pg_param_text(&p, r->channels);
	pg_param_opt(&p, r->description);
	pg_param_opt(&p, r->occurred_at);
	if (r->has_loss)
		pg_param_int(&p, r->loss_cents);
	else
		pg_param_null(&p);
	pg_param_opt(&p, r->has_loss ? r->currency : NULL);
	pg_param_opt(&p, r->payment_method);
	pg_param_opt(&p, r->victim_type);
	pg_param_opt(&p, r->age_band);
	pg_param_opt(&p, r->municipality);
	pg_param_bytes(&p, r->contact_sealed, r->contact_sealed_len); /* NULL when none */
	pg_param_text(&p, r->language);
	pg_param_int(&p, r->consent);
	pg_param_text(&p, r->created_at);
	pg_param_opt(&p, r->reporter);
	rc = pg_query(c,
		      "INSERT INTO reports (case_hash, fraud_type, channels, description, "
		      "occurred_at, loss_cents, currency, payment_method, victim_type, "
		      "age_band, municipality, contact_sealed, language, consent, "
		      "created_at, updated_at, reporter) VALUES ($1, $2, $3, $4, $5, $6, $7, "
		      "$8, $9, $10, $11, $12, $13, $14, $15, $15, $16) RETURNING id",
		      &p, &res);
	r->id = 0;
	if (rc == STORE_OK) {
		if (PQntuples(res) == 1)
			r->id = pg_int(res, 0, 0);
		else
			rc = STORE_EIO;
		PQclear(res);
	}
	if (rc == STORE_OK)
		rc = idents_insert(c, r->id, r->idents, r->nidents, r->created_at);
	for (int i = 0; i < RECIPIENT_COUNT && rc == STORE_OK; i++)
		if (r->consent & (1u << i))
			rc = referral_set(c, r->id, recipient_name((enum recipient)i), "pending",
					  r->created_at);
	return rc;
}

/*
 * Group commit.  A report is acknowledged only once its transaction is on
 * disk, and every commit costs an fsync.  Inserts are queued for one writer
 * thread, which takes everything queued and writes it in one transaction,
 * each report inside its own savepoint so that one bad report fails alone.
 * Under load many reports share one fsync; alone, a report pays what it
 * would have paid anyway.  The HTTP threads do not wait for the disk: the
 * writer calls back, and the reply goes out then (group.c runs the queue).
 */
void pg_report_group_run(struct store *st, struct group_job *batch)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct group_job *j;
	unsigned stored = 0;
	int rc = begin(st, &c);

	for (j = batch; j; j = j->next) {
		j->rc = rc;
		if (rc)
			continue;
		j->rc = pg_simple(c, "SAVEPOINT report");
		if (j->rc)
			continue;
		j->rc = insert_one(c, j->r);
		if (j->rc == STORE_OK && s->report_hook)
			j->rc = s->report_hook(s->report_hook_arg, j->r);
		/* Also what makes the transaction usable again after a failed statement. */
		if (j->rc)
			pg_simple(c, "ROLLBACK TO SAVEPOINT report");
		pg_simple(c, "RELEASE SAVEPOINT report");
	}
	if (rc)
		return;
	/* Commit if any report made it; a failed commit fails them all. */
	rc = STORE_EINVAL;
	for (j = batch; j; j = j->next)
		if (j->rc == STORE_OK)
			rc = STORE_OK;
	rc = finish(st, c, rc);
	for (j = batch; j; j = j->next) {
		if (j->rc == STORE_OK)
			j->rc = rc;
		stored += j->rc == STORE_OK;
	}
	if (stored)
		metrics_group_commit(stored);
}

int pg_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg)
{
	return store_group_submit(&pg_store_of(st)->group, r, done, arg);
}

void pg_set_withdraw_hook(struct store *st, store_withdraw_hook_fn hook, void *arg)
{
	struct pg_store *s = pg_store_of(st);

	s->withdraw_hook = hook;
	s->withdraw_hook_arg = arg;
}

void pg_set_report_hook(struct store *st, store_hook_fn hook, void *arg)
{
	struct pg_store *s = pg_store_of(st);

	s->report_hook = hook;
	s->report_hook_arg = arg;
}

/* The id, status and consent of the report with this case hash. */
static int case_find(struct pg_conn *c, const uint8_t *hash, int64_t *id, char *status,
		     size_t statussz, unsigned *consent)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	pg_params_init(&p);
	pg_param_bytes(&p, hash, CASECODE_HASH_BYTES);
	rc = pg_query(c, "SELECT id, status, consent FROM reports WHERE case_hash = $1", &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0) {
		*id = pg_int(res, 0, 0);
		pg_text(res, 0, 1, status, statussz);
		*consent = (unsigned)pg_int(res, 0, 2);
		rc = STORE_OK;
	} else {
		rc = STORE_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

static int load_report(struct pg_conn *c, const uint8_t *hash, struct report *r)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	pg_params_init(&p);
	pg_param_bytes(&p, hash, CASECODE_HASH_BYTES);
	rc = pg_query(c,
		      "SELECT id, status, fraud_type, channels, description, occurred_at, "
		      "loss_cents, currency, payment_method, victim_type, age_band, "
		      "municipality, contact_sealed, language, consent, created_at, "
		      "updated_at, withdrawn_at FROM reports WHERE case_hash = $1",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return STORE_ENOTFOUND;
	}
	memcpy(r->case_hash, hash, CASECODE_HASH_BYTES);
	r->id = pg_int(res, 0, 0);
	pg_text(res, 0, 1, r->status, sizeof(r->status));
	pg_text(res, 0, 2, r->fraud_type, sizeof(r->fraud_type));
	pg_text(res, 0, 3, r->channels, sizeof(r->channels));
	r->description = pg_dup(res, 0, 4);
	pg_text(res, 0, 5, r->occurred_at, sizeof(r->occurred_at));
	r->has_loss = !pg_isnull(res, 0, 6);
	r->loss_cents = pg_int(res, 0, 6);
	pg_text(res, 0, 7, r->currency, sizeof(r->currency));
	pg_text(res, 0, 8, r->payment_method, sizeof(r->payment_method));
	pg_text(res, 0, 9, r->victim_type, sizeof(r->victim_type));
	pg_text(res, 0, 10, r->age_band, sizeof(r->age_band));
	pg_text(res, 0, 11, r->municipality, sizeof(r->municipality));
	if (!pg_isnull(res, 0, 12)) {
		size_t n = bytea_len(res, 0, 12);

		r->contact_sealed = mem_alloc(n);
		if (r->contact_sealed) {
			rc = pg_bytes(res, 0, 12, r->contact_sealed, n, &r->contact_sealed_len);
			if (rc) {
				mem_free(r->contact_sealed);
				r->contact_sealed = NULL;
				r->contact_sealed_len = 0;
			}
		}
	}
	pg_text(res, 0, 13, r->language, sizeof(r->language));
	r->consent = (unsigned)pg_int(res, 0, 14);
	pg_text(res, 0, 15, r->created_at, sizeof(r->created_at));
	pg_text(res, 0, 16, r->updated_at, sizeof(r->updated_at));
	pg_text(res, 0, 17, r->withdrawn_at, sizeof(r->withdrawn_at));
	PQclear(res);
	return rc;
}

static int load_idents(struct pg_conn *c, struct report *r)
{
	struct pg_params p;
	PGresult *res;
	int rows, rc;

	pg_params_init(&p);
	pg_param_int(&p, r->id);
	rc = pg_query(c,
		      "SELECT kind, role, pseudonym, sealed FROM report_identifiers "
		      "WHERE report_id = $1 ORDER BY id",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows && r->nidents < REPORT_IDENTS_MAX; i++) {
		struct report_ident *id = &r->idents[r->nidents];
		uint8_t pseudonym[PSEUDONYM_BYTES];
		size_t len, n = bytea_len(res, i, 3);

		if (pg_isnull(res, i, 0) || ident_kind_parse(PQgetvalue(res, i, 0), &id->kind) ||
		    pg_bytes(res, i, 2, pseudonym, sizeof(pseudonym), &len) ||
		    len != PSEUDONYM_BYTES)
			continue;
		pg_text(res, i, 1, id->role, sizeof(id->role));
		memcpy(id->pseudonym, pseudonym, PSEUDONYM_BYTES);
		/* An empty seal: retention erased the raw value, and the pseudonym stays. */
		if (n > 0) {
			id->sealed = mem_alloc(n);
			if (!id->sealed) {
				PQclear(res);
				return STORE_ENOMEM;
			}
			if (pg_bytes(res, i, 3, id->sealed, n, &id->sealed_len)) {
				mem_free(id->sealed);
				id->sealed = NULL;
				id->sealed_len = 0;
				PQclear(res);
				return STORE_EIO;
			}
		}
		r->nidents++;
	}
	PQclear(res);
	return STORE_OK;
}

static int load_referrals(struct pg_conn *c, struct case_view *cv)
{
	struct pg_params p;
	PGresult *res, *ev;
	int rows, rc;

	pg_params_init(&p);
	pg_param_int(&p, cv->report.id);
	rc = pg_query(c,
		      "SELECT id, recipient, status, updated_at FROM referrals "
		      "WHERE report_id = $1 ORDER BY id",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows && cv->nreferrals < RECIPIENT_COUNT; i++) {
		struct referral *ref = &cv->referrals[cv->nreferrals];
		int64_t id = pg_int(res, i, 0);
		int nev;

		if (pg_isnull(res, i, 1) || recipient_parse(PQgetvalue(res, i, 1), &ref->recipient))
			continue;
		pg_text(res, i, 2, ref->status, sizeof(ref->status));
		pg_text(res, i, 3, ref->updated_at, sizeof(ref->updated_at));
		/* The newest events, oldest first. */
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_int(&p, REFERRAL_EVENTS_MAX);
		rc = pg_query(c,
			      "SELECT status, at FROM (SELECT id, status, at FROM "
			      "referral_events WHERE referral_id = $1 ORDER BY id DESC "
			      "LIMIT $2) AS e ORDER BY id",
			      &p, &ev);
		if (rc) {
			PQclear(res);
			return rc;
		}
		nev = PQntuples(ev);
		for (int k = 0; k < nev && ref->nevents < REFERRAL_EVENTS_MAX; k++) {
			pg_text(ev, k, 0, ref->events[ref->nevents].status,
				sizeof(ref->events[0].status));
			pg_text(ev, k, 1, ref->events[ref->nevents].at, sizeof(ref->events[0].at));
			ref->nevents++;
		}
		PQclear(ev);
		cv->nreferrals++;
	}
	PQclear(res);
	return STORE_OK;
}

static int load_additions(struct pg_conn *c, struct case_view *cv)
{
	struct pg_params p;
	PGresult *res;
	size_t cap = 0;
	int rows, rc;

	pg_params_init(&p);
	pg_param_int(&p, cv->report.id);
	rc = pg_query(c,
		      "SELECT created_at, description FROM report_additions "
		      "WHERE report_id = $1 ORDER BY id",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		if (cv->nadditions == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct addition *a = mem_realloc(cv->additions, ncap * sizeof(*a));

			if (!a) {
				PQclear(res);
				return STORE_ENOMEM;
			}
			cv->additions = a;
			cap = ncap;
		}
		pg_text(res, i, 0, cv->additions[cv->nadditions].at, sizeof(cv->additions[0].at));
		cv->additions[cv->nadditions].description = pg_dup(res, i, 1);
		cv->nadditions++;
	}
	PQclear(res);
	return STORE_OK;
}

/*
 * A read transaction on a snapshot (REPEATABLE READ: under READ COMMITTED
 * each statement would see the latest commit).  Like SQLite's BEGIN, it
 * fails inside another transaction instead of joining it: its COMMIT would
 * commit the caller's transaction.
 */
static int read_begin(struct pg_store *s, struct pg_conn **c)
{
	static const char sql[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	int rc = pg_conn_get(s, c);

	if (rc)
		return rc;
	if ((*c)->in_tx || PQtransactionStatus((*c)->conn) == PQTRANS_INTRANS ||
	    PQtransactionStatus((*c)->conn) == PQTRANS_INERROR) {
		log_error("database error", "op", sql, "error", "already inside a transaction");
		return STORE_EIO;
	}
	rc = pg_simple(*c, sql);
	if (rc == STORE_EIO && PQstatus((*c)->conn) != CONNECTION_OK) {
		rc = pg_conn_get(s, c); /* reconnects */
		if (!rc)
			rc = pg_simple(*c, sql);
	}
	/* No silent reconnect half-way: the parts would come from different snapshots. */
	if (!rc)
		(*c)->in_tx = true;
	return rc;
}

int pg_case_get(struct store *st, const uint8_t *hash, struct case_view *out)
{
	struct pg_conn *c;
	int rc;

	/* One read transaction, so that the parts agree with each other. */
	rc = read_begin(pg_store_of(st), &c);
	if (rc)
		return rc;
	rc = load_report(c, hash, &out->report);
	if (!rc)
		rc = load_idents(c, &out->report);
	if (!rc)
		rc = load_referrals(c, out);
	if (!rc)
		rc = load_additions(c, out);
	c->in_tx = false;
	pg_simple(c, "COMMIT"); /* rolls back instead if a statement failed */
	return rc;
}

int pg_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		const struct report_ident *idents, size_t nidents)
{
	struct pg_conn *c;
	struct pg_params p;
	char status[16];
	unsigned consent;
	int64_t id;
	int rc = begin(st, &c);

	if (rc)
		return rc;
	rc = case_find(c, hash, &id, status, sizeof(status), &consent);
	if (!rc && strcmp(status, "open") != 0)
		rc = STORE_ECONFLICT;
	if (!rc && description && *description) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_text(&p, description);
		pg_param_text(&p, now);
		rc = pg_exec(c,
			     "INSERT INTO report_additions (report_id, description, "
			     "created_at) VALUES ($1, $2, $3)",
			     &p, NULL);
	}
	if (!rc)
		rc = idents_insert(c, id, idents, nidents, now);
	if (!rc) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_text(&p, now);
		rc = pg_exec(c, "UPDATE reports SET updated_at = $2 WHERE id = $1", &p, NULL);
	}
	return finish(st, c, rc);
}

static int referral_status(struct pg_conn *c, int64_t report, const char *recipient, char *status,
			   size_t statussz)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	pg_params_init(&p);
	pg_param_int(&p, report);
	pg_param_text(&p, recipient);
	rc = pg_query(c, "SELECT status FROM referrals WHERE report_id = $1 AND recipient = $2", &p,
		      &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		pg_text(res, 0, 0, status, statussz);
	else
		rc = STORE_ENOTFOUND;
	PQclear(res);
	return rc;
}

static int ended(const char *status)
{
	return strcmp(status, "cancelled") == 0 || strcmp(status, "retracted") == 0;
}

/*
 * The outbox follows a referral the victim took back: what was not sent
 * yet is not sent (dead-lettered as cancelled); what reached the partner
 * gets a retraction, delivered like everything else.
 */
static int referral_outbox_follow(struct pg_conn *c, int64_t report, const char *recipient,
				  int retract, const char *now)
{
	struct pg_params p;
	int rc;

	pg_params_init(&p);
	pg_param_int(&p, report);
	pg_param_text(&p, recipient);
	pg_param_text(&p, now);
	rc = pg_exec(c,
		     "UPDATE outbox SET dead_at = $3, last_error = 'cancelled by the "
		     "victim' WHERE event = 'referral' AND delivered_at IS NULL AND "
		     "dead_at IS NULL AND referral_id = (SELECT id FROM referrals WHERE "
		     "report_id = $1 AND recipient = $2)",
		     &p, NULL);
	if (rc || !retract)
		return rc;
	/* $3 sits in a SELECT list, where PostgreSQL cannot infer its type. */
	return pg_exec(c,
		       "INSERT INTO outbox (partner_id, event, raw, payload, created_at, "
		       "next_attempt_at, referral_id) SELECT partner_id, 'retraction', 0, "
		       "'{\"type\":\"retraction\",\"reason\":\"consent_withdrawn\"}', $3::text, "
		       "$3::text, id FROM referrals WHERE report_id = $1 AND recipient = $2 AND "
		       "partner_id IS NOT NULL",
		       &p, NULL);
}

/*
 * Moves each referral to what `consent` says: granted and absent or ended:
 * pending; withdrawn while pending: cancelled (nothing was sent); withdrawn
 * after it reached the recipient: retracted (the recipient is told).
 */
static int referrals_follow(struct pg_conn *c, int64_t report, unsigned consent, const char *now)
{
	int rc = STORE_OK;

	for (int i = 0; i < RECIPIENT_COUNT && rc == STORE_OK; i++) {
		const char *name = recipient_name((enum recipient)i);
		char status[16];
		int have = referral_status(c, report, name, status, sizeof(status));

		if (have != STORE_OK && have != STORE_ENOTFOUND)
			return have;
		if (consent & (1u << i)) {
			if (have == STORE_ENOTFOUND || ended(status))
				rc = referral_set(c, report, name, "pending", now);
		} else if (have == STORE_OK && !ended(status)) {
			int retract = strcmp(status, "pending") != 0;

			rc = referral_set(c, report, name, retract ? "retracted" : "cancelled",
					  now);
			if (rc == STORE_OK)
				rc = referral_outbox_follow(c, report, name, retract, now);
		}
	}
	return rc;
}

int pg_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now)
{
	struct pg_conn *c;
	struct pg_params p;
	char status[16];
	unsigned old;
	int64_t id;
	int rc = begin(st, &c);

	if (rc)
		return rc;
	rc = case_find(c, hash, &id, status, sizeof(status), &old);
	if (!rc && strcmp(status, "open") != 0)
		rc = STORE_ECONFLICT;
	if (!rc) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_int(&p, consent);
		pg_param_text(&p, now);
		rc = pg_exec(c,
			     "UPDATE reports SET consent = $2, updated_at = $3 "
			     "WHERE id = $1",
			     &p, NULL);
	}
	if (!rc)
		rc = referrals_follow(c, id, consent, now);
	return finish(st, c, rc);
}

static int withdraw_sources(struct store *st, struct pg_conn *c, int64_t report, const char *now);

int pg_case_withdraw(struct store *st, const uint8_t *hash, const char *now)
{
	static const char *const erase[] = {
		"DELETE FROM report_identifiers WHERE report_id = $1",
		"DELETE FROM report_additions WHERE report_id = $1",
	};
	struct pg_conn *c;
	struct pg_params p;
	char status[16];
	unsigned consent;
	int64_t id;
	int rc = begin(st, &c);

	if (rc)
		return rc;
	rc = case_find(c, hash, &id, status, sizeof(status), &consent);
	if (!rc && strcmp(status, "withdrawn") == 0)
		return finish(st, c, STORE_OK); /* already done: withdrawing is idempotent */
	/* The personal data goes; what stays is anonymous: type, dates, municipality. */
	if (!rc) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_text(&p, now);
		rc = pg_exec(c,
			     "UPDATE reports SET status = 'withdrawn', description = NULL, "
			     "contact_sealed = NULL, consent = 0, withdrawn_at = $2, "
			     "updated_at = $2 WHERE id = $1",
			     &p, NULL);
	}
	if (!rc)
		rc = withdraw_sources(st, c, id, now);
	for (size_t i = 0; i < sizeof(erase) / sizeof(erase[0]) && !rc; i++) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		rc = pg_exec(c, erase[i], &p, NULL);
	}
	if (!rc)
		rc = referrals_follow(c, id, 0, now);
	return finish(st, c, rc);
}

/*
 * Before a withdrawn report's identifiers go: its reporter stops counting
 * for each of them (unless another open report of the same reporter names
 * it too), and the withdraw hook may take back rule alerts that no longer
 * hold.
 */
static int withdraw_sources(struct store *st, struct pg_conn *c, int64_t report, const char *now)
{
	struct pg_store *s = pg_store_of(st);
	struct withdrawn_ident ids[REPORT_IDENTS_MAX];
	char reporter[80] = "";
	struct pg_params p;
	PGresult *res;
	size_t n = 0;
	int rows, rc;

	pg_params_init(&p);
	pg_param_int(&p, report);
	rc = pg_query(c, "SELECT coalesce(reporter, '') FROM reports WHERE id = $1", &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		pg_text(res, 0, 0, reporter, sizeof(reporter));
	PQclear(res);
	rc = pg_query(c,
		      "SELECT DISTINCT pseudonym, kind FROM report_identifiers WHERE "
		      "report_id = $1",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows && n < REPORT_IDENTS_MAX; i++) {
		enum ident_kind kind;
		size_t len;

		if (pg_bytes(res, i, 0, ids[n].pseudonym, PSEUDONYM_BYTES, &len) ||
		    len != PSEUDONYM_BYTES || ident_kind_parse(PQgetvalue(res, i, 1), &kind))
			continue;
		ids[n].kind = (int)kind;
		n++;
	}
	PQclear(res);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		pg_params_init(&p);
		pg_param_bytes(&p, ids[i].pseudonym, PSEUDONYM_BYTES);
		pg_param_text(&p, reporter);
		pg_param_int(&p, report);
		rc = pg_exec(c,
			     "DELETE FROM identifier_sources WHERE pseudonym = $1 AND source = "
			     "$2 AND NOT EXISTS (SELECT 1 FROM report_identifiers ri JOIN "
			     "reports r ON r.id = ri.report_id WHERE ri.pseudonym = $1 AND "
			     "r.reporter = $2 AND r.id != $3 AND r.status = 'open')",
			     &p, NULL);
	}
	if (rc == STORE_OK && n && s->withdraw_hook)
		rc = s->withdraw_hook(s->withdraw_hook_arg, ids, n, now);
	return rc;
}
