/*
 * pg_partner.c - partners and their keys, administration keys, and what
 * the registry knows about identifiers (facts, the lookup index's full
 * scan and its change log) in the PostgreSQL backend.  The counterpart of
 * sqlite_partner.c and of the identifier part of sqlite_alert.c.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "partner.h"
#include "store/pg_int.h"
#include "util/log.h"
#include "util/mem.h"

/* A pseudonym as PostgreSQL prints a bytea: "\x" and two hex digits a byte. */
#define PSEUD_HEX_LEN (2 + 2 * ALERT_PSEUDONYM_BYTES)

/* Identifiers a page of the full scan (with their sources and firings). */
#define SCAN_PAGE 4096

/* Decodes a bytea column into out when it holds exactly n bytes (n <= 64); else leaves out. */
static bool bytes_exact(const PGresult *r, int row, int col, uint8_t *out, size_t n)
{
	uint8_t tmp[64];
	size_t len;

	if (n > sizeof(tmp) || pg_isnull(r, row, col) ||
	    (size_t)PQgetlength(r, row, col) != 2 + 2 * n)
		return false;
	if (pg_bytes(r, row, col, tmp, n, &len) != STORE_OK || len != n)
		return false;
	memcpy(out, tmp, n);
	return true;
}

static void partner_row(const PGresult *r, int i, struct partner *p)
{
	memset(p, 0, sizeof(*p));
	p->id = pg_int(r, i, 0);
	pg_text(r, i, 1, p->name, sizeof(p->name));
	pg_text(r, i, 2, p->sector, sizeof(p->sector));
	pg_text(r, i, 3, p->bank_codes, sizeof(p->bank_codes));
	pg_text(r, i, 4, p->tlds, sizeof(p->tlds));
	pg_text(r, i, 5, p->webhook_url, sizeof(p->webhook_url));
	pg_text(r, i, 6, p->webhook_secret, sizeof(p->webhook_secret));
	pg_text(r, i, 7, p->created_at, sizeof(p->created_at));
	p->disabled = pg_int(r, i, 8) != 0;
}

int pg_partner_add(struct store *st, struct partner *p)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params pp;
	PGresult *res;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&pp);
	pg_param_text(&pp, p->name);
	pg_param_text(&pp, p->sector);
	pg_param_text(&pp, p->bank_codes);
	pg_param_text(&pp, p->tlds);
	pg_param_opt(&pp, p->webhook_url);
	pg_param_opt(&pp, p->webhook_secret);
	pg_param_text(&pp, p->created_at);
	rc = pg_query(c,
		      "INSERT INTO partners (name, sector, bank_codes, tlds, webhook_url, "
		      "webhook_secret, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) "
		      "RETURNING id",
		      &pp, &res);
	if (!rc) {
		p->id = pg_int(res, 0, 0);
		PQclear(res);
	}
	return pg_write_end(s, c, rc);
}

int pg_partner_get(struct store *st, const char *name, struct partner *out)
{
	static const char sql[] =
		"SELECT p.id, p.name, p.sector, p.bank_codes, p.tlds, p.webhook_url, "
		"p.webhook_secret, p.created_at, p.disabled_at IS NOT NULL FROM partners p "
		"WHERE p.name = $1";
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, name);
	rc = pg_query(c, sql, &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		partner_row(res, 0, out);
	else
		rc = STORE_ENOTFOUND;
	PQclear(res);
	return rc;
}

int pg_partner_list(struct store *st, struct partner **out, size_t *n)
{
	static const char sql[] =
		"SELECT p.id, p.name, p.sector, p.bank_codes, p.tlds, p.webhook_url, "
		"p.webhook_secret, p.created_at, p.disabled_at IS NOT NULL FROM partners p "
		"ORDER BY p.name";
	struct pg_conn *c;
	PGresult *res;
	size_t cap = 0;
	int rc = pg_conn_of(st, &c), rows;

	*out = NULL;
	*n = 0;
	if (!rc)
		rc = pg_query(c, sql, NULL, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		if (*n == cap) {
			struct partner *p = mem_realloc(*out, (cap ? cap * 2 : 16) * sizeof(*p));

			if (!p) {
				PQclear(res);
				return STORE_ENOMEM;
			}
			*out = p;
			cap = cap ? cap * 2 : 16;
		}
		partner_row(res, i, &(*out)[(*n)++]);
	}
	PQclear(res);
	return STORE_OK;
}

