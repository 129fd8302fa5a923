/*
 * sqlite_alert.c - the identifier registry, rule firings and the outbox.
 *
 * The store_tx_* functions run inside the calling thread's open write
 * transaction (the report writer calls them from its hook), so that what a
 * report causes is committed with the report or not at all.  They take no
 * lock of their own.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "partner_signal.h"
#include "store/sqlite_int.h"
#include "util/mem.h"

/* A raw value erased by retention (an empty seal) comes back when the identifier is named again. */
int sqlite_tx_identifier_touch(struct store *st, const uint8_t *pseudonym, const char *kind,
			       const uint8_t *sealed, size_t sealed_len, const char *routing,
			       int signal, const char *now)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO identifiers (pseudonym, kind, sealed, routing, "
			"first_seen, last_seen, reports, signals) VALUES (?1, ?2, ?3, ?4, "
			"?5, ?5, ?6, ?7) ON CONFLICT (pseudonym) DO UPDATE SET last_seen = "
			"excluded.last_seen, reports = reports + excluded.reports, "
			"signals = signals + excluded.signals, sealed = CASE WHEN "
			"length(sealed) = 0 THEN excluded.sealed ELSE sealed END",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, sealed, (int)sealed_len, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, routing, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, !signal);
	sqlite3_bind_int(s, 7, signal);
	return sqlite_step_done(s);
}

int sqlite_tx_source_add(struct store *st, const uint8_t *pseudonym, const char *source,
			 const char *fraud_type, const char *role, int confidence, const char *now)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO identifier_sources (pseudonym, source, fraud_type, "
			"role, confidence, first_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
			"ON CONFLICT DO UPDATE SET confidence = max(confidence, "
			"excluded.confidence)",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, fraud_type ? fraud_type : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, role ? role : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, confidence);
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

int sqlite_tx_sources(struct store *st, const uint8_t *pseudonym, const char *since,
		      int (*each)(void *arg, const struct alert_source *src), void *arg)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT source, fraud_type, role, confidence FROM "
				      "identifier_sources WHERE pseudonym = ?1 AND first_at >= ?2 "
				      "ORDER BY source",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, since, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert_source src;

		snprintf(src.source, sizeof(src.source), "%s", sqlite3_column_text(s, 0));
		snprintf(src.fraud_type, sizeof(src.fraud_type), "%s", sqlite3_column_text(s, 1));
		snprintf(src.role, sizeof(src.role), "%s", sqlite3_column_text(s, 2));
		src.confidence = sqlite3_column_int(s, 3);
		each(arg, &src);
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_tx_fired_since(struct store *st, const char *rule, const uint8_t *pseudonym,
			  const char *since, int *fired)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT count(*) FROM rule_firings WHERE rule_id = ?1 AND "
				      "pseudonym = ?2 AND fired_at >= ?3 AND retracted_at IS NULL",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, since, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	*fired = rc == SQLITE_ROW && sqlite3_column_int(s, 0) > 0;
	rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_tx_firing_add(struct store *st, const char *rule, const uint8_t *pseudonym,
			 const char *now, int sources, const char *reason)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO rule_firings (rule_id, pseudonym, fired_at, sources, "
			"reason) VALUES (?1, ?2, ?3, ?4, ?5)",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, sources);
	sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

