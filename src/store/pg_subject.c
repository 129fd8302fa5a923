/*
 * pg_subject.c - requests of data subjects (subject.h) in the PostgreSQL
 * backend; the counterpart of sqlite_subject.c.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"
#include "subject.h"
#include "util/mem.h"

#define PSEUD SUBJECT_PSEUDONYM_BYTES

/* Decodes a bytea column into out when it holds exactly n bytes (n <= 64); else leaves out. */
static void bytes_exact(const PGresult *r, int row, int col, uint8_t *out, size_t n)
{
	uint8_t tmp[64];
	size_t len;

	if (n > sizeof(tmp) || pg_isnull(r, row, col) ||
	    (size_t)PQgetlength(r, row, col) != 2 + 2 * n)
		return;
	if (pg_bytes(r, row, col, tmp, n, &len) == STORE_OK && len == n)
		memcpy(out, tmp, n);
}

static char *col_dup(const PGresult *r, int row, int col, int *oom)
{
	char *d;

	if (pg_isnull(r, row, col))
		return NULL;
	d = pg_dup(r, row, col);
	if (!d)
		*oom = 1;
	return d;
}

#define COLUMNS                                                                          \
	"id, code_hash, type, kind, pseudonym, sealed, language, status, prior_status, " \
	"answer, decision_reason, created_at, updated_at"

/* Row i of COLUMNS into out; an error leaves nothing to release. */
static int row(const PGresult *r, int i, struct subject_request *out)
{
	int oom = 0, bad = 0;

	memset(out, 0, sizeof(*out));
	out->id = pg_int(r, i, 0);
	bytes_exact(r, i, 1, out->code_hash, SUBJECT_CODE_HASH_BYTES);
	pg_text(r, i, 2, out->type, sizeof(out->type));
	pg_text(r, i, 3, out->kind, sizeof(out->kind));
	bytes_exact(r, i, 4, out->pseudonym, PSEUD);
	if (!pg_isnull(r, i, 5) && PQgetlength(r, i, 5) > 2) {
		size_t cap = ((size_t)PQgetlength(r, i, 5) - 2) / 2, len = 0;

		out->sealed = mem_alloc(cap);
		if (!out->sealed)
			oom = 1;
		else if (pg_bytes(r, i, 5, out->sealed, cap, &len) != STORE_OK)
			bad = 1;
		else
			out->sealed_len = len;
	}
	pg_text(r, i, 6, out->language, sizeof(out->language));
	pg_text(r, i, 7, out->status, sizeof(out->status));
	pg_text(r, i, 8, out->prior_status, sizeof(out->prior_status));
	out->answer = col_dup(r, i, 9, &oom);
	out->decision_reason = col_dup(r, i, 10, &oom);
	pg_text(r, i, 11, out->created_at, sizeof(out->created_at));
	pg_text(r, i, 12, out->updated_at, sizeof(out->updated_at));
	if (oom || bad) {
		subject_request_release(out);
		return oom ? STORE_ENOMEM : STORE_EIO;
	}
	return STORE_OK;
}

/*
 * Queues `notice` as `event` to every partner that got an alert about the
 * identifier, by pseudonym only (raw 0): nothing is opened for a notice.
 */
static int notify(struct pg_conn *c, const uint8_t *pseudonym, const char *event,
		  const char *notice, const char *now, int *notified)
{
	struct pg_params p;
	int64_t added = 0;
	int rc;

	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, PSEUD);
	pg_param_text(&p, event);
	pg_param_text(&p, notice);
	pg_param_text(&p, now);
	rc = pg_exec(c,
		     "INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
		     "created_at, next_attempt_at) SELECT DISTINCT partner_id, $2::text, "
		     "pseudonym, 0, $3::text, $4::text, $4::text FROM outbox WHERE pseudonym = $1 "
		     "AND event = 'alert' ORDER BY partner_id",
		     &p, &added);
	if (!rc)
		*notified = (int)added;
	return rc;
}

