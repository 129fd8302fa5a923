/*
 * pg_alert.c - the identifier registry, rule firings, the outbox,
 * referrals and partner signals in the PostgreSQL backend; the
 * translation of sqlite_alert.c.
 *
 * The pg_tx_* functions run inside the calling thread's open write
 * transaction (the report writer calls them from its hook), so that what a
 * report causes is committed with the report or not at all.  They take no
 * lock of their own.
 *
 * Several nodes share the outbox.  pg_outbox_due hands a partner's rows to
 * one node at a time: the node holds a session-level advisory lock on the
 * partner for as long as it serves the partner (see there).
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "partner_signal.h"
#include "store/pg_int.h"
#include "util/mem.h"

/* A raw value erased by retention (an empty seal) comes back when the identifier is named again. */
int pg_tx_identifier_touch(struct store *st, const uint8_t *pseudonym, const char *kind,
			   const uint8_t *sealed, size_t sealed_len, const char *routing,
			   int signal, const char *now)
{
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, kind);
	pg_param_bytes(&p, sealed, sealed_len);
	pg_param_text(&p, routing);
	pg_param_text(&p, now);
	pg_param_int(&p, !signal);
	pg_param_int(&p, signal);
	return pg_exec(c,
		       "INSERT INTO identifiers (pseudonym, kind, sealed, routing, "
		       "first_seen, last_seen, reports, signals) VALUES ($1, $2, $3, $4, "
		       "$5, $5, $6, $7) ON CONFLICT (pseudonym) DO UPDATE SET last_seen = "
		       "excluded.last_seen, reports = identifiers.reports + excluded.reports, "
		       "signals = identifiers.signals + excluded.signals, sealed = CASE WHEN "
		       "octet_length(identifiers.sealed) = 0 THEN excluded.sealed ELSE "
		       "identifiers.sealed END",
		       &p, NULL);
}

int pg_tx_source_add(struct store *st, const uint8_t *pseudonym, const char *source,
		     const char *fraud_type, const char *role, int confidence, const char *now)
{
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, source);
	pg_param_text(&p, fraud_type ? fraud_type : "");
	pg_param_text(&p, role ? role : "");
	pg_param_int(&p, confidence);
	pg_param_text(&p, now);
	/* PostgreSQL names the conflict: the primary key. */
	return pg_exec(c,
		       "INSERT INTO identifier_sources (pseudonym, source, fraud_type, "
		       "role, confidence, first_at) VALUES ($1, $2, $3, $4, $5, $6) "
		       "ON CONFLICT (pseudonym, source, fraud_type, role) DO UPDATE SET "
		       "confidence = GREATEST(identifier_sources.confidence, "
		       "excluded.confidence)",
		       &p, NULL);
}

int pg_tx_sources(struct store *st, const uint8_t *pseudonym, const char *since,
		  int (*each)(void *arg, const struct alert_source *src), void *arg)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, since);
	/* COLLATE "C": byte order, as SQLite sorts text. */
	rc = pg_query(c,
		      "SELECT source, fraud_type, role, confidence FROM identifier_sources "
		      "WHERE pseudonym = $1 AND first_at >= $2 ORDER BY source COLLATE \"C\"",
		      &p, &res);
	if (rc)
		return rc;
	for (int i = 0; i < PQntuples(res); i++) {
		struct alert_source src;

		pg_text(res, i, 0, src.source, sizeof(src.source));
		pg_text(res, i, 1, src.fraud_type, sizeof(src.fraud_type));
		pg_text(res, i, 2, src.role, sizeof(src.role));
		src.confidence = (int)pg_int(res, i, 3);
		each(arg, &src);
	}
	PQclear(res);
	return STORE_OK;
}

int pg_tx_fired_since(struct store *st, const char *rule, const uint8_t *pseudonym,
		      const char *since, int *fired)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, rule);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, since);
	rc = pg_query(c,
		      "SELECT count(*) FROM rule_firings WHERE rule_id = $1 AND "
		      "pseudonym = $2 AND fired_at >= $3 AND retracted_at IS NULL",
		      &p, &res);
	*fired = 0;
	if (rc)
		return rc;
	*fired = PQntuples(res) > 0 && pg_int(res, 0, 0) > 0;
	PQclear(res);
	return STORE_OK;
}