int sqlite_tx_outbox_add(struct store *st, int64_t partner, const char *event,
			 const uint8_t *pseudonym, int raw, const char *payload, const char *now)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
			"created_at, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, partner);
	sqlite3_bind_text(s, 2, event, -1, SQLITE_STATIC);
	if (pseudonym)
		sqlite3_bind_blob(s, 3, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, raw);
	sqlite3_bind_text(s, 5, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, now, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

static void alert_row(sqlite3_stmt *s, struct alert *a)
{
	const void *p;

	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->partner = sqlite3_column_int64(s, 1);
	snprintf(a->event, sizeof(a->event), "%s", sqlite3_column_text(s, 2));
	p = sqlite3_column_blob(s, 3);
	a->has_pseudonym = p && sqlite3_column_bytes(s, 3) == ALERT_PSEUDONYM_BYTES;
	if (a->has_pseudonym)
		memcpy(a->pseudonym, p, ALERT_PSEUDONYM_BYTES);
	a->raw = sqlite3_column_int(s, 4);
	a->payload = mem_strdup((const char *)sqlite3_column_text(s, 5));
	snprintf(a->created_at, sizeof(a->created_at), "%s", sqlite3_column_text(s, 6));
	a->attempts = sqlite3_column_int(s, 7);
	a->referral = sqlite3_column_int64(s, 9);
	/* An empty seal is a raw value erased by retention: none to add. */
	if (sqlite3_column_type(s, 8) == SQLITE_BLOB && sqlite3_column_bytes(s, 8) > 0) {
		int n = sqlite3_column_bytes(s, 8);

		a->sealed = mem_alloc((size_t)n);
		if (a->sealed) {
			memcpy(a->sealed, sqlite3_column_blob(s, 8), (size_t)n);
			a->sealed_len = (size_t)n;
		}
	}
}

#define ALERT_SELECT                                                                        \
	"SELECT o.id, o.partner_id, o.event, o.pseudonym, o.raw, o.payload, o.created_at, " \
	"o.attempts, CASE WHEN o.raw THEN i.sealed END, o.referral_id FROM outbox o "       \
	"LEFT JOIN identifiers i "                                                          \
	"ON i.pseudonym = o.pseudonym "

static int alert_rows(sqlite3_stmt *s, struct alert **out, size_t *n, size_t max)
{
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			struct alert *a = mem_realloc(*out, (cap ? cap * 2 : 16) * sizeof(*a));

			if (!a) {
				sqlite3_reset(s);
				return STORE_ENOMEM;
			}
			*out = a;
			cap = cap ? cap * 2 : 16;
		}
		alert_row(s, &(*out)[(*n)++]);
	}
	rc = *n == max || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_alerts_after(struct store *st, int64_t partner, int64_t after, int limit,
			struct alert **out, size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      ALERT_SELECT "WHERE o.partner_id = ?1 AND o.id > ?2 "
						   "ORDER BY o.id LIMIT ?3",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, partner);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int(s, 3, limit);
	return alert_rows(s, out, n, (size_t)limit);
}

int sqlite_outbox_due(struct store *st, const char *now, int limit, const int64_t *skip,
		      size_t nskip, struct alert **out, size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(c,
				      ALERT_SELECT
				      "JOIN partners p ON p.id = o.partner_id WHERE "
				      "o.delivered_at IS NULL AND o.dead_at IS NULL "
				      "AND o.next_attempt_at <= ?1 AND p.webhook_url IS "
				      "NOT NULL AND o.partner_id NOT IN (?3, ?4, ?5, ?6, ?7, ?8, "
				      "?9, ?10) ORDER BY o.id LIMIT ?2",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, limit);
	/* Unused places are 0, which is no partner's id. */
	for (int i = 0; i < STORE_OUTBOX_SKIP_MAX; i++)
		sqlite3_bind_int64(s, 3 + i, (size_t)i < nskip ? skip[i] : 0);
	return alert_rows(s, out, n, (size_t)limit);
}

int sqlite_outbox_defer(struct store *st, int64_t partner, const char *until, const char *why)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "UPDATE outbox SET next_attempt_at = ?2, last_error = ?3 WHERE "
			      "partner_id = ?1 AND delivered_at IS NULL AND dead_at IS NULL AND "
			      "next_attempt_at < ?2",
			      &s);
	if (rc == STORE_OK) {
		sqlite3_bind_int64(s, 1, partner);
		sqlite3_bind_text(s, 2, until, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
	}
	return sqlite_write_end(ss, c, rc);
}

/* A delivered referral row moves its referral from pending to delivered, with the event. */
static int referral_delivered(struct sqlite_conn *c, int64_t outbox_id, const char *now)
{
	sqlite3_stmt *s;
	int64_t ref = 0;
	int rc = sqlite_conn_stmt(
		c,
		"UPDATE referrals SET status = 'delivered', updated_at = ?2 WHERE id = "
		"(SELECT referral_id FROM outbox WHERE id = ?1 AND event = 'referral') "
		"AND status = 'pending' RETURNING id",
		&s);

	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, outbox_id);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ref = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	if (rc || !ref)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "INSERT INTO referral_events (referral_id, status, at) VALUES (?1, "
			      "'delivered', ?2)",
			      &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, ref);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

