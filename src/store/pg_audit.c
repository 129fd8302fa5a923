/*
 * pg_audit.c - the audit log's tables in the PostgreSQL backend: entries
 * with their leaf hashes, the commitments each entry names (pending beside
 * the entry, then in their index), and the signed checkpoints.  audit_entries.idx and audit_checkpoints.size are plain
 * keys the program gives (the next position, the tree's size), not identities.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"

/*
 * An entry's subjects as one row, its commitments end to end: the answer
 * that discloses waits for this append only.  pg_audit_index_subjects()
 * cuts them apart into audit_subjects later, many entries at a time.
 */
_Static_assert(STORE_AUDIT_COMMIT_BYTES == 16, "the SQL below cuts 16-byte commitments");

static int subjects_insert(struct pg_conn *c, const struct audit_record *r, int64_t idx)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_int(&p, idx);
	pg_param_bytes(&p, r->subjects, r->nsubjects * STORE_AUDIT_COMMIT_BYTES);
	return pg_exec(c, "INSERT INTO audit_subjects_pending (idx, commitments) VALUES ($1, $2)",
		       &p, NULL);
}

int pg_audit_append(struct store *st, const struct audit_record *r, size_t n, int64_t *first)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int64_t idx = 0;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	/* Positions follow on from the last, under the write lock: no gaps, no reuse. */
	rc = pg_query(c, "SELECT coalesce(max(idx) + 1, 0) FROM audit_entries", NULL, &res);
	if (!rc) {
		rc = PQntuples(res) == 1 ? STORE_OK : STORE_EIO;
		if (!rc)
			idx = pg_int(res, 0, 0);
		PQclear(res);
	}
	*first = idx;
	for (size_t i = 0; i < n && rc == STORE_OK; i++, idx++) {
		pg_params_init(&p);
		pg_param_int(&p, idx);
		pg_param_text(&p, r[i].entry);
		pg_param_bytes(&p, r[i].leaf, 32);
		rc = pg_exec(c, "INSERT INTO audit_entries (idx, entry, leaf) VALUES ($1, $2, $3)",
			     &p, NULL);
		if (rc == STORE_OK && r[i].nsubjects)
			rc = subjects_insert(c, &r[i], idx);
	}
	return pg_write_end(s, c, rc);
}

/*
 * The pending subjects of the oldest entries into audit_subjects, whole
 * entries until `max` subjects or more, in key order, in one statement: the
 * move is atomic.  Rows another node moves at the same time are waited for
 * and then skipped, being gone.
 */
int pg_audit_index_subjects(struct store *st, size_t max, size_t *entries, size_t *subjects)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, (int64_t)max);
	rc = pg_query(c,
		      "WITH pick AS (SELECT idx FROM (SELECT idx, sum(octet_length(commitments) / "
		      "16) OVER (ORDER BY idx) - octet_length(commitments) / 16 AS before FROM "
		      "audit_subjects_pending) t WHERE before < $1), moved AS (DELETE FROM "
		      "audit_subjects_pending p USING pick WHERE p.idx = pick.idx RETURNING p.idx, "
		      "p.commitments), ins AS (INSERT INTO audit_subjects (commitment, idx) SELECT "
		      "substring(m.commitments FROM i * 16 + 1 FOR 16), m.idx FROM moved m, "
		      "generate_series(0, octet_length(m.commitments) / 16 - 1) AS i ORDER BY 1, 2 "
		      "ON CONFLICT DO NOTHING) SELECT count(*), "
		      "coalesce(sum(octet_length(commitments) / 16), 0) FROM moved",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 1) {
		*entries = (size_t)pg_int(res, 0, 0);
		*subjects = (size_t)pg_int(res, 0, 1);
	} else {
		rc = STORE_EIO;
	}
	PQclear(res);
	return rc;
}

