/* sqlite_subject.c - requests of data subjects (subject.h). */
#include <stdio.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "subject.h"
#include "util/mem.h"

#define PSEUD SUBJECT_PSEUDONYM_BYTES

static void col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", v ? (const char *)v : "");
}

static char *col_dup(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	char *d;

	if (!v)
		return NULL;
	d = mem_strdup((const char *)v);
	if (!d)
		*oom = 1;
	return d;
}

#define COLUMNS                                                                          \
	"id, code_hash, type, kind, pseudonym, sealed, language, status, prior_status, " \
	"answer, decision_reason, created_at, updated_at"

/* One row of COLUMNS into out; STORE_ENOMEM leaves nothing to release. */
static int row(sqlite3_stmt *s, struct subject_request *out)
{
	int oom = 0, n;

	memset(out, 0, sizeof(*out));
	out->id = sqlite3_column_int64(s, 0);
	if (sqlite3_column_bytes(s, 1) == SUBJECT_CODE_HASH_BYTES)
		memcpy(out->code_hash, sqlite3_column_blob(s, 1), SUBJECT_CODE_HASH_BYTES);
	col(s, 2, out->type, sizeof(out->type));
	col(s, 3, out->kind, sizeof(out->kind));
	if (sqlite3_column_bytes(s, 4) == PSEUD)
		memcpy(out->pseudonym, sqlite3_column_blob(s, 4), PSEUD);
	n = sqlite3_column_bytes(s, 5);
	if (n > 0) {
		out->sealed = mem_alloc((size_t)n);
		if (out->sealed) {
			memcpy(out->sealed, sqlite3_column_blob(s, 5), (size_t)n);
			out->sealed_len = (size_t)n;
		} else {
			oom = 1;
		}
	}
	col(s, 6, out->language, sizeof(out->language));
	col(s, 7, out->status, sizeof(out->status));
	col(s, 8, out->prior_status, sizeof(out->prior_status));
	out->answer = col_dup(s, 9, &oom);
	out->decision_reason = col_dup(s, 10, &oom);
	col(s, 11, out->created_at, sizeof(out->created_at));
	col(s, 12, out->updated_at, sizeof(out->updated_at));
	if (oom) {
		subject_request_release(out);
		return STORE_ENOMEM;
	}
	return STORE_OK;
}

/* Runs a statement to its end; STORE_OK or the error. */
/*
 * Queues `notice` as `event` to every partner that got an alert about the
 * identifier, by pseudonym only (raw 0): nothing is opened for a notice.
 */
static int notify(struct sqlite_conn *c, const uint8_t *pseudonym, const char *event,
		  const char *notice, const char *now, int *notified)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c,
				  "INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
				  "created_at, next_attempt_at) SELECT DISTINCT partner_id, ?2, "
				  "pseudonym, 0, ?3, ?4, ?4 FROM outbox WHERE pseudonym = ?1 AND "
				  "event = 'alert' ORDER BY partner_id",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, PSEUD, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, notice, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	rc = sqlite_step_done(s);
	if (!rc)
		*notified = sqlite3_changes(c->db);
	return rc;
}

/* The identifier's status into out ("" when it is not registered). */
static int identifier_status(struct sqlite_conn *c, const uint8_t *pseudonym, char *out,
			     size_t outsz)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c, "SELECT status FROM identifiers WHERE pseudonym = ?1", &s);

	out[0] = '\0';
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, PSEUD, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		col(s, 0, out, outsz);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

static int set_status(struct sqlite_conn *c, const uint8_t *pseudonym, const char *status,
		      const char *only_from, int *changed)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c,
				  "UPDATE identifiers SET status = ?2 WHERE pseudonym = ?1 AND "
				  "status != ?2 AND (?3 IS NULL OR status = ?3)",
				  &s);

	*changed = 0;
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, PSEUD, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
	if (only_from)
		sqlite3_bind_text(s, 3, only_from, -1, SQLITE_STATIC);
	rc = sqlite_step_done(s);
	if (!rc)
		*changed = sqlite3_changes(c->db) > 0;
	return rc;
}

int sqlite_subject_request_add(struct store *st, struct subject_request *r, const char *notice,
			       int *notified)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	char status[16];
	int changed = 0, rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	r->prior_status[0] = '\0';
	if (strcmp(r->type, "objection") == 0) {
		rc = identifier_status(c, r->pseudonym, status, sizeof(status));
		if (!rc && (strcmp(status, "reported") == 0 || strcmp(status, "confirmed") == 0)) {
			snprintf(r->prior_status, sizeof(r->prior_status), "%s", status);
			rc = set_status(c, r->pseudonym, "disputed", NULL, &changed);
		} else if (!rc && strcmp(status, "disputed") == 0 &&
			   !(rc = sqlite_conn_stmt(
				     c,
				     "SELECT prior_status FROM subject_requests WHERE pseudonym = "
				     "?1 AND type = 'objection' AND status = 'received' AND "
				     "prior_status IS NOT NULL ORDER BY id LIMIT 1",
				     &s))) {
			/* Disputed by an objection still open: a rejection gives back the same. */
			sqlite3_bind_blob(s, 1, r->pseudonym, PSEUD, SQLITE_STATIC);
			rc = sqlite3_step(s);
			if (rc == SQLITE_ROW)
				col(s, 0, r->prior_status, sizeof(r->prior_status));
			rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
			sqlite3_reset(s);
		}
	}
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "INSERT INTO subject_requests (code_hash, type, kind, "
				      "pseudonym, sealed, language, prior_status, created_at, "
				      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
				      &s);
	if (!rc) {
		sqlite3_bind_blob(s, 1, r->code_hash, SUBJECT_CODE_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->type, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, r->kind, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 4, r->pseudonym, PSEUD, SQLITE_STATIC);
		sqlite3_bind_blob(s, 5, r->sealed, (int)r->sealed_len, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, r->language, -1, SQLITE_STATIC);
		if (r->prior_status[0])
			sqlite3_bind_text(s, 7, r->prior_status, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, r->created_at, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		rc = rc == SQLITE_DONE	       ? STORE_OK
		     : rc == SQLITE_CONSTRAINT ? STORE_EEXISTS
					       : sqlite_err(rc);
		sqlite3_reset(s);
		if (!rc)
			r->id = sqlite3_last_insert_rowid(c->db);
	}
	snprintf(r->status, sizeof(r->status), "received");
	snprintf(r->updated_at, sizeof(r->updated_at), "%s", r->created_at);
	if (!rc && changed && notice)
		rc = notify(c, r->pseudonym, "retraction", notice, r->created_at, notified);
	if (rc)
		*notified = 0;
	return sqlite_write_end(ss, c, rc);
}