int pg_tx_firing_add(struct store *st, const char *rule, const uint8_t *pseudonym, const char *now,
		     int sources, const char *reason)
{
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, rule);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, now);
	pg_param_int(&p, sources);
	pg_param_text(&p, reason);
	return pg_exec(c,
		       "INSERT INTO rule_firings (rule_id, pseudonym, fired_at, sources, "
		       "reason) VALUES ($1, $2, $3, $4, $5)",
		       &p, NULL);
}

int pg_tx_outbox_add(struct store *st, int64_t partner, const char *event, const uint8_t *pseudonym,
		     int raw, const char *payload, const char *now)
{
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, partner);
	pg_param_text(&p, event);
	pg_param_bytes(&p, pseudonym, pseudonym ? ALERT_PSEUDONYM_BYTES : 0); /* NULL: none */
	pg_param_int(&p, raw);
	pg_param_text(&p, payload);
	pg_param_text(&p, now);
	return pg_exec(c,
		       "INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
		       "created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
		       &p, NULL);
}

static void alert_row(const PGresult *r, int i, struct alert *a)
{
	uint8_t p[ALERT_PSEUDONYM_BYTES];
	size_t len = 0;

	memset(a, 0, sizeof(*a));
	a->id = pg_int(r, i, 0);
	a->partner = pg_int(r, i, 1);
	pg_text(r, i, 2, a->event, sizeof(a->event));
	a->has_pseudonym = !pg_isnull(r, i, 3) &&
			   pg_bytes(r, i, 3, p, sizeof(p), &len) == STORE_OK &&
			   len == ALERT_PSEUDONYM_BYTES;
	if (a->has_pseudonym)
		memcpy(a->pseudonym, p, ALERT_PSEUDONYM_BYTES);
	a->raw = (int)pg_int(r, i, 4);
	a->payload = pg_dup(r, i, 5);
	pg_text(r, i, 6, a->created_at, sizeof(a->created_at));
	a->attempts = (int)pg_int(r, i, 7);
	a->referral = pg_int(r, i, 9);
	/* An empty seal is a raw value erased by retention: none to add. */
	if (!pg_isnull(r, i, 8) && PQgetlength(r, i, 8) > 2) {
		size_t n = ((size_t)PQgetlength(r, i, 8) - 2) / 2; /* "\x" and hex */

		a->sealed = mem_alloc(n);
		if (a->sealed && pg_bytes(r, i, 8, a->sealed, n, &a->sealed_len) != STORE_OK) {
			mem_free(a->sealed);
			a->sealed = NULL;
			a->sealed_len = 0;
		}
	}
}

/* o.raw is an INTEGER column, not a boolean: compare it. */
#define ALERT_SELECT                                                                        \
	"SELECT o.id, o.partner_id, o.event, o.pseudonym, o.raw, o.payload, o.created_at, " \
	"o.attempts, CASE WHEN o.raw <> 0 THEN i.sealed END, o.referral_id FROM outbox o "  \
	"LEFT JOIN identifiers i "                                                          \
	"ON i.pseudonym = o.pseudonym "

/* Takes over res (the statement has its LIMIT): every row into a new array. */
static int alert_rows(PGresult *res, struct alert **out, size_t *n)
{
	int rows = PQntuples(res);

	*out = NULL;
	*n = 0;
	if (rows > 0) {
		*out = mem_calloc((size_t)rows, sizeof(**out));
		if (!*out) {
			PQclear(res);
			return STORE_ENOMEM;
		}
	}
	for (int i = 0; i < rows; i++)
		alert_row(res, i, &(*out)[(*n)++]);
	PQclear(res);
	return STORE_OK;
}

int pg_alerts_after(struct store *st, int64_t partner, int64_t after, int limit, struct alert **out,
		    size_t *n)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, partner);
	pg_param_int(&p, after);
	pg_param_int(&p, limit);
	rc = pg_query(c,
		      ALERT_SELECT "WHERE o.partner_id = $1 AND o.id > $2 "
				   "ORDER BY o.id LIMIT $3",
		      &p, &res);
	if (rc)
		return rc;
	return alert_rows(res, out, n);
}

