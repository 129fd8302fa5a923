/*
 * pg_purge.c - retention in the PostgreSQL backend: what has outlived its
 * period is erased class by class, each class in write transactions of at
 * most `batch` rows.
 *
 * Why batches: every write transaction holds the cluster's one write lock
 * (pg_int.h), and report intake (the group writer) waits for it.  Erasing
 * 200,000 reports in one transaction would hold it for seconds; finding the
 * rows in a read (which takes no lock) and erasing 1,000 of them by key in
 * each write transaction holds it for milliseconds, and the writer gets the
 * lock between batches.  (Measured on SQLite in docs/OPERATIONS.md, section
 * 18.)
 *
 * What stays is anonymous: a report keeps its fraud type, channels, dates,
 * loss, payment method, victim type, age band and municipality, so that
 * statistics still count it; an identifier keeps its pseudonym, kind,
 * routing, status, counts, sources and rule firings, so that matching and
 * the rules go on; only the sealed raw value becomes empty ('\x').
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/pg_int.h"
#include "util/mem.h"

#define PURGE_BATCH 1000

/*
 * One class: how to count what is due (for a dry run), how to find the next
 * keys due after a cursor, and how to erase one of them.  Finding reads
 * outside the write transaction (it takes no lock), so the write lock
 * covers only the point updates of one batch, each of which checks again
 * that its row is still due.  The cursor makes one run read every row at
 * most once.  Parameters: $1 the cutoff; $2 the cursor (find) or the key
 * (erase); $3 the batch size.  A class without `find_sql` is erased by one
 * statement with $1 alone.  Keys travel as PostgreSQL's text of them (a
 * bigint id, or a bytea as "\x" and hex).
 *
 * PostgreSQL must know the type of every parameter of a statement, so an
 * erase that does not need the cutoff still names it ($1::text IS NOT
 * NULL, always true).
 *
 * `bytes_key`: the key is a bytea (the registry's pseudonym).  SQLite
 * started such a scan at the integer 0, below every blob, the empty one
 * too; no bytea is below the empty one, so this find reads keys >= the
 * cursor, which starts empty and then is the last key with a zero byte
 * appended, the least key after it: the same rows as "> the last key".
 */
struct purge_step {
	const char *count_sql;
	const char *find_sql;
	const char *erase_sql;
	bool bytes_key;
};

/*
 * Reports count from their last activity (updated_at: each addition or
 * change of consent moves it), so a case its victim still uses keeps its
 * data; created_at <= updated_at lets the index on created_at narrow the scan.
 */
#define REPORT_DUE "created_at < $1 AND updated_at < $1"

static const struct purge_step narratives = {
	"SELECT count(*) FROM reports WHERE " REPORT_DUE " AND description IS NOT NULL",
	"SELECT id FROM reports WHERE " REPORT_DUE " AND description IS NOT NULL AND id > $2 "
	"ORDER BY id LIMIT $3",
	"UPDATE reports SET description = NULL WHERE id = $2 AND updated_at < $1 AND "
	"description IS NOT NULL",
	false,
};

static const struct purge_step additions = {
	"SELECT count(*) FROM report_additions a JOIN reports r ON r.id = a.report_id WHERE "
	"r.created_at < $1 AND r.updated_at < $1 AND a.description IS NOT NULL",
	"SELECT a.id FROM report_additions a JOIN reports r ON r.id = a.report_id WHERE "
	"r.created_at < $1 AND r.updated_at < $1 AND a.description IS NOT NULL AND a.id > $2 "
	"ORDER BY a.id LIMIT $3",
	"UPDATE report_additions SET description = NULL WHERE id = $2 AND description IS NOT "
	"NULL AND EXISTS (SELECT 1 FROM reports r WHERE r.id = report_additions.report_id "
	"AND r.updated_at < $1)",
	false,
};