int pg_partner_key_add(struct store *st, int64_t partner, const uint8_t *hash, const char *prefix,
		       const char *now)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, partner);
	pg_param_bytes(&p, hash, PARTNER_KEY_HASH_BYTES);
	pg_param_text(&p, prefix);
	pg_param_text(&p, now);
	rc = pg_exec(c,
		     "INSERT INTO partner_keys (partner_id, key_hash, prefix, created_at) "
		     "VALUES ($1, $2, $3, $4)",
		     &p, NULL);
	return pg_write_end(s, c, rc);
}

/* Revokes the live key with this prefix in partner_keys or admin_keys (sql says which). */
static int revoke_key(struct store *st, const char *sql, const char *prefix, const char *now)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int64_t changed = 0;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, prefix);
	pg_param_text(&p, now);
	rc = pg_exec(c, sql, &p, &changed);
	if (!rc && changed == 0)
		rc = STORE_ENOTFOUND;
	return pg_write_end(s, c, rc);
}

int pg_partner_key_revoke(struct store *st, const char *prefix, const char *now)
{
	return revoke_key(st,
			  "UPDATE partner_keys SET revoked_at = $2 WHERE prefix = $1 AND "
			  "revoked_at IS NULL",
			  prefix, now);
}

int pg_partner_by_key(struct store *st, const uint8_t *hash, struct partner *out)
{
	static const char sql[] =
		"SELECT p.id, p.name, p.sector, p.bank_codes, p.tlds, p.webhook_url, "
		"p.webhook_secret, p.created_at, p.disabled_at IS NOT NULL FROM partners p "
		"JOIN partner_keys k ON k.partner_id = p.id WHERE k.key_hash = $1 AND "
		"k.revoked_at IS NULL AND p.disabled_at IS NULL";
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, hash, PARTNER_KEY_HASH_BYTES);
	rc = pg_query(c, sql, &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		partner_row(res, 0, out);
	else
		rc = STORE_ENOTFOUND;
	PQclear(res);
	return rc;
}

int pg_admin_key_add(struct store *st, const char *name, const uint8_t *hash, const char *prefix,
		     const char *now)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, name);
	pg_param_bytes(&p, hash, PARTNER_KEY_HASH_BYTES);
	pg_param_text(&p, prefix);
	pg_param_text(&p, now);
	rc = pg_exec(c,
		     "INSERT INTO admin_keys (name, key_hash, prefix, created_at) VALUES "
		     "($1, $2, $3, $4)",
		     &p, NULL);
	return pg_write_end(s, c, rc);
}

int pg_admin_key_revoke(struct store *st, const char *prefix, const char *now)
{
	return revoke_key(st,
			  "UPDATE admin_keys SET revoked_at = $2 WHERE prefix = $1 AND "
			  "revoked_at IS NULL",
			  prefix, now);
}

int pg_admin_by_key(struct store *st, const uint8_t *hash, char *name, size_t namesz)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, hash, PARTNER_KEY_HASH_BYTES);
	rc = pg_query(c, "SELECT name FROM admin_keys WHERE key_hash = $1 AND revoked_at IS NULL",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		pg_text(res, 0, 0, name, namesz);
	else
		rc = STORE_ENOTFOUND;
	PQclear(res);
	return rc;
}

/* Joins the first column of every row of r into a comma-separated list, up to what fits. */
static void join_rows(const PGresult *r, char *out, size_t outsz)
{
	size_t pos = 0;
	int rows = PQntuples(r);

	out[0] = '\0';
	for (int i = 0; i < rows; i++) {
		const char *v = PQgetvalue(r, i, 0);
		int n;

		if (pg_isnull(r, i, 0) || !*v)
			continue;
		n = snprintf(out + pos, outsz - pos, "%s%s", pos ? "," : "", v);
		if (n < 0 || (size_t)n >= outsz - pos)
			break;
		pos += (size_t)n;
	}
}

int pg_identifier_facts(struct store *st, const uint8_t *pseudonym, struct identifier_facts *out)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	rc = pg_query(c,
		      "SELECT kind, status, first_seen, last_seen, reports, signals "
		      "FROM identifiers WHERE pseudonym = $1",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0) {
		pg_text(res, 0, 0, out->kind, sizeof(out->kind));
		pg_text(res, 0, 1, out->status, sizeof(out->status));
		pg_text(res, 0, 2, out->first_seen, sizeof(out->first_seen));
		pg_text(res, 0, 3, out->last_seen, sizeof(out->last_seen));
		out->reports = (int)pg_int(res, 0, 4);
		out->signals = (int)pg_int(res, 0, 5);
	} else {
		rc = STORE_ENOTFOUND;
	}
	PQclear(res);
	if (rc)
		return rc;
	rc = pg_query(c,
		      "SELECT DISTINCT fraud_type FROM identifier_sources WHERE pseudonym = $1 "
		      "ORDER BY fraud_type",
		      &p, &res);
	if (rc)
		return rc;
	join_rows(res, out->fraud_types, sizeof(out->fraud_types));
	PQclear(res);
	rc = pg_query(c,
		      "SELECT DISTINCT rule_id FROM rule_firings WHERE pseudonym = $1 "
		      "AND retracted_at IS NULL ORDER BY rule_id",
		      &p, &res);
	if (rc)
		return rc;
	join_rows(res, out->fired, sizeof(out->fired));
	PQclear(res);
	return STORE_OK;
}

