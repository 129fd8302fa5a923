/*
 * sqlite_report.c - reports and cases in the SQLite backend.
 *
 * Every operation is one IMMEDIATE transaction on the calling thread's
 * connection: it takes the write lock first, so it never fails half-way
 * for a lock, and a report is either all there or not at all.
 */
#include <stdio.h>
#include <string.h>

#include "metrics.h"
#include "report.h"
#include "store/sqlite_int.h"
#include "util/mem.h"

/* Binds text, or NULL for an empty string. */
static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void copy_col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", v ? (const char *)v : "");
}

static char *dup_col(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? mem_strdup((const char *)v) : NULL;
}

/* Runs a statement that returns no rows. */
static int tx(struct sqlite_conn *c, const char *sql)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c, sql, &s);

	if (rc)
		return rc;
	rc = sqlite_step_done(s);
	if (rc)
		sqlite_log_error(c->db, sql);
	return rc;
}

static int begin(struct store *st, struct sqlite_conn **c)
{
	return sqlite_write_begin(sqlite_store_of(st), c);
}

static int finish(struct store *st, struct sqlite_conn *c, int rc)
{
	return sqlite_write_end(sqlite_store_of(st), c, rc);
}

static int event_insert(struct sqlite_conn *c, int64_t referral, const char *status,
			const char *now)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c,
				  "INSERT INTO referral_events (referral_id, status, at) "
				  "VALUES (?1, ?2, ?3)",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, referral);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