static const struct purge_step contacts = {
	"SELECT count(*) FROM reports WHERE " REPORT_DUE
	" AND (contact_sealed IS NOT NULL OR reporter IS NOT NULL)",
	"SELECT id FROM reports WHERE " REPORT_DUE " AND (contact_sealed IS NOT NULL OR reporter "
	"IS NOT NULL) AND id > $2 ORDER BY id LIMIT $3",
	"UPDATE reports SET contact_sealed = NULL, reporter = NULL WHERE id = $2 AND updated_at "
	"< $1 AND (contact_sealed IS NOT NULL OR reporter IS NOT NULL)",
	false,
};

/* The registry's raw value goes when nobody has named the identifier for the period. */
static const struct purge_step raw_identifiers = {
	"SELECT count(*) FROM identifiers WHERE last_seen < $1 AND octet_length(sealed) > 0",
	"SELECT pseudonym FROM identifiers WHERE last_seen < $1 AND octet_length(sealed) > 0 AND "
	"pseudonym >= $2 ORDER BY pseudonym LIMIT $3",
	"UPDATE identifiers SET sealed = '\\x'::bytea WHERE pseudonym = $2 AND last_seen < $1 AND "
	"octet_length(sealed) > 0",
	true,
};

static const struct purge_step report_raw_identifiers = {
	"SELECT count(*) FROM report_identifiers ri JOIN reports r ON r.id = ri.report_id "
	"WHERE r.created_at < $1 AND r.updated_at < $1 AND octet_length(ri.sealed) > 0",
	"SELECT ri.id FROM report_identifiers ri JOIN reports r ON r.id = ri.report_id WHERE "
	"r.created_at < $1 AND r.updated_at < $1 AND octet_length(ri.sealed) > 0 AND ri.id > $2 "
	"ORDER BY ri.id LIMIT $3",
	"UPDATE report_identifiers SET sealed = '\\x'::bytea WHERE id = $2 AND "
	"octet_length(sealed) > 0 AND EXISTS (SELECT 1 FROM reports r WHERE r.id = "
	"report_identifiers.report_id AND r.updated_at < $1)",
	false,
};

/* A signal still valid is kept whatever its age; its feedback goes first, with it. */
#define SIGNAL_DUE "s.created_at < $1 AND (s.valid_until IS NULL OR s.valid_until < $1)"

static const struct purge_step feedback = {
	"SELECT count(*) FROM signal_feedback f JOIN signals s ON s.id = f.signal_id "
	"WHERE " SIGNAL_DUE,
	"SELECT f.id FROM signal_feedback f JOIN signals s ON s.id = f.signal_id WHERE " SIGNAL_DUE
	" AND f.id > $2 ORDER BY f.id LIMIT $3",
	"DELETE FROM signal_feedback WHERE id = $2 AND $1::text IS NOT NULL",
	false,
};

static const struct purge_step signals = {
	"SELECT count(*) FROM signals s WHERE " SIGNAL_DUE,
	"SELECT s.id FROM signals s WHERE " SIGNAL_DUE " AND s.id > $2 ORDER BY s.id LIMIT $3",
	/* Feedback that arrived meanwhile keeps its signal until the next run. */
	"DELETE FROM signals WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM signal_feedback WHERE "
	"signal_id = $2) AND $1::text IS NOT NULL",
	false,
};

/* Only what is finished: delivered, or given up on; pending (and retried) deliveries stay. */
static const struct purge_step alerts = {
	"SELECT count(*) FROM outbox WHERE coalesce(delivered_at, dead_at) < $1",
	"SELECT id FROM outbox WHERE coalesce(delivered_at, dead_at) < $1 AND id > $2 ORDER BY "
	"id LIMIT $3",
	"DELETE FROM outbox WHERE id = $2 AND coalesce(delivered_at, dead_at) < $1",
	false,
};

/*
 * Data-subject requests (their own migration): only decided ones, counted
 * from their last change.  Few rows, so one statement.
 */
#define SUBJECT_DECIDED "('answered', 'upheld', 'rejected')" /* subject.h: the ends of a request */
static const struct purge_step subject_requests = {
	"SELECT count(*) FROM subject_requests WHERE updated_at < $1 AND status "
	"IN " SUBJECT_DECIDED,
	NULL,
	"DELETE FROM subject_requests WHERE updated_at < $1 AND status IN " SUBJECT_DECIDED,
	false,
};

