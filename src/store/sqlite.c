/*
 * sqlite.c - the embedded storage backend.
 *
 * One connection per thread (SQLite connections must not be shared without
 * its own mutexes, which serialise everything), all in WAL mode so readers
 * never wait for the writer, with a busy timeout for writers that meet.
 * Each connection keeps its prepared statements in a small cache keyed by
 * the address of the SQL text, which is always a string literal.
 */
#include "store/sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

struct sqlite_store *sqlite_store_of(struct store *st)
{
	return (struct sqlite_store *)st;
}

/* Maps an SQLite result code to the store's error vocabulary. */
int sqlite_err(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return STORE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return STORE_EBUSY;
	case SQLITE_FULL: return STORE_EFULL;
	case SQLITE_NOMEM: return STORE_ENOMEM;
	case SQLITE_CONSTRAINT: return STORE_EEXISTS;
	case SQLITE_NOTFOUND: return STORE_ENOTFOUND;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_SCHEMA: return STORE_ESCHEMA;
	default: return STORE_EIO;
	}
}

void sqlite_log_error(sqlite3 *db, const char *what)
{
	log_error("database error", "op", what, "error", db ? sqlite3_errmsg(db) : "no connection");
}

static void conn_free(struct sqlite_conn *c)
{
	for (size_t i = 0; i < c->nstmts; i++)
		sqlite3_finalize(c->stmts[i].stmt);
	sqlite3_close(c->db);
	mem_free(c);
}

static int conn_exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		sqlite_log_error(db, sql);
	return sqlite_err(rc);
}

static int conn_open(struct sqlite_store *s, struct sqlite_conn **out)
{
	struct sqlite_conn *c = mem_calloc(1, sizeof(*c));
	char pragmas[256];
	int rc;

	*out = NULL;
	if (!c)
		return STORE_ENOMEM;
	rc = sqlite3_open_v2(s->path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		sqlite_log_error(c->db, "open");
		rc = sqlite_err(rc);
		conn_free(c);
		return rc == STORE_OK ? STORE_EIO : rc;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, s->busy_timeout_ms);
	rc = sqlite_audit_functions(c->db);
	if (rc != SQLITE_OK) {
		sqlite_log_error(c->db, "sqlite3_create_function");
		conn_free(c);
		return sqlite_err(rc);
	}
	snprintf(pragmas, sizeof(pragmas),
		 "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;",
		 s->sync_full ? "FULL" : "NORMAL");
	rc = conn_exec(c->db, pragmas);
	if (rc) {
		conn_free(c);
		return rc;
	}
	*out = c;
	return STORE_OK;
}

/*
 * A thread that ends closes its connection (the thread key's destructor):
 * the deliverer's workers come and go, and their connections must not pile up.
 */
static void conn_release(void *arg)
{
	struct sqlite_conn *c = arg, **pp;
	struct sqlite_store *s = c->store;

	pthread_mutex_lock(&s->lock);
	for (pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	conn_free(c);
}

/* The calling thread's connection, opened on first use. */
int sqlite_conn_get(struct sqlite_store *s, struct sqlite_conn **out)
{
	struct sqlite_conn *c = pthread_getspecific(s->key);
	int rc;

	if (c) {
		*out = c;
		return STORE_OK;
	}
	rc = conn_open(s, &c);
	if (rc)
		return rc;
	c->store = s;
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->key, c);
	*out = c;
	return STORE_OK;
}

/* A prepared statement for `sql` (a string literal), reset and with bindings cleared. */
int sqlite_conn_stmt(struct sqlite_conn *c, const char *sql, sqlite3_stmt **out)
{
	sqlite3_stmt *stmt;
	int rc;

	for (size_t i = 0; i < c->nstmts; i++) {
		if (c->stmts[i].sql == sql) {
			*out = c->stmts[i].stmt;
			sqlite3_reset(*out);
			sqlite3_clear_bindings(*out);
			return STORE_OK;
		}
	}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (rc != SQLITE_OK) {
		sqlite_log_error(c->db, "prepare");
		return sqlite_err(rc);
	}
	if (c->nstmts < STMT_CACHE) {
		c->stmts[c->nstmts].sql = sql;
		c->stmts[c->nstmts].stmt = stmt;
		c->nstmts++;
	} else {
		/* A full cache means a caller builds SQL at run time: that is a bug. */
		log_error("BUG: statement cache full");
		sqlite3_finalize(stmt);
		return STORE_EIO;
	}
	*out = stmt;
	return STORE_OK;
}