int sqlite_outbox_results(struct store *st, const struct delivery_result *r, size_t n)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		rc = sqlite_conn_stmt(
			c,
			"UPDATE outbox SET attempts = attempts + (NOT ?7), delivered_at = CASE "
			"WHEN ?2 THEN ?3 END, next_attempt_at = coalesce(?4, "
			"next_attempt_at), dead_at = CASE WHEN ?5 THEN ?3 END, "
			"last_error = ?6 WHERE id = ?1",
			&s);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, r[i].id);
		sqlite3_bind_int(s, 2, r[i].delivered);
		sqlite3_bind_text(s, 3, r[i].at, -1, SQLITE_STATIC);
		if (r[i].next[0])
			sqlite3_bind_text(s, 4, r[i].next, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 5, r[i].dead);
		sqlite3_bind_int(s, 7, r[i].deferred);
		if (r[i].error[0])
			sqlite3_bind_text(s, 6, r[i].error, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
		if (rc == STORE_OK && r[i].delivered)
			rc = referral_delivered(c, r[i].id, r[i].at);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_signals_insert(struct store *st, struct signal *sig, size_t n, store_signal_hook_fn hook,
			  void *arg)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	for (size_t i = 0; i < n && rc == STORE_OK; i++) {
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO signals (partner_id, pseudonym, kind, fraud_type, "
			"modus_operandi, confidence, tlp, scope, valid_until, created_at) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
			&s);
		if (rc)
			break;
		sqlite3_bind_int64(s, 1, sig[i].partner);
		sqlite3_bind_blob(s, 2, sig[i].pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, ident_kind_name(sig[i].kind), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, sig[i].fraud_type, -1, SQLITE_STATIC);
		if (sig[i].modus_operandi)
			sqlite3_bind_text(s, 5, sig[i].modus_operandi, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 6, sig[i].confidence);
		sqlite3_bind_text(s, 7, tlp_name(sig[i].tlp), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, sig[i].scope_sectors, -1, SQLITE_STATIC);
		if (sig[i].valid_until[0])
			sqlite3_bind_text(s, 9, sig[i].valid_until, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 10, sig[i].created_at, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
		sig[i].id = sqlite3_last_insert_rowid(c->db);
		if (rc == STORE_OK && hook)
			rc = hook(arg, &sig[i]);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_outbox_dead(struct store *st, struct alert **out, size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	/* The last error travels in the payload's place: that is what an operator needs. */
	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT o.id, o.partner_id, o.event, NULL, 0, "
			"coalesce(o.last_error, ''), o.dead_at, o.attempts, NULL, NULL FROM "
			"outbox o WHERE o.dead_at IS NOT NULL ORDER BY o.id LIMIT 10000",
			&s);
	if (rc)
		return rc;
	return alert_rows(s, out, n, 10000);
}

int sqlite_outbox_retry(struct store *st, int64_t id, const char *now, int *count)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(
		c,
		"UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ?2 "
		"WHERE dead_at IS NOT NULL AND (?1 = 0 OR id = ?1)",
		&s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		rc = sqlite_step_done(s);
		*count = sqlite3_changes(c->db);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_tx_referral_route(struct store *st, int64_t report, const char *recipient,
			     int64_t partner, const char *payload, const char *now)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int64_t ref = 0;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"UPDATE referrals SET partner_id = ?3 WHERE report_id = ?1 AND "
			"recipient = ?2 RETURNING id",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, report);
	sqlite3_bind_text(s, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, partner);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		ref = sqlite3_column_int64(s, 0);
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	if (rc)
		return rc;
	rc = sqlite_conn_stmt(
		c,
		"INSERT INTO outbox (partner_id, event, raw, payload, created_at, "
		"next_attempt_at, referral_id) VALUES (?1, 'referral', 0, ?2, ?3, ?3, ?4)",
		&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, partner);
	sqlite3_bind_text(s, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, ref);
	return sqlite_step_done(s);
}

int sqlite_referral_case(struct store *st, int64_t referral, uint8_t *hash, int64_t *partner,
			 char *recipient, size_t recipientsz)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT r.case_hash, f.partner_id, f.recipient FROM referrals f "
			"JOIN reports r ON r.id = f.report_id WHERE f.id = ?1",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, referral);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (sqlite3_column_bytes(s, 0) == 32)
			memcpy(hash, sqlite3_column_blob(s, 0), 32);
		*partner = sqlite3_column_int64(s, 1);
		snprintf(recipient, recipientsz, "%s", sqlite3_column_text(s, 2));
	}
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
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