/*
 * Who delivers what, when several nodes share the outbox.  SQLite has one
 * process, whose deliverer keeps the partners it serves out of the due
 * list (skip[]).  Here a node also claims each partner whose rows it hands
 * out: a session-level advisory lock (592934, partner id) on the deliverer
 * thread's connection.  Every node's due list leaves out the partners that
 * another session holds, so no row (and no partner) is served by two nodes
 * at once, and a partner's alerts still go out in order.  Nothing is
 * written: next_attempt_at stays the due time, as on SQLite.
 *
 * A node holds the lock while the partner is in its skip[] (its worker is
 * sending); the first call that no longer finds it there releases it (the
 * worker has committed its results and deferrals by then).  A node that
 * dies or loses its connection releases all of its locks at once, so its
 * rows are due again for the others, and for itself after a restart, at
 * once: there is no lease to wait out.  A partner claimed but not given a
 * worker is released by the next call the same way; and at most as many
 * partners as there are free workers (STORE_OUTBOX_SKIP_MAX - nskip) are
 * claimed at a time, so that a busy node does not sit on partners that
 * another node could serve.
 *
 * Lock keys are two int4s, 592934 and the partner id modulo 2^31 - 1: a
 * key space apart from PG_WRITE_LOCK's single bigint.  Advisory locks are
 * per database, but pg_locks shows the whole cluster's: hence the filter
 * on the database.
 */

/* Releases this connection's partner locks except skip[]'s (keys: partner id % (2^31 - 1)). */
static const char sql_outbox_release[] =
	"SELECT pg_advisory_unlock(592934, l.objid::integer) FROM pg_locks l WHERE "
	"l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.classid = 592934 AND "
	"l.objsubid = 2 AND l.granted AND l.objid::bigint NOT IN ($1, $2, $3, $4, $5, $6, $7, $8)";

/*
 * The partners of the first $2 due rows that nobody (else) serves, at most
 * $11 of them, oldest row first, each locked here; a partner another node
 * locked meanwhile is left out.  The CTE is materialised so that the lock
 * is tried for those partners only.
 */
static const char sql_outbox_claim[] =
	"WITH cand AS MATERIALIZED (SELECT d.partner_id, min(d.id) AS first FROM "
	"(SELECT o.id, o.partner_id FROM outbox o JOIN partners p ON p.id = o.partner_id "
	"WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= $1 "
	"AND p.webhook_url IS NOT NULL "
	"AND o.partner_id NOT IN ($3, $4, $5, $6, $7, $8, $9, $10) "
	"AND o.partner_id % 2147483647 NOT IN (SELECT l.objid::bigint FROM pg_locks l "
	"WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database "
	"WHERE datname = current_database()) AND l.classid = 592934 AND l.objsubid = 2 "
	"AND l.granted) ORDER BY o.id LIMIT $2) d "
	"GROUP BY d.partner_id ORDER BY first LIMIT $11) "
	"SELECT partner_id FROM cand WHERE "
	"pg_try_advisory_lock(592934, (partner_id % 2147483647)::integer) ORDER BY first";

/*
 * The due rows of the partners claimed ($3, an array), read by a statement
 * of its own: its snapshot is taken after the locks, so it sees what the
 * node that served them before committed.
 */
static const char sql_outbox_rows[] =
	ALERT_SELECT "JOIN partners p ON p.id = o.partner_id WHERE "
		     "o.delivered_at IS NULL AND o.dead_at IS NULL "
		     "AND o.next_attempt_at <= $1 AND p.webhook_url IS "
		     "NOT NULL AND o.partner_id = ANY ($3::bigint[]) ORDER BY o.id LIMIT $2";