/* Sets a referral's status (creating the referral if needed) and records the event. */
static int referral_set(struct sqlite_conn *c, int64_t report, const char *recipient,
			const char *status, const char *now)
{
	sqlite3_stmt *s;
	int64_t id;
	int rc = sqlite_conn_stmt(
		c,
		"INSERT INTO referrals (report_id, recipient, status, updated_at) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (report_id, recipient) DO "
		"UPDATE SET status = excluded.status, updated_at = excluded.updated_at "
		"RETURNING id",
		&s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	id = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc ? rc : event_insert(c, id, status, now);
}

static int idents_insert(struct sqlite_conn *c, int64_t report, const struct report_ident *id,
			 size_t n, const char *now)
{
	sqlite3_stmt *s;
	int rc = STORE_OK;

	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO report_identifiers (report_id, kind, role, "
			"pseudonym, sealed, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			&s);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, report);
		sqlite3_bind_text(s, 2, ident_kind_name(id[i].kind), -1, SQLITE_STATIC);
		bind_text(s, 3, id[i].role);
		sqlite3_bind_blob(s, 4, id[i].pseudonym, PSEUDONYM_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(s, 5, id[i].sealed, (int)id[i].sealed_len, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	return rc;
}

static int insert_one(struct sqlite_conn *c, struct report *r)
{
	sqlite3_stmt *s;
	int rc;

	rc = sqlite_conn_stmt(
		c,
		"INSERT INTO reports (case_hash, fraud_type, channels, description, "
		"occurred_at, loss_cents, currency, payment_method, victim_type, "
		"age_band, municipality, contact_sealed, language, consent, "
		"created_at, updated_at, reporter) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
		"?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16) RETURNING id",
		&s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, r->case_hash, CASECODE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->fraud_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->channels, -1, SQLITE_STATIC);
	bind_text(s, 4, r->description);
	bind_text(s, 5, r->occurred_at);
	if (r->has_loss)
		sqlite3_bind_int64(s, 6, r->loss_cents);
	bind_text(s, 7, r->has_loss ? r->currency : NULL);
	bind_text(s, 8, r->payment_method);
	bind_text(s, 9, r->victim_type);
	bind_text(s, 10, r->age_band);
	bind_text(s, 11, r->municipality);
	if (r->contact_sealed)
		sqlite3_bind_blob(s, 12, r->contact_sealed, (int)r->contact_sealed_len,
				  SQLITE_STATIC);
	sqlite3_bind_text(s, 13, r->language, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, (int)r->consent);
	sqlite3_bind_text(s, 15, r->created_at, -1, SQLITE_STATIC);
	bind_text(s, 16, r->reporter);
	rc = sqlite3_step(s);
	r->id = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
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
void sqlite_report_group_run(struct store *st, struct group_job *batch)
{
	struct sqlite_conn *c;
	struct group_job *j;
	unsigned stored = 0;
	int rc = begin(st, &c);

	for (j = batch; j; j = j->next) {
		j->rc = rc;
		if (rc)
			continue;
		j->rc = tx(c, "SAVEPOINT report");
		if (j->rc)
			continue;
		j->rc = insert_one(c, j->r);
		if (j->rc == STORE_OK && sqlite_store_of(st)->report_hook)
			j->rc = sqlite_store_of(st)->report_hook(
				sqlite_store_of(st)->report_hook_arg, j->r);
		if (j->rc)
			tx(c, "ROLLBACK TO report");
		tx(c, "RELEASE report");
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

int sqlite_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg)
{
	return store_group_submit(&sqlite_store_of(st)->group, r, done, arg);
}

void sqlite_set_withdraw_hook(struct store *st, store_withdraw_hook_fn hook, void *arg)
{
	struct sqlite_store *s = sqlite_store_of(st);

	s->withdraw_hook = hook;
	s->withdraw_hook_arg = arg;
}

void sqlite_set_report_hook(struct store *st, store_hook_fn hook, void *arg)
{
	struct sqlite_store *s = sqlite_store_of(st);

	s->report_hook = hook;
	s->report_hook_arg = arg;
}

/* The id, status and consent of the report with this case hash. */
static int case_find(struct sqlite_conn *c, const uint8_t *hash, int64_t *id, char *status,
		     size_t statussz, unsigned *consent)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c, "SELECT id, status, consent FROM reports WHERE case_hash = ?1",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, CASECODE_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, status, statussz);
		*consent = (unsigned)sqlite3_column_int(s, 2);
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

static int load_report(struct sqlite_conn *c, const uint8_t *hash, struct report *r)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(
		c,
		"SELECT id, status, fraud_type, channels, description, occurred_at, "
		"loss_cents, currency, payment_method, victim_type, age_band, "
		"municipality, contact_sealed, language, consent, created_at, "
		"updated_at, withdrawn_at FROM reports WHERE case_hash = ?1",
		&s);

	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, CASECODE_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	}
	memcpy(r->case_hash, hash, CASECODE_HASH_BYTES);
	r->id = sqlite3_column_int64(s, 0);
	copy_col(s, 1, r->status, sizeof(r->status));
	copy_col(s, 2, r->fraud_type, sizeof(r->fraud_type));
	copy_col(s, 3, r->channels, sizeof(r->channels));
	r->description = dup_col(s, 4);
	copy_col(s, 5, r->occurred_at, sizeof(r->occurred_at));
	r->has_loss = sqlite3_column_type(s, 6) != SQLITE_NULL;
	r->loss_cents = sqlite3_column_int64(s, 6);
	copy_col(s, 7, r->currency, sizeof(r->currency));
	copy_col(s, 8, r->payment_method, sizeof(r->payment_method));
	copy_col(s, 9, r->victim_type, sizeof(r->victim_type));
	copy_col(s, 10, r->age_band, sizeof(r->age_band));
	copy_col(s, 11, r->municipality, sizeof(r->municipality));
	if (sqlite3_column_type(s, 12) == SQLITE_BLOB) {
		int n = sqlite3_column_bytes(s, 12);

		r->contact_sealed = mem_alloc((size_t)n);
		if (r->contact_sealed) {
			memcpy(r->contact_sealed, sqlite3_column_blob(s, 12), (size_t)n);
			r->contact_sealed_len = (size_t)n;
		}
	}
	copy_col(s, 13, r->language, sizeof(r->language));
	r->consent = (unsigned)sqlite3_column_int(s, 14);
	copy_col(s, 15, r->created_at, sizeof(r->created_at));
	copy_col(s, 16, r->updated_at, sizeof(r->updated_at));
	copy_col(s, 17, r->withdrawn_at, sizeof(r->withdrawn_at));
	sqlite3_reset(s);
	return STORE_OK;
}

static int load_idents(struct sqlite_conn *c, struct report *r)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c,
				  "SELECT kind, role, pseudonym, sealed FROM report_identifiers "
				  "WHERE report_id = ?1 ORDER BY id",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, r->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && r->nidents < REPORT_IDENTS_MAX) {
		struct report_ident *id = &r->idents[r->nidents];
		const unsigned char *kind = sqlite3_column_text(s, 0);
		int n = sqlite3_column_bytes(s, 3);

		if (!kind || ident_kind_parse((const char *)kind, &id->kind) ||
		    sqlite3_column_bytes(s, 2) != PSEUDONYM_BYTES)
			continue;
		copy_col(s, 1, id->role, sizeof(id->role));
		memcpy(id->pseudonym, sqlite3_column_blob(s, 2), PSEUDONYM_BYTES);
		/* An empty seal: retention erased the raw value, and the pseudonym stays. */
		if (n > 0) {
			id->sealed = mem_alloc((size_t)n);
			if (!id->sealed) {
				sqlite3_reset(s);
				return STORE_ENOMEM;
			}
			memcpy(id->sealed, sqlite3_column_blob(s, 3), (size_t)n);
			id->sealed_len = (size_t)n;
		}
		r->nidents++;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

static int load_referrals(struct sqlite_conn *c, struct case_view *cv)
{
	sqlite3_stmt *s, *e;
	int rc = sqlite_conn_stmt(c,
				  "SELECT id, recipient, status, updated_at FROM referrals "
				  "WHERE report_id = ?1 ORDER BY id",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, cv->report.id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && cv->nreferrals < RECIPIENT_COUNT) {
		struct referral *ref = &cv->referrals[cv->nreferrals];
		const unsigned char *name = sqlite3_column_text(s, 1);
		int64_t id = sqlite3_column_int64(s, 0);
		int erc;

		if (!name || recipient_parse((const char *)name, &ref->recipient))
			continue;
		copy_col(s, 2, ref->status, sizeof(ref->status));
		copy_col(s, 3, ref->updated_at, sizeof(ref->updated_at));
		/* The newest events, oldest first. */
		erc = sqlite_conn_stmt(c,
				       "SELECT status, at FROM (SELECT id, status, at FROM "
				       "referral_events WHERE referral_id = ?1 ORDER BY id DESC "
				       "LIMIT ?2) ORDER BY id",
				       &e);
		if (erc) {
			sqlite3_reset(s);
			return erc;
		}
		sqlite3_bind_int64(e, 1, id);
		sqlite3_bind_int(e, 2, REFERRAL_EVENTS_MAX);
		while (sqlite3_step(e) == SQLITE_ROW && ref->nevents < REFERRAL_EVENTS_MAX) {
			copy_col(e, 0, ref->events[ref->nevents].status,
				 sizeof(ref->events[0].status));
			copy_col(e, 1, ref->events[ref->nevents].at, sizeof(ref->events[0].at));
			ref->nevents++;
		}
		sqlite3_reset(e);
		cv->nreferrals++;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

static int load_additions(struct sqlite_conn *c, struct case_view *cv)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc = sqlite_conn_stmt(c,
				  "SELECT created_at, description FROM report_additions "
				  "WHERE report_id = ?1 ORDER BY id",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, cv->report.id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cv->nadditions == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct addition *a = mem_realloc(cv->additions, ncap * sizeof(*a));

			if (!a) {
				sqlite3_reset(s);
				return STORE_ENOMEM;
			}
			cv->additions = a;
			cap = ncap;
		}
		copy_col(s, 0, cv->additions[cv->nadditions].at, sizeof(cv->additions[0].at));
		cv->additions[cv->nadditions].description = dup_col(s, 1);
		cv->nadditions++;
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_case_get(struct store *st, const uint8_t *hash, struct case_view *out)
{
	struct sqlite_conn *c;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	/* One read transaction, so that the parts agree with each other. */
	if (!rc)
		rc = tx(c, "BEGIN");
	if (rc)
		return rc;
	rc = load_report(c, hash, &out->report);
	if (!rc)
		rc = load_idents(c, &out->report);
	if (!rc)
		rc = load_referrals(c, out);
	if (!rc)
		rc = load_additions(c, out);
	tx(c, "COMMIT");
	return rc;
}

int sqlite_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		    const struct report_ident *idents, size_t nidents)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
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
		rc = sqlite_conn_stmt(c,
				      "INSERT INTO report_additions (report_id, description, "
				      "created_at) VALUES (?1, ?2, ?3)",
				      &s);
		if (!rc) {
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_text(s, 2, description, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
			rc = sqlite_step_done(s);
		}
	}
	if (!rc)
		rc = idents_insert(c, id, idents, nidents, now);
	if (!rc && sqlite_conn_stmt(c, "UPDATE reports SET updated_at = ?2 WHERE id = ?1", &s) ==
			   STORE_OK) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	return finish(st, c, rc);
}

static int referral_status(struct sqlite_conn *c, int64_t report, const char *recipient,
			   char *status, size_t statussz)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(
		c, "SELECT status FROM referrals WHERE report_id = ?1 AND recipient = ?2", &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		copy_col(s, 0, status, statussz);
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
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
static int referral_outbox_follow(struct sqlite_conn *c, int64_t report, const char *recipient,
				  int retract, const char *now)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(
		c,
		"UPDATE outbox SET dead_at = ?3, last_error = 'cancelled by the "
		"victim' WHERE event = 'referral' AND delivered_at IS NULL AND "
		"dead_at IS NULL AND referral_id = (SELECT id FROM referrals WHERE "
		"report_id = ?1 AND recipient = ?2)",
		&s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	rc = sqlite_step_done(s);
	if (rc || !retract)
		return rc;
	rc = sqlite_conn_stmt(
		c,
		"INSERT INTO outbox (partner_id, event, raw, payload, created_at, "
		"next_attempt_at, referral_id) SELECT partner_id, 'retraction', 0, "
		"'{\"type\":\"retraction\",\"reason\":\"consent_withdrawn\"}', ?3, ?3, "
		"id FROM referrals WHERE report_id = ?1 AND recipient = ?2 AND "
		"partner_id IS NOT NULL",
		&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

/*
 * Moves each referral to what `consent` says: granted and absent or ended:
 * pending; withdrawn while pending: cancelled (nothing was sent); withdrawn
 * after it reached the recipient: retracted (the recipient is told).
 */
static int referrals_follow(struct sqlite_conn *c, int64_t report, unsigned consent,
			    const char *now)
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

int sqlite_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	char status[16];
	unsigned old;
	int64_t id;
	int rc = begin(st, &c);

	if (rc)
		return rc;
	rc = case_find(c, hash, &id, status, sizeof(status), &old);
	if (!rc && strcmp(status, "open") != 0)
		rc = STORE_ECONFLICT;
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "UPDATE reports SET consent = ?2, updated_at = ?3 "
				      "WHERE id = ?1",
				      &s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int(s, 2, (int)consent);
		sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	if (!rc)
		rc = referrals_follow(c, id, consent, now);
	return finish(st, c, rc);
}

static int withdraw_sources(struct store *st, struct sqlite_conn *c, int64_t report,
			    const char *now);

int sqlite_case_withdraw(struct store *st, const uint8_t *hash, const char *now)
{
	static const char *const erase[] = {
		"DELETE FROM report_identifiers WHERE report_id = ?1",
		"DELETE FROM report_additions WHERE report_id = ?1",
	};
	struct sqlite_conn *c;
	sqlite3_stmt *s;
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
	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"UPDATE reports SET status = 'withdrawn', description = NULL, "
			"contact_sealed = NULL, consent = 0, withdrawn_at = ?2, "
			"updated_at = ?2 WHERE id = ?1",
			&s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	if (!rc)
		rc = withdraw_sources(st, c, id, now);
	for (size_t i = 0; i < sizeof(erase) / sizeof(erase[0]) && !rc; i++) {
		rc = sqlite_conn_stmt(c, erase[i], &s);
		if (!rc) {
			sqlite3_bind_int64(s, 1, id);
			rc = sqlite_step_done(s);
		}
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
static int withdraw_sources(struct store *st, struct sqlite_conn *c, int64_t report,
			    const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct withdrawn_ident ids[REPORT_IDENTS_MAX];
	char reporter[80] = "";
	sqlite3_stmt *s;
	size_t n = 0;
	int rc =
		sqlite_conn_stmt(c, "SELECT coalesce(reporter, '') FROM reports WHERE id = ?1", &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(reporter, sizeof(reporter), "%s", sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	rc = sqlite_conn_stmt(c,
			      "SELECT DISTINCT pseudonym, kind FROM report_identifiers WHERE "
			      "report_id = ?1",
			      &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	while (n < REPORT_IDENTS_MAX && sqlite3_step(s) == SQLITE_ROW) {
		enum ident_kind kind;

		if (sqlite3_column_bytes(s, 0) != PSEUDONYM_BYTES ||
		    ident_kind_parse((const char *)sqlite3_column_text(s, 1), &kind))
			continue;
		ids[n].kind = (int)kind;
		memcpy(ids[n].pseudonym, sqlite3_column_blob(s, 0), PSEUDONYM_BYTES);
		n++;
	}
	sqlite3_reset(s);
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		rc = sqlite_conn_stmt(
			c,
			"DELETE FROM identifier_sources WHERE pseudonym = ?1 AND source = "
			"?2 AND NOT EXISTS (SELECT 1 FROM report_identifiers ri JOIN "
			"reports r ON r.id = ri.report_id WHERE ri.pseudonym = ?1 AND "
			"r.reporter = ?2 AND r.id != ?3 AND r.status = 'open')",
			&s);
		if (rc)
			break;
		sqlite3_bind_blob(s, 1, ids[i].pseudonym, PSEUDONYM_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, reporter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, report);
		rc = sqlite_step_done(s);
	}
	if (rc == STORE_OK && n && ss->withdraw_hook)
		rc = ss->withdraw_hook(ss->withdraw_hook_arg, ids, n, now);
	return rc;
}