int sqlite_referral_update(struct store *st, int64_t referral, int64_t partner, const char *status,
			   const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	char current[16] = "";
	int64_t owner = 0;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c, "SELECT status, partner_id FROM referrals WHERE id = ?1", &s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, referral);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			snprintf(current, sizeof(current), "%s", sqlite3_column_text(s, 0));
			owner = sqlite3_column_int64(s, 1);
		}
		rc = rc == SQLITE_ROW	 ? STORE_OK
		     : rc == SQLITE_DONE ? STORE_ENOTFOUND
					 : sqlite_err(rc);
		sqlite3_reset(s);
	}
	if (!rc && owner != partner)
		rc = STORE_ENOTFOUND; /* not yours: it does not exist for you */
	if (!rc && !step_allowed(current, status))
		rc = STORE_ECONFLICT;
	if (!rc) {
		rc = sqlite_conn_stmt(
			c, "UPDATE referrals SET status = ?2, updated_at = ?3 WHERE id = ?1", &s);
		if (!rc) {
			sqlite3_bind_int64(s, 1, referral);
			sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
			rc = sqlite_step_done(s);
		}
	}
	if (!rc) {
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO referral_events (referral_id, status, at) VALUES "
			"(?1, ?2, ?3)",
			&s);
		if (!rc) {
			sqlite3_bind_int64(s, 1, referral);
			sqlite3_bind_text(s, 2, status, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
			rc = sqlite_step_done(s);
		}
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_tx_firing_retract(struct store *st, const char *rule, const uint8_t *pseudonym,
			     const char *since, const char *now, const char *payload)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"UPDATE rule_firings SET retracted_at = ?4 WHERE rule_id = ?1 AND "
			"pseudonym = ?2 AND fired_at >= ?3 AND retracted_at IS NULL",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	rc = sqlite_step_done(s);
	if (rc)
		return rc;
	rc = sqlite_conn_stmt(
		c,
		"INSERT INTO outbox (partner_id, event, pseudonym, raw, payload, "
		"created_at, next_attempt_at) SELECT DISTINCT partner_id, 'retraction', "
		"?2, 0, ?3, ?4, ?4 FROM outbox WHERE pseudonym = ?2 AND event = 'alert' "
		"AND json_extract(payload, '$.rule') = ?1",
		&s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, rule, -1, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	return sqlite_step_done(s);
}

/* Appends the first column of each row of s to a comma-separated list. */
static int join_rows(sqlite3_stmt *s, char *out, size_t outsz)
{
	size_t pos = 0;
	int rc;

	out[0] = '\0';
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);
		int n;

		if (!v || !*v)
			continue;
		n = snprintf(out + pos, outsz - pos, "%s%s", pos ? "," : "", v);
		if (n < 0 || (size_t)n >= outsz - pos)
			break;
		pos += (size_t)n;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_identifier_facts(struct store *st, const uint8_t *pseudonym,
			    struct identifier_facts *out)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT kind, status, first_seen, last_seen, reports, signals "
			"FROM identifiers WHERE pseudonym = ?1",
			&s);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	sqlite3_bind_blob(s, 1, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(out->kind, sizeof(out->kind), "%s", sqlite3_column_text(s, 0));
		snprintf(out->status, sizeof(out->status), "%s", sqlite3_column_text(s, 1));
		snprintf(out->first_seen, sizeof(out->first_seen), "%s", sqlite3_column_text(s, 2));
		snprintf(out->last_seen, sizeof(out->last_seen), "%s", sqlite3_column_text(s, 3));
		out->reports = sqlite3_column_int(s, 4);
		out->signals = sqlite3_column_int(s, 5);
	}
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	if (rc)
		return rc;
	rc = sqlite_conn_stmt(
		c,
		"SELECT DISTINCT fraud_type FROM identifier_sources WHERE pseudonym = ?1 "
		"ORDER BY fraud_type",
		&s);
	if (!rc) {
		sqlite3_bind_blob(s, 1, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
		rc = join_rows(s, out->fraud_types, sizeof(out->fraud_types));
	}
	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT DISTINCT rule_id FROM rule_firings WHERE pseudonym = ?1 "
			"AND retracted_at IS NULL ORDER BY rule_id",
			&s);
	if (!rc) {
		sqlite3_bind_blob(s, 1, pseudonym, ALERT_PSEUDONYM_BYTES, SQLITE_STATIC);
		rc = join_rows(s, out->fired, sizeof(out->fired));
	}
	return rc;
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

/* Compares the pseudonym in column 0 of a stepped row with p; a missing row sorts last. */
static int row_cmp(sqlite3_stmt *s, int stepped, const uint8_t *p)
{
	if (stepped != SQLITE_ROW)
		return 1;
	if (sqlite3_column_bytes(s, 0) != ALERT_PSEUDONYM_BYTES)
		return -1; /* not a pseudonym: skipped */
	return memcmp(sqlite3_column_blob(s, 0), p, ALERT_PSEUDONYM_BYTES);
}

/*
 * A merge of three cursors in pseudonym order: the identifiers, their
 * sources (for the fraud types) and their live rule firings, so that ten
 * million identifiers cost three sequential reads rather than thirty
 * million lookups.
 */