static void sqlite_close(struct store *st)
{
	struct sqlite_store *s = sqlite_store_of(st);
	struct sqlite_conn *c, *next;

	store_group_destroy(&s->group); /* writes what is queued first */
	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c; c = next) {
		next = c->next;
		conn_free(c);
	}
	s->conns = NULL;
	pthread_mutex_unlock(&s->lock);
	pthread_key_delete(s->key);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->write_lock);
	mem_free(s);
}

static int sqlite_open(struct store **out, const struct config *cfg, unsigned flags, char *err,
		       size_t errsz)
{
	struct sqlite_store *s = mem_calloc(1, sizeof(*s));
	struct sqlite_conn *c;
	int fd, rc;

	*out = NULL;
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return STORE_ENOMEM;
	}
	s->base.be = &store_sqlite_backend;
	s->busy_timeout_ms = cfg->busy_timeout_ms;
	s->sync_full = strcmp(cfg->sqlite_sync, "full") == 0;
	if (config_sqlite_path(cfg, s->path, sizeof(s->path))) {
		snprintf(err, errsz, "database path too long");
		mem_free(s);
		return STORE_EINVAL;
	}
	if ((flags & STORE_OPEN_EXISTING) && access(s->path, F_OK) != 0) {
		snprintf(err, errsz,
			 "no database at '%s': check data_dir and store_url ('signaal db migrate' "
			 "creates one)",
			 s->path);
		mem_free(s);
		return STORE_ENOTFOUND;
	}
	if (fs_mkdir_parent(s->path, 0700, err, errsz)) {
		mem_free(s);
		return STORE_EIO;
	}
	/* Create the file ourselves so that it is private whatever the umask. */
	fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open database '%s': %s", s->path, strerror(errno));
		mem_free(s);
		return STORE_EIO;
	}
	close(fd);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
	store_group_init(&s->group, &s->base, sqlite_report_group_run);
	if (pthread_key_create(&s->key, conn_release)) {
		pthread_mutex_destroy(&s->lock);
		pthread_mutex_destroy(&s->write_lock);
		store_group_destroy(&s->group);
		mem_free(s);
		snprintf(err, errsz, "cannot create thread key");
		return STORE_ENOMEM;
	}
	rc = sqlite_conn_get(s, &c);
	if (rc) {
		snprintf(err, errsz, "cannot open database '%s': %s", s->path, store_strerror(rc));
		sqlite_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return STORE_OK;
}

static const char sql_version_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY NOT NULL,"
	" name TEXT NOT NULL,"
	" applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))";
static const char sql_version[] = "SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char sql_version_insert[] =
	"INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)";

static int sqlite_schema_version(struct store *st, int *version)
{
	struct sqlite_conn *c;
	sqlite3_stmt *stmt;
	int rc;

	*version = 0;
	rc = sqlite_conn_get(sqlite_store_of(st), &c);
	if (rc)
		return rc;
	/* A database no migration has touched has no version table yet. */
	if (sqlite3_table_column_metadata(c->db, NULL, "schema_migrations", "version", NULL, NULL,
					  NULL, NULL, NULL) != SQLITE_OK)
		return STORE_OK;
	rc = sqlite_conn_stmt(c, sql_version, &stmt);
	if (rc)
		return rc;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(stmt, 0);
	rc = rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
	sqlite3_reset(stmt);
	return rc;
}