int pg_audit_leaves(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32], size_t *n)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	*n = 0;
	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, from);
	/* SQLite took a max beyond int64 as -1, no limit; PostgreSQL refuses a negative one. */
	pg_param_int(&p, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
	rc = pg_query(c,
		      "SELECT idx, leaf FROM audit_entries WHERE idx >= $1 ORDER BY idx LIMIT $2",
		      &p, &res);
	if (rc)
		return rc;
	for (int row = 0; row < PQntuples(res); row++) {
		uint8_t leaf[32];
		size_t len;

		/* A gap (a deleted row) ends the run: the tree cannot skip a leaf. */
		if (pg_int(res, row, 0) != from + (int64_t)*n ||
		    pg_bytes(res, row, 1, leaf, sizeof(leaf), &len) != STORE_OK || len != 32)
			break;
		memcpy(leaves[*n], leaf, 32);
		++*n;
	}
	PQclear(res);
	return STORE_OK;
}

/* Calls `each` for every row of (idx, entry, leaf), until it returns non-zero; clears res. */
static int each_entry(PGresult *res, store_audit_fn each, void *arg)
{
	for (int row = 0; row < PQntuples(res); row++) {
		uint8_t leaf[32];
		size_t len;
		int got = pg_bytes(res, row, 2, leaf, sizeof(leaf), &len) == STORE_OK && len == 32;
		int stop =
			each(arg, pg_int(res, row, 0), PQgetvalue(res, row, 1), got ? leaf : NULL);

		if (stop) {
			PQclear(res);
			return stop;
		}
	}
	PQclear(res);
	return STORE_OK;
}

int pg_audit_entries(struct store *st, int64_t start, int64_t end, store_audit_fn each, void *arg)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, start);
	pg_param_int(&p, end);
	rc = pg_query(c,
		      "SELECT idx, entry, leaf FROM audit_entries WHERE idx >= $1 AND idx < $2 "
		      "ORDER BY idx",
		      &p, &res);
	if (rc)
		return rc;
	return each_entry(res, each, arg);
}

int pg_audit_by_subject(struct store *st, const uint8_t *commitment, store_audit_fn each, void *arg)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, commitment, STORE_AUDIT_COMMIT_BYTES);
	rc = pg_query(c,
		      "SELECT idx, entry, leaf FROM audit_entries WHERE idx IN (SELECT idx FROM "
		      "audit_subjects WHERE commitment = $1 UNION ALL SELECT p.idx FROM "
		      "audit_subjects_pending p WHERE EXISTS (SELECT 1 FROM generate_series(0, "
		      "octet_length(p.commitments) / 16 - 1) AS i WHERE substring(p.commitments "
		      "FROM i * 16 + 1 FOR 16) = $1)) ORDER BY idx",
		      &p, &res);
	if (rc)
		return rc;
	return each_entry(res, each, arg);
}

int pg_audit_checkpoint_add(struct store *st, int64_t size, const uint8_t *root, const char *note,
			    const char *now)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, size);
	pg_param_bytes(&p, root, 32);
	pg_param_text(&p, note);
	pg_param_text(&p, now);
	/* A size that has a checkpoint is a unique violation: STORE_EEXISTS. */
	rc = pg_exec(c,
		     "INSERT INTO audit_checkpoints (size, root, note, created_at) "
		     "VALUES ($1, $2, $3, $4)",
		     &p, NULL);
	return pg_write_end(s, c, rc);
}

int pg_audit_checkpoint_latest(struct store *st, int64_t *size, char *note, size_t notesz)
{
	struct pg_conn *c;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	rc = pg_query(c, "SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1",
		      NULL, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 1) {
		*size = pg_int(res, 0, 0);
		pg_text(res, 0, 1, note, notesz);
	} else {
		rc = STORE_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

int pg_audit_checkpoints(struct store *st, store_checkpoint_fn each, void *arg)
{
	struct pg_conn *c;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	rc = pg_query(c, "SELECT size, root, note FROM audit_checkpoints ORDER BY size", NULL,
		      &res);
	if (rc)
		return rc;
	for (int row = 0; row < PQntuples(res); row++) {
		uint8_t root[32];
		size_t len;
		int got = pg_bytes(res, row, 1, root, sizeof(root), &len) == STORE_OK && len == 32;
		int stop =
			each(arg, pg_int(res, row, 0), got ? root : NULL, PQgetvalue(res, row, 2));

		if (stop) {
			PQclear(res);
			return stop;
		}
	}
	PQclear(res);
	return STORE_OK;
}
