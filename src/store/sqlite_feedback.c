/* sqlite_feedback.c - signals as partners see them, and their feedback. */
#include <stdio.h>
#include <string.h>

#include "feedback.h"
#include "store/sqlite_int.h"
#include "util/mem.h"

static void col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", v ? (const char *)v : "");
}

int sqlite_signal_get(struct store *st, int64_t id, struct signal_view *out)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT s.id, s.partner_id, p.name, s.kind, s.pseudonym, "
			"s.fraud_type, s.confidence, s.tlp, s.created_at, "
			"coalesce(i.status, 'reported') FROM signals s JOIN partners p ON "
			"p.id = s.partner_id LEFT JOIN identifiers i ON i.pseudonym = "
			"s.pseudonym WHERE s.id = ?1",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(s, 0);
		out->partner = sqlite3_column_int64(s, 1);
		col(s, 2, out->partner_name, sizeof(out->partner_name));
		col(s, 3, out->kind, sizeof(out->kind));
		if (sqlite3_column_bytes(s, 4) == FEEDBACK_PSEUDONYM_BYTES)
			memcpy(out->pseudonym, sqlite3_column_blob(s, 4), FEEDBACK_PSEUDONYM_BYTES);
		col(s, 5, out->fraud_type, sizeof(out->fraud_type));
		out->confidence = sqlite3_column_int(s, 6);
		col(s, 7, out->tlp, sizeof(out->tlp));
		col(s, 8, out->created_at, sizeof(out->created_at));
		col(s, 9, out->status, sizeof(out->status));
	}
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_signal_recipient(struct store *st, const uint8_t *pseudonym, int64_t partner, int *yes)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT count(*) FROM outbox WHERE pseudonym = ?1 AND "
				      "partner_id = ?2 AND event = 'alert'",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, FEEDBACK_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, partner);
	rc = sqlite3_step(s);
	*yes = rc == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
	rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_feedback_add(struct store *st, const struct feedback *f, const uint8_t *pseudonym,
			const char *new_status, const char *retraction)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "INSERT INTO signal_feedback (signal_id, partner_id, outcome, "
			      "mitigation, note, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			      &s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, f->signal);
		sqlite3_bind_int64(s, 2, f->partner);
		sqlite3_bind_text(s, 3, f->outcome, -1, SQLITE_STATIC);
		if (f->mitigation[0])
			sqlite3_bind_text(s, 4, f->mitigation, -1, SQLITE_STATIC);
		if (f->note)
			sqlite3_bind_text(s, 5, f->note, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, f->created_at, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
	}
	/* A status once cleared is not raised again by feedback. */
	if (!rc && new_status &&
	    !(rc = sqlite_conn_stmt(c,
				    "UPDATE identifiers SET status = ?2 WHERE pseudonym = ?1 AND "
				    "status != 'cleared'",
				    &s))) {
		sqlite3_bind_blob(s, 1, pseudonym, FEEDBACK_PSEUDONYM_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, new_status, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
	}
	/* A retraction to everyone who was alerted about this identifier. */
	if (!rc && retraction &&
	    !(rc = sqlite_conn_stmt(
		      c,
		      "INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
		      "created_at, next_attempt_at) SELECT DISTINCT partner_id, "
		      "'retraction', pseudonym, 0, ?2, ?3, ?3 FROM outbox WHERE "
		      "pseudonym = ?1 AND event = 'alert'",
		      &s))) {
		sqlite3_bind_blob(s, 1, pseudonym, FEEDBACK_PSEUDONYM_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, retraction, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, f->created_at, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_feedback_list(struct store *st, int64_t signal, struct feedback **out, size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	*out = NULL;
	*n = 0;
	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT f.partner_id, p.name, f.outcome, coalesce(f.mitigation, "
			"''), f.note, f.created_at FROM signal_feedback f JOIN partners p "
			"ON p.id = f.partner_id WHERE f.signal_id = ?1 ORDER BY f.id",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, signal);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct feedback *f;

		if (*n == cap) {
			f = mem_realloc(*out, (cap ? cap * 2 : 8) * sizeof(*f));
			if (!f) {
				sqlite3_reset(s);
				return STORE_ENOMEM;
			}
			*out = f;
			cap = cap ? cap * 2 : 8;
		}
		f = &(*out)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->signal = signal;
		f->partner = sqlite3_column_int64(s, 0);
		col(s, 1, f->partner_name, sizeof(f->partner_name));
		col(s, 2, f->outcome, sizeof(f->outcome));
		col(s, 3, f->mitigation, sizeof(f->mitigation));
		f->note = sqlite3_column_text(s, 4)
				  ? mem_strdup((const char *)sqlite3_column_text(s, 4))
				  : NULL;
		col(s, 5, f->created_at, sizeof(f->created_at));
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}