/* Adds v to the comma-separated list unless it is empty, there already, or does not fit. */
static void list_add(char *list, size_t size, const char *v)
{
	size_t len = strlen(list), n = strlen(v);

	if (!n)
		return;
	for (const char *p = list; *p;) {
		size_t m = strcspn(p, ",");

		if (m == n && memcmp(p, v, n) == 0)
			return;
		p += m + (p[m] == ',');
	}
	if (len + n + 2 <= size)
		snprintf(list + len, size - len, "%s%s", len ? "," : "", v);
}

/*
 * Compares the pseudonym in column 0 of row i of r with p, both as
 * PostgreSQL prints them (lower-case hex of the same length sorts as the
 * bytes do); past the last row sorts last, and a value that is not a
 * pseudonym sorts first (it is skipped).
 */
static int row_cmp(const PGresult *r, int i, const char *p)
{
	if (i >= PQntuples(r))
		return 1;
	if (pg_isnull(r, i, 0) || PQgetlength(r, i, 0) != PSEUD_HEX_LEN)
		return -1;
	return strcmp(PQgetvalue(r, i, 0), p);
}

/* Starts the scan's read transaction: one snapshot for *upto and every page. */
static int scan_begin(struct store *st, struct pg_conn **c)
{
	static const char begin[] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	int rc = pg_conn_of(st, c);

	if (rc)
		return rc;
	/*
	 * Inside a transaction SQLite's BEGIN fails; PostgreSQL's would only
	 * warn, and the COMMIT at the end would then commit the caller's.
	 */
	if (PQtransactionStatus((*c)->conn) != PQTRANS_IDLE) {
		log_error("BUG: identifier scan inside a transaction");
		return STORE_EIO;
	}
	rc = pg_simple(*c, begin);
	if (rc == STORE_EIO && PQstatus((*c)->conn) != CONNECTION_OK) {
		rc = pg_conn_of(st, c); /* reconnects */
		if (!rc)
			rc = pg_simple(*c, begin);
	}
	if (rc)
		return rc;
	/*
	 * Marked as in a transaction so that a connection lost half-way fails
	 * the scan rather than being reconnected by pg_query, which would run
	 * the remaining pages outside this snapshot.
	 */
	(*c)->in_tx = true;
	return STORE_OK;
}

static void scan_end(struct pg_conn *c, int rc)
{
	if (PQstatus(c->conn) == CONNECTION_OK && PQtransactionStatus(c->conn) != PQTRANS_IDLE)
		pg_simple(c, rc ? "ROLLBACK" : "COMMIT");
	c->in_tx = false;
}

/*
 * The facts of the page's identifiers from a merge of three results in
 * pseudonym order: the identifiers, their sources (for the fraud types)
 * and their live rule firings.  Returns what `each` returned, or 0.
 */
static int scan_page(const PGresult *ids, const PGresult *src, const PGresult *fir,
		     store_facts_fn each, void *arg)
{
	int nids = PQntuples(ids), is = 0, jf = 0, rc = STORE_OK;

	for (int i = 0; rc == STORE_OK && i < nids; i++) {
		struct identifier_facts f;
		uint8_t p[ALERT_PSEUDONYM_BYTES];
		const char *hex = PQgetvalue(ids, i, 0);
		int cmp;

		if (!bytes_exact(ids, i, 0, p, sizeof(p)))
			continue;
		memset(&f, 0, sizeof(f));
		pg_text(ids, i, 1, f.kind, sizeof(f.kind));
		pg_text(ids, i, 2, f.status, sizeof(f.status));
		pg_text(ids, i, 3, f.first_seen, sizeof(f.first_seen));
		pg_text(ids, i, 4, f.last_seen, sizeof(f.last_seen));
		f.reports = (int)pg_int(ids, i, 5);
		f.signals = (int)pg_int(ids, i, 6);
		while ((cmp = row_cmp(src, is, hex)) <= 0) {
			if (cmp == 0)
				list_add(f.fraud_types, sizeof(f.fraud_types),
					 PQgetvalue(src, is, 1));
			is++;
		}
		while ((cmp = row_cmp(fir, jf, hex)) <= 0) {
			if (cmp == 0)
				list_add(f.fired, sizeof(f.fired), PQgetvalue(fir, jf, 1));
			jf++;
		}
		rc = each(arg, p, &f);
	}
	return rc;
}