/* The identifier's status into out ("" when it is not registered). */
static int identifier_status(struct pg_conn *c, const uint8_t *pseudonym, char *out, size_t outsz)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	out[0] = '\0';
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, PSEUD);
	rc = pg_query(c, "SELECT status FROM identifiers WHERE pseudonym = $1", &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		pg_text(res, 0, 0, out, outsz);
	PQclear(res);
	return STORE_OK;
}

static int set_status(struct pg_conn *c, const uint8_t *pseudonym, const char *status,
		      const char *only_from, int *changed)
{
	struct pg_params p;
	int64_t n = 0;
	int rc;

	*changed = 0;
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, PSEUD);
	pg_param_text(&p, status);
	pg_param_text(&p, only_from);
	rc = pg_exec(c,
		     "UPDATE identifiers SET status = $2 WHERE pseudonym = $1 AND "
		     "status != $2 AND ($3::text IS NULL OR status = $3::text)",
		     &p, &n);
	if (!rc)
		*changed = n > 0;
	return rc;
}

int pg_subject_request_add(struct store *st, struct subject_request *r, const char *notice,
			   int *notified)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	char status[16];
	int changed = 0, rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	r->prior_status[0] = '\0';
	if (strcmp(r->type, "objection") == 0) {
		rc = identifier_status(c, r->pseudonym, status, sizeof(status));
		if (!rc && (strcmp(status, "reported") == 0 || strcmp(status, "confirmed") == 0)) {
			snprintf(r->prior_status, sizeof(r->prior_status), "%s", status);
			rc = set_status(c, r->pseudonym, "disputed", NULL, &changed);
		} else if (!rc && strcmp(status, "disputed") == 0) {
			/* Disputed by an objection still open: a rejection gives back the same. */
			pg_params_init(&p);
			pg_param_bytes(&p, r->pseudonym, PSEUD);
			rc = pg_query(c,
				      "SELECT prior_status FROM subject_requests WHERE pseudonym = "
				      "$1 AND type = 'objection' AND status = 'received' AND "
				      "prior_status IS NOT NULL ORDER BY id LIMIT 1",
				      &p, &res);
			if (!rc) {
				if (PQntuples(res) > 0)
					pg_text(res, 0, 0, r->prior_status,
						sizeof(r->prior_status));
				PQclear(res);
			}
		}
	}
	if (!rc) {
		pg_params_init(&p);
		pg_param_bytes(&p, r->code_hash, SUBJECT_CODE_HASH_BYTES);
		pg_param_text(&p, r->type);
		pg_param_text(&p, r->kind);
		pg_param_bytes(&p, r->pseudonym, PSEUD);
		pg_param_bytes(&p, r->sealed, r->sealed_len);
		pg_param_text(&p, r->language);
		pg_param_opt(&p, r->prior_status);
		pg_param_text(&p, r->created_at);
		/* A constraint (a code hash taken, a bad type) gives STORE_EEXISTS (pg_err). */
		rc = pg_query(c,
			      "INSERT INTO subject_requests (code_hash, type, kind, "
			      "pseudonym, sealed, language, prior_status, created_at, "
			      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) "
			      "RETURNING id",
			      &p, &res);
		if (!rc) {
			r->id = pg_int(res, 0, 0);
			PQclear(res);
		}
	}
	snprintf(r->status, sizeof(r->status), "received");
	snprintf(r->updated_at, sizeof(r->updated_at), "%s", r->created_at);
	if (!rc && changed && notice)
		rc = notify(c, r->pseudonym, "retraction", notice, r->created_at, notified);
	if (rc)
		*notified = 0;
	return pg_write_end(s, c, rc);
}

int pg_subject_request_get(struct store *st, int64_t id, const uint8_t *hash,
			   struct subject_request *out)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	if (hash) {
		pg_param_bytes(&p, hash, SUBJECT_CODE_HASH_BYTES);
		rc = pg_query(c, "SELECT " COLUMNS " FROM subject_requests WHERE code_hash = $1",
			      &p, &res);
	} else {
		pg_param_int(&p, id);
		rc = pg_query(c, "SELECT " COLUMNS " FROM subject_requests WHERE id = $1", &p,
			      &res);
	}
	if (rc)
		return rc;
	rc = PQntuples(res) > 0 ? row(res, 0, out) : STORE_ENOTFOUND;
	PQclear(res);
	return rc;
}

