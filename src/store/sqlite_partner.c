/* sqlite_partner.c - partners and their keys in the SQLite backend. */
#include <stdio.h>
#include <string.h>

#include "partner.h"
#include "store/sqlite_int.h"
#include "util/mem.h"

static void text_col(sqlite3_stmt *s, int i, char *out, size_t outsz)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	snprintf(out, outsz, "%s", v ? (const char *)v : "");
}

static void partner_row(sqlite3_stmt *s, struct partner *p)
{
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	text_col(s, 1, p->name, sizeof(p->name));
	text_col(s, 2, p->sector, sizeof(p->sector));
	text_col(s, 3, p->bank_codes, sizeof(p->bank_codes));
	text_col(s, 4, p->tlds, sizeof(p->tlds));
	text_col(s, 5, p->webhook_url, sizeof(p->webhook_url));
	text_col(s, 6, p->webhook_secret, sizeof(p->webhook_secret));
	text_col(s, 7, p->created_at, sizeof(p->created_at));
	p->disabled = sqlite3_column_int(s, 8) != 0;
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

int sqlite_partner_add(struct store *st, struct partner *p)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "INSERT INTO partners (name, sector, bank_codes, tlds, webhook_url, "
			      "webhook_secret, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			      &s);
	if (!rc) {
		sqlite3_bind_text(s, 1, p->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, p->sector, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, p->bank_codes, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, p->tlds, -1, SQLITE_STATIC);
		bind_opt(s, 5, p->webhook_url);
		bind_opt(s, 6, p->webhook_secret);
		sqlite3_bind_text(s, 7, p->created_at, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
		p->id = sqlite3_last_insert_rowid(c->db);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_partner_get(struct store *st, const char *name, struct partner *out)
{
	static const char sql[] =
		"SELECT p.id, p.name, p.sector, p.bank_codes, p.tlds, p.webhook_url, "
		"p.webhook_secret, p.created_at, p.disabled_at IS NOT NULL FROM partners p "
		"WHERE p.name = ?1";
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(c, sql, &s);
	if (rc)
		return rc;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		partner_row(s, out);
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_partner_list(struct store *st, struct partner **out, size_t *n)
{
	static const char sql[] =
		"SELECT p.id, p.name, p.sector, p.bank_codes, p.tlds, p.webhook_url, "
		"p.webhook_secret, p.created_at, p.disabled_at IS NOT NULL FROM partners p "
		"ORDER BY p.name";
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	*out = NULL;
	*n = 0;
	if (!rc)
		rc = sqlite_conn_stmt(c, sql, &s);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			struct partner *p = mem_realloc(*out, (cap ? cap * 2 : 16) * sizeof(*p));

			if (!p) {
				sqlite3_reset(s);
				return STORE_ENOMEM;
			}
			*out = p;
			cap = cap ? cap * 2 : 16;
		}
		partner_row(s, &(*out)[(*n)++]);
	}
	rc = rc == SQLITE_DONE ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_partner_key_add(struct store *st, int64_t partner, const uint8_t *hash,
			   const char *prefix, const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "INSERT INTO partner_keys (partner_id, key_hash, prefix, created_at) "
			      "VALUES (?1, ?2, ?3, ?4)",
			      &s);
	if (!rc) {
		sqlite3_bind_int64(s, 1, partner);
		sqlite3_bind_blob(s, 2, hash, PARTNER_KEY_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
	}
	return sqlite_write_end(ss, c, rc);
}

/* Revokes the live key with this prefix in partner_keys or admin_keys (sql says which). */
static int revoke_key(struct store *st, const char *sql, const char *prefix, const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c, sql, &s);
	if (!rc) {
		sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
		if (!rc && sqlite3_changes(c->db) == 0)
			rc = STORE_ENOTFOUND;
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_partner_key_revoke(struct store *st, const char *prefix, const char *now)
{
	return revoke_key(st,
			  "UPDATE partner_keys SET revoked_at = ?2 WHERE prefix = ?1 AND "
			  "revoked_at IS NULL",
			  prefix, now);
}

int sqlite_partner_by_key(struct store *st, const uint8_t *hash, struct partner *out)
{
	static const char sql[] =
		"SELECT p.id, p.name, p.sector, p.bank_codes, p.tlds, p.webhook_url, "
		"p.webhook_secret, p.created_at, p.disabled_at IS NOT NULL FROM partners p "
		"JOIN partner_keys k ON k.partner_id = p.id WHERE k.key_hash = ?1 AND "
		"k.revoked_at IS NULL AND p.disabled_at IS NULL";
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(c, sql, &s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, PARTNER_KEY_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		partner_row(s, out);
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}

int sqlite_admin_key_add(struct store *st, const char *name, const uint8_t *hash,
			 const char *prefix, const char *now)
{
	struct sqlite_store *ss = sqlite_store_of(st);
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_write_begin(ss, &c);

	if (rc)
		return rc;
	rc = sqlite_conn_stmt(c,
			      "INSERT INTO admin_keys (name, key_hash, prefix, created_at) VALUES "
			      "(?1, ?2, ?3, ?4)",
			      &s);
	if (!rc) {
		sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, hash, PARTNER_KEY_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, prefix, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		rc = sqlite_err(sqlite3_step(s));
		sqlite3_reset(s);
	}
	return sqlite_write_end(ss, c, rc);
}

int sqlite_admin_key_revoke(struct store *st, const char *prefix, const char *now)
{
	return revoke_key(st,
			  "UPDATE admin_keys SET revoked_at = ?2 WHERE prefix = ?1 AND "
			  "revoked_at IS NULL",
			  prefix, now);
}

int sqlite_admin_by_key(struct store *st, const uint8_t *hash, char *name, size_t namesz)
{
	struct sqlite_conn *c;
	sqlite3_stmt *s;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"SELECT name FROM admin_keys WHERE key_hash = ?1 AND revoked_at "
			"IS NULL",
			&s);
	if (rc)
		return rc;
	sqlite3_bind_blob(s, 1, hash, PARTNER_KEY_HASH_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(name, namesz, "%s", sqlite3_column_text(s, 0));
	rc = rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	sqlite3_reset(s);
	return rc;
}