int sqlite_identifier_scan(struct store *st, store_facts_fn each, void *arg, int64_t *upto)
{
	struct sqlite_conn *c;
	sqlite3_stmt *b, *seq, *ids, *src, *fir, *e;
	int rc = sqlite_conn_of(st, &c), ri, rs, rf;

	*upto = 0;
	if (!rc)
		rc = sqlite_conn_stmt(c, "BEGIN", &b);
	if (!rc)
		rc = sqlite_step_done(b);
	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c, "SELECT coalesce(max(seq), 0) FROM identifier_changes", &seq);
	if (!rc) {
		rc = sqlite3_step(seq);
		if (rc == SQLITE_ROW)
			*upto = sqlite3_column_int64(seq, 0);
		rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
		sqlite3_reset(seq);
	}
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT pseudonym, kind, status, first_seen, last_seen, "
				      "reports, signals FROM identifiers ORDER BY pseudonym",
				      &ids);
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT pseudonym, fraud_type FROM identifier_sources "
				      "ORDER BY pseudonym",
				      &src);
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT pseudonym, rule_id FROM rule_firings WHERE "
				      "retracted_at IS NULL ORDER BY pseudonym",
				      &fir);
	if (rc)
		goto end;
	rs = sqlite3_step(src);
	rf = sqlite3_step(fir);
	while (rc == STORE_OK && (ri = sqlite3_step(ids)) == SQLITE_ROW) {
		struct identifier_facts f;
		uint8_t p[ALERT_PSEUDONYM_BYTES];
		int cmp;

		if (sqlite3_column_bytes(ids, 0) != ALERT_PSEUDONYM_BYTES)
			continue;
		memcpy(p, sqlite3_column_blob(ids, 0), sizeof(p));
		memset(&f, 0, sizeof(f));
		snprintf(f.kind, sizeof(f.kind), "%s", sqlite3_column_text(ids, 1));
		snprintf(f.status, sizeof(f.status), "%s", sqlite3_column_text(ids, 2));
		snprintf(f.first_seen, sizeof(f.first_seen), "%s", sqlite3_column_text(ids, 3));
		snprintf(f.last_seen, sizeof(f.last_seen), "%s", sqlite3_column_text(ids, 4));
		f.reports = sqlite3_column_int(ids, 5);
		f.signals = sqlite3_column_int(ids, 6);
		while ((cmp = row_cmp(src, rs, p)) <= 0) {
			if (cmp == 0)
				list_add(f.fraud_types, sizeof(f.fraud_types),
					 (const char *)sqlite3_column_text(src, 1));
			rs = sqlite3_step(src);
		}
		while ((cmp = row_cmp(fir, rf, p)) <= 0) {
			if (cmp == 0)
				list_add(f.fired, sizeof(f.fired),
					 (const char *)sqlite3_column_text(fir, 1));
			rf = sqlite3_step(fir);
		}
		rc = each(arg, p, &f);
	}
	if (rc == STORE_OK && ri != SQLITE_DONE)
		rc = sqlite_err(ri);
	if (rc == STORE_OK && (rs == SQLITE_ROW || rs == SQLITE_DONE) == 0)
		rc = sqlite_err(rs);
	if (rc == STORE_OK && (rf == SQLITE_ROW || rf == SQLITE_DONE) == 0)
		rc = sqlite_err(rf);
	sqlite3_reset(ids);
	sqlite3_reset(src);
	sqlite3_reset(fir);
end:
	if (sqlite_conn_stmt(c, "COMMIT", &e) == STORE_OK)
		sqlite_step_done(e);
	return rc;
}

int sqlite_identifier_changes(struct store *st, int64_t after, struct identifier_change *out,
			      size_t max, size_t *n)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_of(st, &c);

	*n = 0;
	if (!rc)
		rc = sqlite_conn_stmt(c,
				      "SELECT seq, pseudonym FROM identifier_changes WHERE "
				      "seq > ?1 ORDER BY seq LIMIT ?2",
				      &s);
	if (rc)
		return rc;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int len = sqlite3_column_bytes(s, 1);

		/* A malformed row still counts, so that the reader moves past it. */
		memset(out[*n].pseudonym, 0, ALERT_PSEUDONYM_BYTES);
		if (len == ALERT_PSEUDONYM_BYTES)
			memcpy(out[*n].pseudonym, sqlite3_column_blob(s, 1), ALERT_PSEUDONYM_BYTES);
		out[*n].seq = sqlite3_column_int64(s, 0);
		++*n;
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_identifier_changes_prune(struct store *st, int64_t upto)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c, "DELETE FROM identifier_changes WHERE seq <= ?1", &s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, upto);
		rc = sqlite_step_done(s);
	}
	return sqlite_write_end(ss, c, rc);
}