int pg_outbox_due(struct store *st, const char *now, int limit, const int64_t *skip, size_t nskip,
		  struct alert **out, size_t *n)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	char claimed[STORE_OUTBOX_SKIP_MAX * 24 + 4];
	size_t pos = 0, free_workers;
	int rc = pg_conn_of(st, &c), rows;

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	if (nskip > STORE_OUTBOX_SKIP_MAX)
		nskip = STORE_OUTBOX_SKIP_MAX;
	free_workers = STORE_OUTBOX_SKIP_MAX - nskip;

	/* Partners served meanwhile: no longer this node's.  Unused places are -1, no key. */
	pg_params_init(&p);
	for (int i = 0; i < STORE_OUTBOX_SKIP_MAX; i++)
		pg_param_int(&p, (size_t)i < nskip ? skip[i] % 2147483647 : -1);
	rc = pg_exec(c, sql_outbox_release, &p, NULL);
	if (rc)
		return rc;

	pg_params_init(&p);
	pg_param_text(&p, now);
	pg_param_int(&p, limit);
	/* Unused places are 0, which is no partner's id. */
	for (int i = 0; i < STORE_OUTBOX_SKIP_MAX; i++)
		pg_param_int(&p, (size_t)i < nskip ? skip[i] : 0);
	pg_param_int(&p, (int64_t)free_workers);
	rc = pg_query(c, sql_outbox_claim, &p, &res);
	if (rc)
		return rc;
	/* The partners claimed, as an array literal: {1,5,9}. */
	rows = PQntuples(res);
	claimed[pos++] = '{';
	for (int i = 0; i < rows && i < STORE_OUTBOX_SKIP_MAX; i++)
		pos += (size_t)snprintf(claimed + pos, sizeof(claimed) - pos, "%s%s", i ? "," : "",
					PQgetvalue(res, i, 0));
	snprintf(claimed + pos, sizeof(claimed) - pos, "}");
	PQclear(res);
	if (rows == 0)
		return STORE_OK;

	pg_params_init(&p);
	pg_param_text(&p, now);
	pg_param_int(&p, limit);
	pg_param_text(&p, claimed);
	rc = pg_query(c, sql_outbox_rows, &p, &res);
	if (rc)
		return rc;
	return alert_rows(res, out, n);
}

int pg_outbox_defer(struct store *st, int64_t partner, const char *until, const char *why)
{
	struct pg_store *ps = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_write_begin(ps, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, partner);
	pg_param_text(&p, until);
	pg_param_text(&p, why);
	rc = pg_exec(c,
		     "UPDATE outbox SET next_attempt_at = $2, last_error = $3 WHERE "
		     "partner_id = $1 AND delivered_at IS NULL AND dead_at IS NULL AND "
		     "next_attempt_at < $2",
		     &p, NULL);
	return pg_write_end(ps, c, rc);
}

/* A delivered referral row moves its referral from pending to delivered, with the event. */
static int referral_delivered(struct pg_conn *c, int64_t outbox_id, const char *now)
{
	struct pg_params p;
	PGresult *res;
	int64_t ref = 0;
	int rc;

	pg_params_init(&p);
	pg_param_int(&p, outbox_id);
	pg_param_text(&p, now);
	rc = pg_query(c,
		      "UPDATE referrals SET status = 'delivered', updated_at = $2 WHERE id = "
		      "(SELECT referral_id FROM outbox WHERE id = $1 AND event = 'referral') "
		      "AND status = 'pending' RETURNING id",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0)
		ref = pg_int(res, 0, 0);
	PQclear(res);
	if (!ref)
		return STORE_OK;
	pg_params_init(&p);
	pg_param_int(&p, ref);
	pg_param_text(&p, now);
	return pg_exec(c,
		       "INSERT INTO referral_events (referral_id, status, at) VALUES ($1, "
		       "'delivered', $2)",
		       &p, NULL);
}