int pg_subject_request_list(struct store *st, const char *status, struct subject_request **out,
			    size_t *n)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	size_t cap = 0;
	int rc = pg_conn_of(st, &c), rows;

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, status);
	rc = pg_query(c,
		      "SELECT " COLUMNS " FROM subject_requests WHERE $1::text IS NULL OR "
		      "status = $1::text ORDER BY id",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
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
		if ((rc = row(res, i, &(*out)[*n])) != STORE_OK)
			break;
		(*n)++;
	}
	PQclear(res);
	if (rc) {
		subject_requests_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* The type, status, pseudonym and prior status of request `id`, inside a transaction. */
static int find(struct pg_conn *c, int64_t id, char *type, char *status, uint8_t *pseudonym,
		char *prior)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	pg_params_init(&p);
	pg_param_int(&p, id);
	rc = pg_query(c,
		      "SELECT type, status, pseudonym, coalesce(prior_status, '') FROM "
		      "subject_requests WHERE id = $1",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0) {
		pg_text(res, 0, 0, type, 16);
		pg_text(res, 0, 1, status, 16);
		bytes_exact(res, 0, 2, pseudonym, PSEUD);
		pg_text(res, 0, 3, prior, 16);
	} else {
		rc = STORE_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

int pg_subject_request_answer(struct store *st, int64_t id, const char *answer, const char *now)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	uint8_t pseudonym[PSEUD];
	char type[16], status[16], prior[16];
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	rc = find(c, id, type, status, pseudonym, prior);
	if (!rc && strcmp(type, "access") != 0)
		rc = STORE_ECONFLICT;
	if (!rc) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_text(&p, answer);
		pg_param_text(&p, now);
		rc = pg_exec(c,
			     "UPDATE subject_requests SET status = 'answered', answer = $2, "
			     "updated_at = $3 WHERE id = $1",
			     &p, NULL);
	}
	return pg_write_end(s, c, rc);
}

int pg_subject_request_decide(struct store *st, int64_t id, const char *decision,
			      const char *reason, const char *notice, const char *now,
			      int *notified)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	uint8_t pseudonym[PSEUD];
	char type[16], status[16], prior[16];
	int upheld = strcmp(decision, "upheld") == 0, changed = 0, others = 0;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	rc = find(c, id, type, status, pseudonym, prior);
	if (!rc && (strcmp(type, "objection") != 0 || strcmp(status, "received") != 0))
		rc = STORE_ECONFLICT;
	if (!rc) {
		pg_params_init(&p);
		pg_param_int(&p, id);
		pg_param_text(&p, decision);
		pg_param_text(&p, reason);
		pg_param_text(&p, now);
		rc = pg_exec(c,
			     "UPDATE subject_requests SET status = $2, decision_reason = $3, "
			     "updated_at = $4 WHERE id = $1",
			     &p, NULL);
	}
	if (!rc && upheld) {
		rc = set_status(c, pseudonym, "cleared", NULL, &changed);
	} else if (!rc && prior[0]) {
		/* Another objection still open keeps the identifier disputed. */
		pg_params_init(&p);
		pg_param_bytes(&p, pseudonym, PSEUD);
		rc = pg_query(c,
			      "SELECT count(*) FROM subject_requests WHERE pseudonym = $1 "
			      "AND type = 'objection' AND status = 'received'",
			      &p, &res);
		if (!rc) {
			others = (int)pg_int(res, 0, 0);
			PQclear(res);
		}
		if (!rc && others == 0)
			rc = set_status(c, pseudonym, prior, "disputed", &changed);
	}
	if (!rc && changed && notice)
		rc = notify(c, pseudonym, upheld ? "retraction" : "alert", notice, now, notified);
	if (rc)
		*notified = 0;
	return pg_write_end(s, c, rc);
}
