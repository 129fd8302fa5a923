/*
 * sqlite_purge.c - retention in the SQLite backend: what has outlived its
 * period is erased class by class, each class in write transactions of at
 * most `batch` rows.
 *
 * Why batches: every write transaction holds the database's one write lock,
 * and report intake (the group writer) waits for it.  Erasing 200,000
 * reports in one transaction held it for seconds; finding the rows in a
 * read (WAL readers block nobody) and erasing 1,000 of them by key in each
 * write transaction holds it for milliseconds, and the writer gets the lock
 * between batches.  (Measured in docs/OPERATIONS.md, section 18.)
 *
 * What stays is anonymous: a report keeps its fraud type, channels, dates,
 * loss, payment method, victim type, age band and municipality, so that
 * statistics still count it; an identifier keeps its pseudonym, kind,
 * routing, status, counts, sources and rule firings, so that matching and
 * the rules go on; only the sealed raw value becomes empty (X'').
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/sqlite_int.h"

#define PURGE_BATCH 1000

/*
 * One class: how to count what is due (for a dry run), how to find the next
 * keys due after a cursor, and how to erase one of them.  Finding reads
 * outside the write transaction (a WAL reader holds nobody up), so the
 * write lock covers only the point updates of one batch, each of which
 * checks again that its row is still due.  The cursor makes one run read
 * every row at most once.  Parameters: ?1 the cutoff; ?2 the cursor (find)
 * or the key (erase); ?3 the batch size.  A class without `find_sql` is
 * erased by one statement with ?1 alone.
 */
struct purge_step {
	const char *count_sql;
	const char *find_sql;
	const char *erase_sql;
};

/*
 * Reports count from their last activity (updated_at: each addition or
 * change of consent moves it), so a case its victim still uses keeps its
 * data; created_at <= updated_at lets the index on created_at narrow the scan.
 */
#define REPORT_DUE "created_at < ?1 AND updated_at < ?1"

static const struct purge_step narratives = {
	"SELECT count(*) FROM reports WHERE " REPORT_DUE " AND description IS NOT NULL",
	"SELECT id FROM reports WHERE " REPORT_DUE " AND description IS NOT NULL AND id > ?2 "
	"ORDER BY id LIMIT ?3",
	"UPDATE reports SET description = NULL WHERE id = ?2 AND updated_at < ?1 AND "
	"description IS NOT NULL",
};

static const struct purge_step additions = {
	"SELECT count(*) FROM report_additions a JOIN reports r ON r.id = a.report_id WHERE "
	"r.created_at < ?1 AND r.updated_at < ?1 AND a.description IS NOT NULL",
	"SELECT a.id FROM report_additions a JOIN reports r ON r.id = a.report_id WHERE "
	"r.created_at < ?1 AND r.updated_at < ?1 AND a.description IS NOT NULL AND a.id > ?2 "
	"ORDER BY a.id LIMIT ?3",
	"UPDATE report_additions SET description = NULL WHERE id = ?2 AND description IS NOT "
	"NULL AND EXISTS (SELECT 1 FROM reports r WHERE r.id = report_additions.report_id "
	"AND r.updated_at < ?1)",
};

static const struct purge_step contacts = {
	"SELECT count(*) FROM reports WHERE " REPORT_DUE
	" AND (contact_sealed IS NOT NULL OR reporter IS NOT NULL)",
	"SELECT id FROM reports WHERE " REPORT_DUE " AND (contact_sealed IS NOT NULL OR reporter "
	"IS NOT NULL) AND id > ?2 ORDER BY id LIMIT ?3",
	"UPDATE reports SET contact_sealed = NULL, reporter = NULL WHERE id = ?2 AND updated_at "
	"< ?1 AND (contact_sealed IS NOT NULL OR reporter IS NOT NULL)",
};

/* The registry's raw value goes when nobody has named the identifier for the period. */
static const struct purge_step raw_identifiers = {
	"SELECT count(*) FROM identifiers WHERE last_seen < ?1 AND length(sealed) > 0",
	"SELECT pseudonym FROM identifiers WHERE last_seen < ?1 AND length(sealed) > 0 AND "
	"pseudonym > ?2 ORDER BY pseudonym LIMIT ?3",
	"UPDATE identifiers SET sealed = X'' WHERE pseudonym = ?2 AND last_seen < ?1 AND "
	"length(sealed) > 0",
};