int pg_outbox_results(struct store *st, const struct delivery_result *r, size_t n)
{
	struct pg_store *ps = pg_store_of(st);
	struct pg_conn *c;
	int rc = pg_write_begin(ps, &c);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		struct pg_params p;

		pg_params_init(&p);
		pg_param_int(&p, r[i].id);
		pg_param_int(&p, r[i].delivered);
		pg_param_text(&p, r[i].at);
		pg_param_opt(&p, r[i].next);
		pg_param_int(&p, r[i].dead);
		pg_param_opt(&p, r[i].error);
		pg_param_int(&p, r[i].deferred);
		/* The flags are integers: SQLite's truth is "not 0". */
		rc = pg_exec(c,
			     "UPDATE outbox SET attempts = attempts + CASE WHEN $7::integer = 0 "
			     "THEN 1 ELSE 0 END, delivered_at = CASE WHEN $2::integer <> 0 THEN "
			     "$3::text END, next_attempt_at = coalesce($4::text, "
			     "next_attempt_at), dead_at = CASE WHEN $5::integer <> 0 THEN "
			     "$3::text END, last_error = $6::text WHERE id = $1",
			     &p, NULL);
		if (rc == STORE_OK && r[i].delivered)
			rc = referral_delivered(c, r[i].id, r[i].at);
	}
	return pg_write_end(ps, c, rc);
}

int pg_signals_insert(struct store *st, struct signal *sig, size_t n, store_signal_hook_fn hook,
		      void *arg)
{
	struct pg_store *ps = pg_store_of(st);
	struct pg_conn *c;
	int rc = pg_write_begin(ps, &c);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		struct pg_params p;
		PGresult *res;

		pg_params_init(&p);
		pg_param_int(&p, sig[i].partner);
		pg_param_bytes(&p, sig[i].pseudonym, ALERT_PSEUDONYM_BYTES);
		pg_param_text(&p, ident_kind_name(sig[i].kind));
		pg_param_text(&p, sig[i].fraud_type);
		pg_param_text(&p, sig[i].modus_operandi); /* NULL: none */
		pg_param_int(&p, sig[i].confidence);
		pg_param_text(&p, tlp_name(sig[i].tlp));
		pg_param_text(&p, sig[i].scope_sectors);
		pg_param_opt(&p, sig[i].valid_until);
		pg_param_text(&p, sig[i].created_at);
		rc = pg_query(c,
			      "INSERT INTO signals (partner_id, pseudonym, kind, fraud_type, "
			      "modus_operandi, confidence, tlp, scope, valid_until, created_at) "
			      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
			      &p, &res);
		if (rc)
			break;
		sig[i].id = PQntuples(res) > 0 ? pg_int(res, 0, 0) : 0;
		PQclear(res);
		if (hook)
			rc = hook(arg, &sig[i]);
	}
	return pg_write_end(ps, c, rc);
}

int pg_outbox_dead(struct store *st, struct alert **out, size_t *n)
{
	struct pg_conn *c;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	/* The last error travels in the payload's place: that is what an operator needs. */
	rc = pg_query(c,
		      "SELECT o.id, o.partner_id, o.event, NULL, 0, "
		      "coalesce(o.last_error, ''), o.dead_at, o.attempts, NULL, NULL FROM "
		      "outbox o WHERE o.dead_at IS NOT NULL ORDER BY o.id LIMIT 10000",
		      NULL, &res);
	if (rc)
		return rc;
	return alert_rows(res, out, n);
}

int pg_outbox_retry(struct store *st, int64_t id, const char *now, int *count)
{
	struct pg_store *ps = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	int64_t changed = 0;
	int rc = pg_write_begin(ps, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, id);
	pg_param_text(&p, now);
	rc = pg_exec(c,
		     "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $2 "
		     "WHERE dead_at IS NOT NULL AND ($1::bigint = 0 OR id = $1::bigint)",
		     &p, &changed);
	*count = (int)changed;
	return pg_write_end(ps, c, rc);
}

int pg_tx_referral_route(struct store *st, int64_t report, const char *recipient, int64_t partner,
			 const char *payload, const char *now)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int64_t ref = 0;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, report);
	pg_param_text(&p, recipient);
	pg_param_int(&p, partner);
	rc = pg_query(c,
		      "UPDATE referrals SET partner_id = $3 WHERE report_id = $1 AND "
		      "recipient = $2 RETURNING id",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 0)
		rc = STORE_ENOTFOUND;
	else
		ref = pg_int(res, 0, 0);
	PQclear(res);
	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, partner);
	pg_param_text(&p, payload);
	pg_param_text(&p, now);
	pg_param_int(&p, ref);
	return pg_exec(c,
		       "INSERT INTO outbox (partner_id, event, raw, payload, created_at, "
		       "next_attempt_at, referral_id) VALUES ($1, 'referral', 0, $2, $3, $3, $4)",
		       &p, NULL);
}