/*
 * Like SQLite's merge of three cursors, in one read transaction
 * (REPEATABLE READ: one snapshot), but in pages of SCAN_PAGE identifiers
 * by pseudonym, each with the sources and live firings of the same
 * pseudonym range, so that ten million identifiers cost three index range
 * reads a page and never one result of them all.  Writers are serialised
 * and commit in the order of identifier_changes.seq, so the snapshot holds
 * exactly the changes up to the largest seq it sees: that is *upto.
 */
int pg_identifier_scan(struct store *st, store_facts_fn each, void *arg, int64_t *upto)
{
	static const char sql_ids[] =
		"SELECT pseudonym, kind, status, first_seen, last_seen, reports, signals "
		"FROM identifiers WHERE pseudonym > $1 ORDER BY pseudonym LIMIT $2";
	/* Ordered as SQLite reads them: by primary key, and by rowid within a pseudonym. */
	static const char sql_src[] =
		"SELECT pseudonym, fraud_type FROM identifier_sources WHERE pseudonym > $1 "
		"AND pseudonym <= $2 ORDER BY pseudonym, source, fraud_type, role";
	static const char sql_fir[] =
		"SELECT pseudonym, rule_id FROM rule_firings WHERE retracted_at IS NULL "
		"AND pseudonym > $1 AND pseudonym <= $2 ORDER BY pseudonym, id";
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	char *after = NULL; /* the last pseudonym of the previous page, as bytea text */
	int rc;

	*upto = 0;
	rc = scan_begin(st, &c);
	if (rc)
		return rc;
	rc = pg_query(c, "SELECT coalesce(max(seq), 0) FROM identifier_changes", NULL, &res);
	if (!rc) {
		*upto = pg_int(res, 0, 0);
		PQclear(res);
		after = mem_strdup("\\x"); /* the empty bytea sorts before every pseudonym */
		if (!after)
			rc = STORE_ENOMEM;
	}
	while (rc == STORE_OK) {
		PGresult *ids, *src = NULL, *fir = NULL;
		char *last = NULL;
		int nids;

		pg_params_init(&p);
		pg_param_text(&p, after);
		pg_param_int(&p, SCAN_PAGE);
		rc = pg_query(c, sql_ids, &p, &ids);
		if (rc)
			break;
		nids = PQntuples(ids);
		if (nids == 0) {
			PQclear(ids);
			break;
		}
		last = mem_strdup(PQgetvalue(ids, nids - 1, 0));
		if (!last)
			rc = STORE_ENOMEM;
		if (!rc) {
			pg_params_init(&p);
			pg_param_text(&p, after);
			pg_param_text(&p, last);
			rc = pg_query(c, sql_src, &p, &src);
		}
		if (!rc)
			rc = pg_query(c, sql_fir, &p, &fir);
		if (!rc)
			rc = scan_page(ids, src, fir, each, arg);
		PQclear(ids);
		PQclear(src);
		PQclear(fir);
		mem_free(after);
		after = last;
		if (nids < SCAN_PAGE)
			break;
	}
	mem_free(after);
	scan_end(c, rc);
	return rc;
}

int pg_identifier_changes(struct store *st, int64_t after, struct identifier_change *out,
			  size_t max, size_t *n)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c), rows;

	*n = 0;
	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, after);
	pg_param_int(&p, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
	rc = pg_query(c,
		      "SELECT seq, pseudonym FROM identifier_changes WHERE seq > $1 "
		      "ORDER BY seq LIMIT $2",
		      &p, &res);
	if (rc)
		return rc;
	rows = PQntuples(res);
	for (int i = 0; i < rows && *n < max; i++) {
		/* A malformed row still counts, so that the reader moves past it. */
		memset(out[*n].pseudonym, 0, ALERT_PSEUDONYM_BYTES);
		bytes_exact(res, i, 1, out[*n].pseudonym, ALERT_PSEUDONYM_BYTES);
		out[*n].seq = pg_int(res, i, 0);
		++*n;
	}
	PQclear(res);
	return STORE_OK;
}

int pg_identifier_changes_prune(struct store *st, int64_t upto)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_write_begin(s, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, upto);
	rc = pg_exec(c, "DELETE FROM identifier_changes WHERE seq <= $1", &p, NULL);
	return pg_write_end(s, c, rc);
}