int sqlite_subject_request_get(struct store *st, int64_t id, const uint8_t *hash,
			       struct subject_request *out)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = hash ? sqlite_conn_stmt(c,
					     "SELECT " COLUMNS
					     " FROM subject_requests WHERE code_hash = ?1",
					     &s)
			  : sqlite_conn_stmt(
				    c, "SELECT " COLUMNS " FROM subject_requests WHERE id = ?1",
				    &s);
	if (rc)
		return rc;
	if (hash)
		sqlite3_bind_blob(s, 1, hash, SUBJECT_CODE_HASH_BYTES, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		rc = row(s, out);
	else
		rc = rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_subject_request_list(struct store *st, const char *status, struct subject_request **out,
				size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT " COLUMNS
				      " FROM subject_requests WHERE ?1 IS NULL OR "
				      "status = ?1 ORDER BY id",
				      &s);
	if (rc)
		return rc;
	if (status)
		sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			struct subject_request *more =
				mem_realloc(*out, (cap ? cap * 2 : 16) * sizeof(**out));

			if (!more) {
				rc = STORE_ENOMEM;
				break;
			}
			*out = more;
			cap = cap ? cap * 2 : 16;
		}
		if ((rc = row(s, &(*out)[*n])) != STORE_OK)
			break;
		(*n)++;
	}
	rc = rc == SQLITE_DONE ? STORE_OK : rc == STORE_ENOMEM ? rc : sqlite_err(rc);
	sqlite3_reset(s);
	if (rc) {
		subject_requests_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* The type, status, pseudonym and prior status of request `id`, inside a transaction. */
static int find(struct sqlite_conn *c, int64_t id, char *type, char *status, uint8_t *pseudonym,
		char *prior)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c,
				  "SELECT type, status, pseudonym, coalesce(prior_status, '') FROM "
				  "subject_requests WHERE id = ?1",
				  &s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		col(s, 0, type, 16);
		col(s, 1, status, 16);
		if (sqlite3_column_bytes(s, 2) == PSEUD)
			memcpy(pseudonym, sqlite3_column_blob(s, 2), PSEUD);
		col(s, 3, prior, 16);
	}
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_subject_request_answer(struct store *st, int64_t id, const char *answer, const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	uint8_t pseudonym[PSEUD];
	char type[16], status[16], prior[16];
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = find(c, id, type, status, pseudonym, prior);
	if (!rc && strcmp(type, "access") != 0)
		rc = STORE_ECONFLICT;
	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"UPDATE subject_requests SET status = 'answered', answer = ?2, "
			"updated_at = ?3 WHERE id = ?1",
			&s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, answer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_subject_request_decide(struct store *st, int64_t id, const char *decision,
				  const char *reason, const char *notice, const char *now,
				  int *notified)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	uint8_t pseudonym[PSEUD];
	char type[16], status[16], prior[16];
	int upheld = strcmp(decision, "upheld") == 0, changed = 0, others = 0;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = find(c, id, type, status, pseudonym, prior);
	if (!rc && (strcmp(type, "objection") != 0 || strcmp(status, "received") != 0))
		rc = STORE_ECONFLICT;
	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"UPDATE subject_requests SET status = ?2, decision_reason = ?3, "
			"updated_at = ?4 WHERE id = ?1",
			&s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, decision, -1, SQLITE_STATIC);
		if (reason)
			sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	if (!rc && upheld) {
		rc = set_status(c, pseudonym, "cleared", NULL, &changed);
	} else if (!rc && prior[0]) {
		/* Another objection still open keeps the identifier disputed. */
		rc = sqlite_conn_stmt(c,
				      "SELECT count(*) FROM subject_requests WHERE pseudonym = ?1 "
				      "AND type = 'objection' AND status = 'received'",
				      &s);
		if (!rc) {
			sqlite3_bind_blob(s, 1, pseudonym, PSEUD, SQLITE_STATIC);
			rc = sqlite3_step(s);
			others = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
			rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
			sqlite3_reset(s);
		}
		if (!rc && others == 0)
			rc = set_status(c, pseudonym, prior, "disputed", &changed);
	}
	if (!rc && changed && notice)
		rc = notify(c, pseudonym, upheld ? "retraction" : "alert", notice, now, notified);
	if (rc)
		*notified = 0;
	return sqlite_write_end(ss, c, rc);
}