/*
 * `now` less `days`, as SQLite's strftime('%Y-%m-%dT%H:%M:%SZ', now, '-N
 * days') gives it: the time strings SQLite reads (YYYY-MM-DD, then
 * optionally HH:MM, :SS, .fraction and Z or +-HH:MM; fields in SQLite's
 * ranges, a day past the month's end running on into the next), taken as
 * UTC unless they say otherwise, milliseconds rounded, N times 24 hours
 * back.  Computed from the fields so that the session's TimeZone plays no
 * part; anything else is NULL.  The arithmetic sits inside the CASE so
 * that PostgreSQL never evaluates it for fields out of range, not even
 * when it folds the constants of a custom plan.
 */
static const char sql_cutoff[] =
	"SELECT CASE WHEN m[2]::int BETWEEN 1 AND 12 AND m[3]::int BETWEEN 1 AND 31 AND "
	"coalesce(m[4]::int, 0) <= 24 AND coalesce(m[5]::int, 0) <= 59 AND "
	"coalesce(m[6]::numeric, 0) < 60 AND coalesce(m[8]::int, 0) <= 14 AND "
	"coalesce(m[9]::int, 0) <= 59 THEN "
	"to_char(make_date(m[1]::int, m[2]::int, 1) + (m[3]::int - 1) - $2::int + "
	"make_interval(hours => coalesce(m[4], '0')::int, mins => coalesce(m[5], '0')::int, "
	"secs => round(coalesce(m[6], '0')::numeric, 3)::float8) - "
	"make_interval(hours => coalesce(m[7] || m[8], '0')::int, "
	"mins => coalesce(m[7] || m[9], '0')::int), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') END "
	"FROM regexp_match($1::text, '^(\\d{4})-(\\d\\d)-(\\d\\d)[\\sT]*(?:(\\d\\d):(\\d\\d)"
	"(?::(\\d\\d(?:\\.\\d+)?))?\\s*(?:[Zz]|([+-])(\\d\\d):(\\d\\d))?\\s*)?$') AS m";

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* `now` less `days`, in the stored form; STORE_EINVAL if `now` is not a time. */
static int cutoff_of(struct pg_conn *c, const char *now, int days, char *out, size_t outsz)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	/* SQLite reads "--5 days" as no modifier at all, and the result is NULL. */
	if (days < 0)
		return STORE_EINVAL;
	pg_params_init(&p);
	pg_param_text(&p, now);
	pg_param_int(&p, days);
	rc = pg_query(c, sql_cutoff, &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 1 && !pg_isnull(res, 0, 0))
		pg_text(res, 0, 0, out, outsz);
	else
		rc = STORE_EINVAL;
	PQclear(res);
	return rc;
}

static int count_due(struct pg_conn *c, const struct purge_step *step, const char *cutoff,
		     int64_t *n)
{
	struct pg_params p;
	PGresult *res;
	int rc;

	pg_params_init(&p);
	pg_param_text(&p, cutoff);
	rc = pg_query(c, step->count_sql, &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 1)
		*n += pg_int(res, 0, 0);
	PQclear(res);
	return STORE_OK;
}

/*
 * Up to `max` keys due from `cursor` on (NULL: from the start), in order,
 * as the rows of *keys, which the caller PQclear()s; read outside any write.
 */
static int find_due(struct pg_conn *c, const struct purge_step *step, const char *cutoff,
		    const char *cursor, int max, PGresult **keys)
{
	struct pg_params p;

	pg_params_init(&p);
	pg_param_text(&p, cutoff);
	if (cursor)
		pg_param_text(&p, cursor);
	else
		pg_param_text(&p, step->bytes_key ? "\\x" : "0"); /* below every key */
	pg_param_int(&p, max);
	return pg_query(c, step->find_sql, &p, keys);
}

/*
 * Where the next find starts after `keys`' last row: that key, or for a
 * bytea its successor (the key and a zero byte, in hex).  mem_free it.
 */