static int sqlite_migrate(struct store *st, int *from, int *to, char *err, size_t errsz)
{
	struct sqlite_conn *c;
	int rc, version;

	rc = sqlite_conn_get(sqlite_store_of(st), &c);
	if (rc) {
		snprintf(err, errsz, "cannot open database: %s", store_strerror(rc));
		return rc;
	}
	rc = conn_exec(c->db, sql_version_table);
	if (!rc)
		rc = sqlite_schema_version(st, &version);
	if (rc) {
		snprintf(err, errsz, "cannot read schema version: %s", sqlite3_errmsg(c->db));
		return rc;
	}
	*from = *to = version;
	if (version > (int)store_sqlite_nmigrations) {
		snprintf(err, errsz,
			 "database schema version %d is newer than this program knows (%zu); "
			 "upgrade signaal",
			 version, store_sqlite_nmigrations);
		return STORE_ESCHEMA;
	}
	for (size_t i = (size_t)version; i < store_sqlite_nmigrations; i++) {
		const struct store_migration *m = &store_sqlite_migrations[i];
		sqlite3_stmt *stmt;

		rc = conn_exec(c->db, "BEGIN IMMEDIATE");
		if (rc)
			goto fail;
		rc = conn_exec(c->db, m->sql);
		if (!rc)
			rc = sqlite_conn_stmt(c, sql_version_insert, &stmt);
		if (!rc) {
			sqlite3_bind_int(stmt, 1, m->version);
			sqlite3_bind_text(stmt, 2, m->name, -1, SQLITE_STATIC);
			rc = sqlite_err(sqlite3_step(stmt));
			sqlite3_reset(stmt);
		}
		if (!rc)
			rc = conn_exec(c->db, "COMMIT");
		if (rc) {
			conn_exec(c->db, "ROLLBACK");
			goto fail;
		}
		*to = m->version;
		log_info("migration applied", "backend", "sqlite", "name", m->name);
		continue;
	fail:
		snprintf(err, errsz, "migration %04d_%s failed: %s", m->version, m->name,
			 sqlite3_errmsg(c->db));
		return rc;
	}
	return STORE_OK;
}

static int sqlite_schema_latest(void)
{
	return (int)store_sqlite_nmigrations;
}

static long long sqlite_memory_used(struct store *st)
{
	(void)st;
	return (long long)sqlite3_memory_used();
}

static int sqlite_ping(struct store *st)
{
	struct sqlite_conn *c;
	sqlite3_stmt *stmt;
	int rc;

	rc = sqlite_conn_get(sqlite_store_of(st), &c);
	if (!rc)
		rc = sqlite_conn_stmt(c, "SELECT 1", &stmt);
	if (rc)
		return rc;
	rc = sqlite_err(sqlite3_step(stmt));
	sqlite3_reset(stmt);
	return rc;
}