int pg_referral_case(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
		     char *recipient, size_t recipientsz)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, referral);
	rc = pg_query(c,
		      "SELECT r.case_hash, f.partner_id, f.recipient FROM referrals f "
		      "JOIN reports r ON r.id = f.report_id WHERE f.id = $1",
		      &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) > 0) {
		uint8_t h[32];
		size_t len = 0;

		if (pg_bytes(res, 0, 0, h, sizeof(h), &len) == STORE_OK && len == 32)
			memcpy(hash, h, 32);
		*partner = pg_int(res, 0, 1);
		pg_text(res, 0, 2, recipient, recipientsz);
	} else {
		rc = STORE_ENOTFOUND;
	}
	PQclear(res);
	return rc;
}

/* The steps a recipient may take: forward only, and not from an ended referral. */
static int step_allowed(const char *from, const char *to)
{
	static const char *const order[] = { "delivered", "received", "in_progress", "closed" };
	int a = -1, b = -1;

	for (int i = 0; i < 4; i++) {
		if (strcmp(order[i], from) == 0)
			a = i;
		if (strcmp(order[i], to) == 0)
			b = i;
	}
	return a >= 0 && b > a;
}

int pg_referral_update(struct store *st, int64_t referral, int64_t partner, const char *status,
		       const char *now)
{
	struct pg_store *ps = pg_store_of(st);
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	char current[16] = "";
	int64_t owner = 0;
	int rc = pg_write_begin(ps, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_int(&p, referral);
	rc = pg_query(c, "SELECT status, partner_id FROM referrals WHERE id = $1", &p, &res);
	if (!rc) {
		if (PQntuples(res) > 0) {
			pg_text(res, 0, 0, current, sizeof(current));
			owner = pg_int(res, 0, 1);
		} else {
			rc = STORE_ENOTFOUND;
		}
		PQclear(res);
	}
	if (!rc && owner != partner)
		rc = STORE_ENOTFOUND; /* not yours: it does not exist for you */
	if (!rc && !step_allowed(current, status))
		rc = STORE_ECONFLICT;
	if (!rc) {
		pg_params_init(&p);
		pg_param_int(&p, referral);
		pg_param_text(&p, status);
		pg_param_text(&p, now);
		rc = pg_exec(c, "UPDATE referrals SET status = $2, updated_at = $3 WHERE id = $1",
			     &p, NULL);
	}
	if (!rc)
		rc = pg_exec(c,
			     "INSERT INTO referral_events (referral_id, status, at) VALUES "
			     "($1, $2, $3)",
			     &p, NULL);
	return pg_write_end(ps, c, rc);
}

int pg_tx_firing_retract(struct store *st, const char *rule, const uint8_t *pseudonym,
			 const char *since, const char *now, const char *payload)
{
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, rule);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, since);
	pg_param_text(&p, now);
	rc = pg_exec(c,
		     "UPDATE rule_firings SET retracted_at = $4 WHERE rule_id = $1 AND "
		     "pseudonym = $2 AND fired_at >= $3 AND retracted_at IS NULL",
		     &p, NULL);
	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, rule);
	pg_param_bytes(&p, pseudonym, ALERT_PSEUDONYM_BYTES);
	pg_param_text(&p, payload);
	pg_param_text(&p, now);
	/* Casts: in a SELECT DISTINCT list, untyped parameters would be taken for text. */
	return pg_exec(c,
		       "INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
		       "created_at, next_attempt_at) SELECT DISTINCT partner_id, 'retraction', "
		       "$2::bytea, 0, $3::text, $4::text, $4::text FROM outbox WHERE pseudonym = "
		       "$2::bytea AND event = 'alert' AND (payload::jsonb ->> 'rule') = $1::text",
		       &p, NULL);
}
