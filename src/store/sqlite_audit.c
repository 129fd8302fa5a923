/*
 * sqlite_audit.c - the audit log's tables: entries with their leaf hashes,
 * the commitments each entry names (pending beside the entry, then in
 * their index), and the signed checkpoints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"
#include "util/mem.h"

/*
 * signaal_names(commitments, commitment): whether a pending row's
 * commitments (16 bytes each, end to end) hold this one, at a whole
 * position.  Registered on every connection (sqlite.c).
 */
static void names_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const uint8_t *all = sqlite3_value_blob(argv[0]), *one = sqlite3_value_blob(argv[1]);
	size_t n = (size_t)sqlite3_value_bytes(argv[0]);
	int found = 0;

	(void)argc;
	if (all && one && sqlite3_value_bytes(argv[1]) == STORE_AUDIT_COMMIT_BYTES)
		for (size_t i = 0; !found && i + STORE_AUDIT_COMMIT_BYTES <= n;
		     i += STORE_AUDIT_COMMIT_BYTES)
			found = memcmp(all + i, one, STORE_AUDIT_COMMIT_BYTES) == 0;
	sqlite3_result_int(ctx, found);
}

int sqlite_audit_functions(sqlite3 *db)
{
	return sqlite3_create_function(db, "signaal_names", 2,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				       names_fn, NULL, NULL);
}

int sqlite_audit_append(struct store *st, const struct audit_record *r, size_t n, int64_t *first)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *next, *ins, *sub;
	int64_t idx = 0;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	/* Positions follow on from the last, under the write lock: no gaps, no reuse. */
	rc = sqlite_conn_stmt(c, "SELECT coalesce(max(idx) + 1, 0) FROM audit_entries", &next);
	if (!rc) {
		rc = sqlite3_step(next) == SQLITE_ROW ? STORE_OK : STORE_EIO;
		idx = sqlite3_column_int64(next, 0);
		sqlite3_reset(next);
	}
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "INSERT INTO audit_entries (idx, entry, leaf) VALUES "
				      "(?1, ?2, ?3)",
				      &ins);
	/* The subjects in one row at the end of a table: the index gets them later, in bulk. */
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "INSERT INTO audit_subjects_pending (idx, commitments) "
				      "VALUES (?1, ?2)",
				      &sub);
	*first = idx;
	for (size_t i = 0; i < n && rc == STORE_OK; i++, idx++) {
		sqlite3_bind_int64(ins, 1, idx);
		sqlite3_bind_text(ins, 2, r[i].entry, -1, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 3, r[i].leaf, 32, SQLITE_STATIC);
		rc = sqlite_step_done(ins);
		if (rc == STORE_OK && r[i].nsubjects) {
			sqlite3_bind_int64(sub, 1, idx);
			sqlite3_bind_blob64(sub, 2, r[i].subjects,
					    r[i].nsubjects * STORE_AUDIT_COMMIT_BYTES,
					    SQLITE_STATIC);
			rc = sqlite_step_done(sub);
		}
	}
	return sqlite_write_end(ss, c, rc);
}

struct subject_row {
	uint8_t commitment[STORE_AUDIT_COMMIT_BYTES];
	int64_t idx;
};