static char *cursor_after(const struct purge_step *step, const PGresult *keys, int n)
{
	const char *last = PQgetvalue(keys, n - 1, 0);
	size_t len = strlen(last);
	char *cursor = mem_alloc(len + 3);

	if (!cursor)
		return NULL;
	memcpy(cursor, last, len + 1);
	if (step->bytes_key)
		memcpy(cursor + len, "00", 3);
	return cursor;
}

/* Erases the keys in `keys` (or, without keys, runs the one statement) in one write transaction. */
static int erase_batch(struct pg_store *s, const struct purge_step *step, const char *cutoff,
		       const PGresult *keys, int n, int64_t *count, struct purge_counts *out)
{
	struct pg_conn *c;
	struct pg_params p;
	int64_t t0 = now_ms(), changed = 0, ms, affected;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	for (int i = 0; (keys ? i < n : i < 1) && rc == STORE_OK; i++) {
		pg_params_init(&p);
		pg_param_text(&p, cutoff);
		if (keys)
			pg_param_text(&p, PQgetvalue(keys, i, 0));
		rc = pg_exec(c, step->erase_sql, &p, &affected); /* logs its error */
		if (rc == STORE_OK)
			changed += affected;
	}
	rc = pg_write_end(s, c, rc);
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
static int erase(struct pg_store *s, struct pg_conn *c, const struct purge_policy *p,
		 const struct purge_step *step, const char *cutoff, int64_t *count,
		 struct purge_counts *out)
{
	int batch = p->batch > 0 ? p->batch : PURGE_BATCH, n = 0, rc = STORE_OK;
	PGresult *keys;
	char *cursor = NULL;

	if (!step->find_sql)
		return erase_batch(s, step, cutoff, NULL, 0, count, out);
	for (;;) {
		if (p->cancel && p->cancel(p->cancel_arg)) {
			rc = STORE_ECONFLICT;
			break;
		}
		rc = find_due(c, step, cutoff, cursor, batch, &keys);
		if (rc)
			break;
		n = PQntuples(keys);
		if (n > 0)
			rc = erase_batch(s, step, cutoff, keys, n, count, out);
		mem_free(cursor);
		cursor = NULL;
		if (rc == STORE_OK && n > 0) {
			cursor = cursor_after(step, keys, n);
			if (!cursor)
				rc = STORE_ENOMEM;
		}
		PQclear(keys);
		if (rc || n < batch)
			break;
	}
	mem_free(cursor);
	return rc;
}

/* Whether this schema has the data-subject requests (with the columns the purge reads). */
static int has_subject_requests(struct pg_conn *c, int *yes)
{
	PGresult *res;
	int rc = pg_query(c,
			  "SELECT count(*) = 2 FROM pg_attribute WHERE attrelid = "
			  "to_regclass('subject_requests') AND attname IN ('status', "
			  "'updated_at') AND attnum > 0 AND NOT attisdropped",
			  NULL, &res);

	*yes = 0;
	if (rc)
		return rc;
	*yes = PQntuples(res) == 1 && pg_int(res, 0, 0);
	PQclear(res);
	return STORE_OK;
}

int pg_purge(struct store *st, const struct purge_policy *p, const char *now,
	     struct purge_counts *out)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
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
	int rc = pg_conn_get(s, &c), yes;

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		if (plan[i].step == &subject_requests) {
			rc = has_subject_requests(c, &yes);
			if (rc)
				return rc;
			if (!yes) {
				/* Not in this schema: nothing to keep or erase. */
				*plan[i].count = -1;
				continue;
			}
		}
		rc = cutoff_of(c, now, plan[i].days, cutoff, sizeof(cutoff));
		if (rc)
			return rc;
		if (p->dry_run)
			rc = count_due(c, plan[i].step, cutoff, plan[i].count);
		else
			rc = erase(s, c, p, plan[i].step, cutoff, plan[i].count, out);
		if (rc)
			return rc;
	}
	return STORE_OK;
}