static const struct purge_step report_raw_identifiers = {
	"SELECT count(*) FROM report_identifiers ri JOIN reports r ON r.id = ri.report_id "
	"WHERE r.created_at < ?1 AND r.updated_at < ?1 AND length(ri.sealed) > 0",
	"SELECT ri.id FROM report_identifiers ri JOIN reports r ON r.id = ri.report_id WHERE "
	"r.created_at < ?1 AND r.updated_at < ?1 AND length(ri.sealed) > 0 AND ri.id > ?2 "
	"ORDER BY ri.id LIMIT ?3",
	"UPDATE report_identifiers SET sealed = X'' WHERE id = ?2 AND length(sealed) > 0 AND "
	"EXISTS (SELECT 1 FROM reports r WHERE r.id = report_identifiers.report_id AND "
	"r.updated_at < ?1)",
};

/* A signal still valid is kept whatever its age; its feedback goes first, with it. */
#define SIGNAL_DUE "s.created_at < ?1 AND (s.valid_until IS NULL OR s.valid_until < ?1)"

static const struct purge_step feedback = {
	"SELECT count(*) FROM signal_feedback f JOIN signals s ON s.id = f.signal_id "
	"WHERE " SIGNAL_DUE,
	"SELECT f.id FROM signal_feedback f JOIN signals s ON s.id = f.signal_id WHERE " SIGNAL_DUE
	" AND f.id > ?2 ORDER BY f.id LIMIT ?3",
	"DELETE FROM signal_feedback WHERE id = ?2",
};

static const struct purge_step signals = {
	"SELECT count(*) FROM signals s WHERE " SIGNAL_DUE,
	"SELECT s.id FROM signals s WHERE " SIGNAL_DUE " AND s.id > ?2 ORDER BY s.id LIMIT ?3",
	/* Feedback that arrived meanwhile keeps its signal until the next run. */
	"DELETE FROM signals WHERE id = ?2 AND NOT EXISTS (SELECT 1 FROM signal_feedback WHERE "
	"signal_id = ?2)",
};

/* Only what is finished: delivered, or given up on; pending (and retried) deliveries stay. */
static const struct purge_step alerts = {
	"SELECT count(*) FROM outbox WHERE coalesce(delivered_at, dead_at) < ?1",
	"SELECT id FROM outbox WHERE coalesce(delivered_at, dead_at) < ?1 AND id > ?2 ORDER BY "
	"id LIMIT ?3",
	"DELETE FROM outbox WHERE id = ?2 AND coalesce(delivered_at, dead_at) < ?1",
};

/*
 * Data-subject requests (their own migration): only decided ones, counted
 * from their last change.  Few rows, so one statement.
 */
#define SUBJECT_DECIDED "('answered', 'upheld', 'rejected')" /* subject.h: the ends of a request */
static const struct purge_step subject_requests = {
	"SELECT count(*) FROM subject_requests WHERE updated_at < ?1 AND status "
	"IN " SUBJECT_DECIDED,
	NULL,
	"DELETE FROM subject_requests WHERE updated_at < ?1 AND status IN " SUBJECT_DECIDED,
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `now` less `days`, in the stored form; STORE_EINVAL if `now` is not a time. */
static int cutoff_of(struct sqlite_conn *c, const char *now, int days, char *out, size_t outsz)
{
	char mod[32];
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c, "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', ?1, ?2)", &s);

	if (rc)
		return rc;
	snprintf(mod, sizeof(mod), "-%d days", days);
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, mod, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT) {
		snprintf(out, outsz, "%s", sqlite3_column_text(s, 0));
		rc = STORE_OK;
	} else {
		rc = rc == SQLITE_ROW ? STORE_EINVAL : sqlite_err(rc);
	}
	sqlite3_reset(s);
	return rc;
}

static int count_due(struct sqlite_conn *c, const struct purge_step *step, const char *cutoff,
		     int64_t *n)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c, step->count_sql, &s);

	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n += sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