static int subject_row_cmp(const void *x, const void *y)
{
	const struct subject_row *a = x, *b = y;
	int c = memcmp(a->commitment, b->commitment, STORE_AUDIT_COMMIT_BYTES);

	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/*
 * The pending subjects of the oldest entries into audit_subjects, whole
 * entries until `max` subjects or more, in one write transaction.  In key
 * order, so that the subjects that share a leaf page go into it together:
 * that page is written once for all of them.
 */
int sqlite_audit_index_subjects(struct store *st, size_t max, size_t *entries, size_t *subjects)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *sel, *ins, *del;
	struct subject_row *rows = NULL;
	size_t n = 0, cap = 0, moved = 0;
	int64_t last = -1;
	int rc = sqlite_write_begin(ss, &c), step = SQLITE_DONE;

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c, "SELECT idx, commitments FROM audit_subjects_pending ORDER BY idx",
			      &sel);
	if (!rc) {
		while (n < max && (step = sqlite3_step(sel)) == SQLITE_ROW) {
			const uint8_t *blob = sqlite3_column_blob(sel, 1);
			size_t k = (size_t)sqlite3_column_bytes(sel, 1) / STORE_AUDIT_COMMIT_BYTES;

			last = sqlite3_column_int64(sel, 0);
			moved++;
			if (n + k > cap) {
				size_t ncap = cap ? cap * 2 : 4096;
				struct subject_row *more;

				while (ncap < n + k)
					ncap *= 2;
				more = mem_realloc(rows, ncap * sizeof(*rows));
				if (!more) {
					rc = STORE_ENOMEM;
					break;
				}
				rows = more;
				cap = ncap;
			}
			for (size_t j = 0; j < k; j++, n++) {
				memcpy(rows[n].commitment, blob + j * STORE_AUDIT_COMMIT_BYTES,
				       STORE_AUDIT_COMMIT_BYTES);
				rows[n].idx = last;
			}
		}
		if (!rc && n < max && step != SQLITE_DONE)
			rc = sqlite_err(step);
		sqlite3_reset(sel);
	}
	if (!rc && n > 1)
		qsort(rows, n, sizeof(*rows), subject_row_cmp);
	if (!rc && moved)
		rc = sqlite_conn_stmt(c,
				      "INSERT OR IGNORE INTO audit_subjects (commitment, idx) "
				      "VALUES (?1, ?2)",
				      &ins);
	for (size_t i = 0; !rc && moved && i < n; i++) {
		sqlite3_bind_blob(ins, 1, rows[i].commitment, STORE_AUDIT_COMMIT_BYTES,
				  SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, rows[i].idx);
		rc = sqlite_step_done(ins);
	}
	if (!rc && moved)
		rc = sqlite_conn_stmt(c, "DELETE FROM audit_subjects_pending WHERE idx <= ?1",
				      &del);
	if (!rc && moved) {
		sqlite3_bind_int64(del, 1, last);
		rc = sqlite_step_done(del);
	}
	mem_free(rows);
	rc = sqlite_write_end(ss, c, rc);
	if (!rc) {
		*entries = moved;
		*subjects = n;
	}
	return rc;
}

int sqlite_audit_leaves(struct store *st, int64_t from, size_t max, uint8_t (*leaves)[32],
			size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	*n = 0;
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT idx, leaf FROM audit_entries WHERE idx >= ?1 "
				      "ORDER BY idx LIMIT ?2",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* A gap (a deleted row) ends the run: the tree cannot skip a leaf. */
		if (sqlite3_column_int64(s, 0) != from + (int64_t)*n ||
		    sqlite3_column_bytes(s, 1) != 32)
			break;
		memcpy(leaves[*n], sqlite3_column_blob(s, 1), 32);
		++*n;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

static int each_entry(sqlite3_stmt *s, store_audit_fn each, void *arg)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const void *leaf =
			sqlite3_column_bytes(s, 2) == 32 ? sqlite3_column_blob(s, 2) : NULL;
		const unsigned char *e = sqlite3_column_text(s, 1);
		int stop = each(arg, sqlite3_column_int64(s, 0), e ? (const char *)e : "", leaf);

		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_audit_entries(struct store *st, int64_t start, int64_t end, store_audit_fn each,
			 void *arg)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT idx, entry, leaf FROM audit_entries WHERE idx >= ?1 "
				      "AND idx < ?2 ORDER BY idx",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, start);
	sqlite3_bind_int64(s, 2, end);
	return each_entry(s, each, arg);
}

int sqlite_audit_by_subject(struct store *st, const uint8_t *commitment, store_audit_fn each,
			    void *arg)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT idx, entry, leaf FROM audit_entries WHERE idx IN "
				      "(SELECT idx FROM audit_subjects WHERE commitment = ?1 "
				      "UNION ALL SELECT idx FROM audit_subjects_pending WHERE "
				      "signaal_names(commitments, ?1)) ORDER BY idx",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, commitment, STORE_AUDIT_COMMIT_BYTES, SQLITE_STATIC);
	return each_entry(s, each, arg);
}

int sqlite_audit_checkpoint_add(struct store *st, int64_t size, const uint8_t *root,
				const char *note, const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "INSERT INTO audit_checkpoints (size, root, note, created_at) "
			      "VALUES (?1, ?2, ?3, ?4)",
			      &s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, size);
		sqlite3_bind_blob(s, 2, root, 32, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, note, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_audit_checkpoint_latest(struct store *st, int64_t *size, char *note, size_t notesz)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT size, note FROM audit_checkpoints ORDER BY size "
				      "DESC LIMIT 1",
				      &s);
	if (rc)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*size = sqlite3_column_int64(s, 0);
		snprintf(note, notesz, "%s", sqlite3_column_text(s, 1));
	}
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_audit_checkpoints(struct store *st, store_checkpoint_fn each, void *arg)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c, "SELECT size, root, note FROM audit_checkpoints ORDER BY size", &s);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *note = sqlite3_column_text(s, 2);
		const void *root =
			sqlite3_column_bytes(s, 1) == 32 ? sqlite3_column_blob(s, 1) : NULL;
		int stop =
			each(arg, sqlite3_column_int64(s, 0), root, note ? (const char *)note : "");

		if (stop) {
			sqlite3_reset(s);
			return stop;
		}
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}