static int sqlite_backup(struct store *st, const char *path, char *err, size_t errsz)
{
	struct sqlite_conn *c;
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	char tmp[1100];
	int fd, rc;

	rc = sqlite_conn_get(sqlite_store_of(st), &c);
	if (rc) {
		snprintf(err, errsz, "cannot open database: %s", store_strerror(rc));
		return rc;
	}
	if (access(path, F_OK) == 0) {
		snprintf(err, errsz, "refusing to overwrite '%s': it exists", path);
		return STORE_EEXISTS;
	}
	/*
	 * Write beside the target, then link it into place: nobody sees half a
	 * backup, and link() fails rather than replace a file that appeared
	 * meanwhile.
	 */
	snprintf(tmp, sizeof(tmp), "%s.partial", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		snprintf(err, errsz,
			 "'%s' exists: another backup is running, or one was cut off "
			 "(remove the file)",
			 tmp);
		return STORE_EEXISTS;
	}
	if (fd < 0) {
		snprintf(err, errsz, "cannot create '%s': %s", tmp, strerror(errno));
		return STORE_EIO;
	}
	close(fd);
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	b = sqlite3_backup_init(dst, "main", c->db, "main");
	if (!b) {
		rc = sqlite3_errcode(dst);
		goto fail;
	}
	/* Copy in steps so that writers are not held off for the whole copy. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		goto fail;
	rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_close(dst);
	dst = NULL;
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) || link(tmp, path)) {
		rc = errno == EEXIST ? STORE_EEXISTS : STORE_EIO;
		if (rc == STORE_EEXISTS)
			snprintf(err, errsz, "refusing to overwrite '%s': it exists", path);
		else
			snprintf(err, errsz, "cannot finish backup '%s': %s", path,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return rc;
	}
	close(fd);
	unlink(tmp);
	fs_fsync_parent(path);
	return STORE_OK;
fail:
	snprintf(err, errsz, "backup to '%s' failed: %s", path,
		 dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	sqlite3_close(dst);
	unlink(tmp);
	return sqlite_err(rc) ? sqlite_err(rc) : STORE_EIO;
}

int sqlite_conn_of(struct store *st, struct sqlite_conn **out)
{
	return sqlite_conn_get(sqlite_store_of(st), out);
}

int sqlite_step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : sqlite_err(rc);
}

int sqlite_write_begin(struct sqlite_store *s, struct sqlite_conn **c)
{
	sqlite3_stmt *stmt;
	int rc = sqlite_conn_get(s, c);

	if (rc)
		return rc;
	pthread_mutex_lock(&s->write_lock);
	rc = sqlite_conn_stmt(*c, "BEGIN IMMEDIATE", &stmt);
	if (!rc) {
		rc = sqlite_err(sqlite3_step(stmt));
		sqlite3_reset(stmt);
	}
	if (rc) {
		sqlite_log_error((*c)->db, "BEGIN IMMEDIATE");
		pthread_mutex_unlock(&s->write_lock);
	}
	return rc;
}

int sqlite_write_end(struct sqlite_store *s, struct sqlite_conn *c, int rc)
{
	sqlite3_stmt *stmt;
	int end;

	if (rc == STORE_OK && sqlite_conn_stmt(c, "COMMIT", &stmt) == STORE_OK) {
		rc = sqlite_err(sqlite3_step(stmt));
		sqlite3_reset(stmt);
		if (rc)
			sqlite_log_error(c->db, "COMMIT");
	}
	if (rc != STORE_OK && sqlite3_get_autocommit(c->db) == 0 &&
	    sqlite_conn_stmt(c, "ROLLBACK", &stmt) == STORE_OK) {
		end = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		if (end != SQLITE_DONE)
			sqlite_log_error(c->db, "ROLLBACK");
	}
	pthread_mutex_unlock(&s->write_lock);
	if (rc == STORE_OK && s->commit_hook)
		s->commit_hook(s->commit_hook_arg);
	return rc;
}

static void sqlite_set_commit_hook(struct store *st, store_commit_fn fn, void *arg)
{
	struct sqlite_store *s = sqlite_store_of(st);

	s->commit_hook = fn;
	s->commit_hook_arg = arg;
}

static int sqlite_tx_begin(struct store *st)
{
	struct sqlite_conn *c;

	/* IMMEDIATE: take the write lock now, so that a transaction never fails half-way. */
	return sqlite_write_begin(sqlite_store_of(st), &c);
}

static int sqlite_tx_end(struct store *st, int rc)
{
	struct sqlite_conn *c;
	int get = sqlite_conn_get(sqlite_store_of(st), &c);

	return get ? get : sqlite_write_end(sqlite_store_of(st), c, rc);
}

static int sqlite_tx_commit(struct store *st)
{
	return sqlite_tx_end(st, STORE_OK);
}

static int sqlite_tx_rollback(struct store *st)
{
	return sqlite_tx_end(st, STORE_EINVAL) == STORE_EINVAL ? STORE_OK : STORE_EIO;
}

static int sqlite_meta_get(struct store *st, const char *key, char *out, size_t outsz)
{
	struct sqlite_conn *c;
	sqlite3_stmt *stmt;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(c, "SELECT value FROM meta WHERE key = ?1", &stmt);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(stmt, 0);
		int n = snprintf(out, outsz, "%s", v ? (const char *)v : "");

		rc = n < 0 || (size_t)n >= outsz ? STORE_EINVAL : STORE_OK;
	} else {
		rc = rc == SQLITE_DONE ? STORE_ENOTFOUND : sqlite_err(rc);
	}
	sqlite3_reset(stmt);
	return rc;
}