/* Up to `max` keys due after `cursor` (NULL: from the start), in order; read outside any write. */
static int find_due(struct sqlite_conn *c, const struct purge_step *step, const char *cutoff,
		    const sqlite3_value *cursor, int max, sqlite3_value **keys, int *n)
{
	sqlite3_stmt *s;
	int rc = sqlite_conn_stmt(c, step->find_sql, &s);

	*n = 0;
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
	if (cursor)
		sqlite3_bind_value(s, 2, cursor);
	else
		sqlite3_bind_int(s, 2, 0); /* below every id; blobs sort after all numbers */
	sqlite3_bind_int(s, 3, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		keys[*n] = sqlite3_value_dup(sqlite3_column_value(s, 0));
		if (!keys[*n]) {
			sqlite3_reset(s);
			return STORE_ENOMEM;
		}
		++*n;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

/* Erases `keys` (or, without keys, runs the one statement) in one write transaction. */
static int erase_batch(struct sqlite_store *ss, const struct purge_step *step, const char *cutoff,
		       sqlite3_value *const *keys, int n, int64_t *count, struct purge_counts *out)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int64_t t0 = now_ms(), changed = 0, ms;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c, step->erase_sql, &s);
	for (int i = 0; (keys ? i < n : i < 1) && rc == STORE_OK; i++) {
		sqlite3_bind_text(s, 1, cutoff, -1, SQLITE_STATIC);
		if (keys)
			sqlite3_bind_value(s, 2, keys[i]);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE)
			sqlite_log_error(c->db, "purge");
		else
			changed += sqlite3_changes(c->db);
		rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
		sqlite3_reset(s);
	}
	rc = sqlite_write_end(ss, c, rc);
	if (rc)
		return rc;
	ms = now_ms() - t0;
	if (changed > 0) {
		out->batches++;
		if (ms > out->longest_batch_ms)
			out->longest_batch_ms = ms;
	}
	*count += changed;
	return STORE_OK;
}

/* Erases one class, batch by batch, until nothing after the cursor is due; adds to *count. */
static int erase(struct sqlite_store *ss, struct sqlite_conn *c, const struct purge_policy *p,
		 const struct purge_step *step, const char *cutoff, int64_t *count,
		 struct purge_counts *out)
{
	int batch = p->batch > 0 ? p->batch : PURGE_BATCH, n = 0, rc = STORE_OK;
	sqlite3_value **keys, *cursor = NULL;

	if (!step->find_sql)
		return erase_batch(ss, step, cutoff, NULL, 0, count, out);
	keys = sqlite3_malloc64((sqlite3_uint64)batch * sizeof(*keys));
	if (!keys)
		return STORE_ENOMEM;
	for (;;) {
		if (p->cancel && p->cancel(p->cancel_arg)) {
			rc = STORE_ECONFLICT;
			break;
		}
		rc = find_due(c, step, cutoff, cursor, batch, keys, &n);
		if (rc == STORE_OK && n > 0)
			rc = erase_batch(ss, step, cutoff, keys, n, count, out);
		sqlite3_value_free(cursor);
		cursor = n > 0 ? keys[n - 1] : NULL;
		for (int i = 0; i < n - 1; i++)
			sqlite3_value_free(keys[i]);
		if (rc || n < batch)
			break;
	}
	sqlite3_value_free(cursor);
	sqlite3_free(keys);
	return rc;
}

static int has_subject_requests(struct sqlite_conn *c)
{
	static const char *const cols[] = { "status", "updated_at" };

	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (sqlite3_table_column_metadata(c->db, NULL, "subject_requests", cols[i], NULL,
						  NULL, NULL, NULL, NULL) != SQLITE_OK)
			return 0;
	return 1;
}

int sqlite_purge(struct store *st, const struct purge_policy *p, const char *now,
		 struct purge_counts *out)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	struct {
		const struct purge_step *step;
		int days;
		int64_t *count;
	} plan[] = {
		{ &narratives, p->narratives_days, &out->narratives },
		{ &additions, p->narratives_days, &out->additions },
		{ &contacts, p->contact_days, &out->contacts },
		{ &raw_identifiers, p->raw_identifiers_days, &out->raw_identifiers },
		{ &report_raw_identifiers, p->raw_identifiers_days, &out->report_raw_identifiers },
		{ &feedback, p->signals_days, &out->feedback },
		{ &signals, p->signals_days, &out->signals },
		{ &alerts, p->alerts_days, &out->alerts },
		{ &subject_requests, p->subject_requests_days, &out->subject_requests },
	};
	char cutoff[32];
	int rc = sqlite_conn_get(ss, &c);

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		if (plan[i].step == &subject_requests && !has_subject_requests(c)) {
			*plan[i].count = -1; /* not in this schema: nothing to keep or erase */
			continue;
		}
		rc = cutoff_of(c, now, plan[i].days, cutoff, sizeof(cutoff));
		if (rc)
			return rc;
		if (p->dry_run)
			rc = count_due(c, plan[i].step, cutoff, plan[i].count);
		else
			rc = erase(ss, c, p, plan[i].step, cutoff, plan[i].count, out);
		if (rc)
			return rc;
	}
	return STORE_OK;
}