static int sqlite_meta_set(struct store *st, const char *key, const char *value)
{
	struct sqlite_conn *c;
	sqlite3_stmt *stmt;
	int rc = sqlite_conn_get(sqlite_store_of(st), &c);

	if (!rc)
		rc = sqlite_conn_stmt(
			c,
			"INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO "
			"UPDATE SET value = excluded.value, updated_at = "
			"strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
			&stmt);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		sqlite_log_error(c->db, "meta_set");
	sqlite3_reset(stmt);
	return sqlite_err(rc);
}

const struct store_backend store_sqlite_backend = {
	.name = "sqlite",
	.open = sqlite_open,
	.close = sqlite_close,
	.migrate = sqlite_migrate,
	.schema_version = sqlite_schema_version,
	.schema_latest = sqlite_schema_latest,
	.ping = sqlite_ping,
	.memory_used = sqlite_memory_used,
	.backup = sqlite_backup,
	.tx_begin = sqlite_tx_begin,
	.tx_commit = sqlite_tx_commit,
	.tx_rollback = sqlite_tx_rollback,
	.meta_get = sqlite_meta_get,
	.meta_set = sqlite_meta_set,
	.report_insert_async = sqlite_report_insert_async,
	.case_get = sqlite_case_get,
	.case_add = sqlite_case_add,
	.case_consent = sqlite_case_consent,
	.case_withdraw = sqlite_case_withdraw,
	.partner_add = sqlite_partner_add,
	.partner_get = sqlite_partner_get,
	.partner_list = sqlite_partner_list,
	.partner_key_add = sqlite_partner_key_add,
	.partner_key_revoke = sqlite_partner_key_revoke,
	.partner_by_key = sqlite_partner_by_key,
	.admin_key_add = sqlite_admin_key_add,
	.admin_key_revoke = sqlite_admin_key_revoke,
	.admin_by_key = sqlite_admin_by_key,
	.identifier_facts = sqlite_identifier_facts,
	.identifier_scan = sqlite_identifier_scan,
	.identifier_changes = sqlite_identifier_changes,
	.identifier_changes_prune = sqlite_identifier_changes_prune,
	.set_commit_hook = sqlite_set_commit_hook,
	.audit_append = sqlite_audit_append,
	.audit_index_subjects = sqlite_audit_index_subjects,
	.audit_leaves = sqlite_audit_leaves,
	.audit_entries = sqlite_audit_entries,
	.audit_by_subject = sqlite_audit_by_subject,
	.audit_checkpoint_add = sqlite_audit_checkpoint_add,
	.audit_checkpoint_latest = sqlite_audit_checkpoint_latest,
	.audit_checkpoints = sqlite_audit_checkpoints,
	.purge = sqlite_purge,
	.report_cells = sqlite_report_cells,
	.tx_identifier_touch = sqlite_tx_identifier_touch,
	.tx_source_add = sqlite_tx_source_add,
	.tx_sources = sqlite_tx_sources,
	.tx_fired_since = sqlite_tx_fired_since,
	.tx_firing_add = sqlite_tx_firing_add,
	.tx_outbox_add = sqlite_tx_outbox_add,
	.alerts_after = sqlite_alerts_after,
	.outbox_due = sqlite_outbox_due,
	.outbox_defer = sqlite_outbox_defer,
	.outbox_results = sqlite_outbox_results,
	.set_report_hook = sqlite_set_report_hook,
	.set_withdraw_hook = sqlite_set_withdraw_hook,
	.tx_firing_retract = sqlite_tx_firing_retract,
	.signals_insert = sqlite_signals_insert,
	.outbox_dead = sqlite_outbox_dead,
	.outbox_retry = sqlite_outbox_retry,
	.tx_referral_route = sqlite_tx_referral_route,
	.referral_case = sqlite_referral_case,
	.referral_update = sqlite_referral_update,
	.signal_get = sqlite_signal_get,
	.signal_recipient = sqlite_signal_recipient,
	.feedback_add = sqlite_feedback_add,
	.feedback_list = sqlite_feedback_list,
	.subject_request_add = sqlite_subject_request_add,
	.subject_request_get = sqlite_subject_request_get,
	.subject_request_list = sqlite_subject_request_list,
	.subject_request_answer = sqlite_subject_request_answer,
	.subject_request_decide = sqlite_subject_request_decide,
};
