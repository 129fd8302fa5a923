/*
 * pg.c - the PostgreSQL storage backend: connections, statements,
 * transactions, migrations.  pg_int.h describes the scheme; the
 * operations live in pg_report.c, pg_alert.c, pg_partner.c, pg_audit.c,
 * pg_subject.c, pg_feedback.c, pg_stats.c and pg_purge.c.
 *
 * Other nodes' writes reach this one by polling, above this interface:
 * the lookup index reads the identifier change log every 250 ms, alert
 * streams read the outbox every second, and the deliverer asks for due
 * rows every few seconds.  The commit hook only speeds up this node's own.
 */
#include "store/pg_int.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util/log.h"
#include "util/mem.h"

struct pg_store *pg_store_of(struct store *st)
{
	return (struct pg_store *)st;
}

void pg_params_init(struct pg_params *p)
{
	p->n = 0;
}

static int param_slot(struct pg_params *p)
{
	if (p->n >= PG_MAX_PARAMS) {
		/* More parameters than the array holds is a bug in the caller's SQL. */
		log_error("BUG: too many statement parameters");
		abort();
	}
	p->lengths[p->n] = 0;
	p->formats[p->n] = 0;
	return p->n++;
}

void pg_param_text(struct pg_params *p, const char *v)
{
	p->values[param_slot(p)] = v;
}

void pg_param_opt(struct pg_params *p, const char *v)
{
	p->values[param_slot(p)] = v && *v ? v : NULL;
}

void pg_param_null(struct pg_params *p)
{
	p->values[param_slot(p)] = NULL;
}

void pg_param_int(struct pg_params *p, int64_t v)
{
	int i = param_slot(p);

	snprintf(p->num[i], sizeof(p->num[i]), "%" PRId64, v);
	p->values[i] = p->num[i];
}

void pg_param_bytes(struct pg_params *p, const void *v, size_t n)
{
	int i = param_slot(p);

	/* An empty bytea needs a non-NULL pointer, or libpq sends NULL. */
	p->values[i] = v ? (n ? (const char *)v : "") : NULL;
	p->lengths[i] = (int)n;
	p->formats[i] = 1;
}

int pg_err(const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (!state)
		return STORE_EIO; /* no result: the connection failed */
	if (strncmp(state, "23", 2) == 0)
		return STORE_EEXISTS; /* integrity constraint violation */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strcmp(state, "55P03") == 0 || strcmp(state, "53300") == 0 ||
	    strcmp(state, "57014") == 0)
		return STORE_EBUSY; /* serialisation, deadlock, lock, connections, timeout */
	if (strcmp(state, "53100") == 0)
		return STORE_EFULL; /* disk full */
	if (strcmp(state, "53200") == 0)
		return STORE_ENOMEM;
	if (strcmp(state, "42P01") == 0 || strcmp(state, "42703") == 0)
		return STORE_ESCHEMA; /* undefined table or column */
	if (strcmp(state, "22001") == 0 || strcmp(state, "22P02") == 0)
		return STORE_EINVAL; /* too long, or not a number */
	return STORE_EIO;
}

/* libpq's message on one line: its newlines and tabs as spaces, no trailing space. */
static void one_line(char *out, size_t outsz, const char *msg)
{
	size_t n;

	snprintf(out, outsz, "%s", msg);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	n = strlen(out);
	while (n && out[n - 1] == ' ')
		out[--n] = '\0';
}

static void log_result(PGconn *conn, const PGresult *res, const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : NULL;
	char line[512];

	one_line(line, sizeof(line), msg && *msg ? msg : PQerrorMessage(conn));
	log_error("database error", "op", what, "error", line);
}

static void conn_free(struct pg_conn *c)
{
	PQfinish(c->conn);
	mem_free(c);
}

/* Silences libpq's NOTICE messages (e.g. "relation exists, skipping") on stderr. */
static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Connects c.  Why a connection failed goes into why[0..whysz) when the
 * caller reports it itself (pg_open), else to the log.
 */
static int conn_connect(struct pg_store *s, struct pg_conn *c, char *why, size_t whysz)
{
	char set[64];

	c->conn = PQconnectdb(s->url);
	c->store = s;
	c->nstmts = 0;
	c->in_tx = false;
	if (!c->conn)
		return STORE_ENOMEM;
	if (PQstatus(c->conn) != CONNECTION_OK) {
		if (why)
			one_line(why, whysz, PQerrorMessage(c->conn));
		else
			log_result(c->conn, NULL, "connect");
		PQfinish(c->conn);
		c->conn = NULL;
		return STORE_EBUSY; /* unavailable (down, full, failing over): try again */
	}
	PQsetNoticeProcessor(c->conn, notice_ignore, NULL);
	/*
	 * As SQLite's busy timeout: a write that cannot have the lock in time
	 * fails with EBUSY (a 503 with Retry-After) instead of queueing for ever.
	 */
	snprintf(set, sizeof(set), "SET lock_timeout = %d", s->busy_timeout_ms);
	if (pg_simple(c, set) != STORE_OK) {
		PQfinish(c->conn);
		c->conn = NULL;
		return STORE_EIO;
	}
	return STORE_OK;
}

/*
 * A thread that ends closes its connection (the thread key's destructor):
 * the deliverer's workers come and go, and their connections must not pile
 * up until the server's max_connections is reached.
 */
static void conn_release(void *arg)
{
	struct pg_conn *c = arg, **pp;
	struct pg_store *s = c->store;

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

/* The calling thread's connection; why as for conn_connect. */
static int conn_get(struct pg_store *s, struct pg_conn **out, char *why, size_t whysz)
{
	struct pg_conn *c = pthread_getspecific(s->key);
	int rc;

	if (c) {
		if (c->conn && PQstatus(c->conn) == CONNECTION_OK) {
			*out = c;
			return STORE_OK;
		}
		/* The server dropped us (restart, fail-over): connect again. */
		PQfinish(c->conn);
		c->conn = NULL;
		rc = conn_connect(s, c, why, whysz);
		if (rc)
			return rc;
		log_info("database connection re-established", "backend", "postgres");
		*out = c;
		return STORE_OK;
	}
	c = mem_calloc(1, sizeof(*c));
	if (!c)
		return STORE_ENOMEM;
	rc = conn_connect(s, c, why, whysz);
	if (rc) {
		mem_free(c);
		return rc;
	}
	pthread_mutex_lock(&s->lock);
	c->next = s->conns;
	s->conns = c;
	pthread_mutex_unlock(&s->lock);
	pthread_setspecific(s->key, c);
	*out = c;
	return STORE_OK;
}

int pg_conn_get(struct pg_store *s, struct pg_conn **out)
{
	return conn_get(s, out, NULL, 0);
}

int pg_conn_of(struct store *st, struct pg_conn **out)
{
	return pg_conn_get(pg_store_of(st), out);
}

/* The name of sql's prepared statement on c, preparing it on first use. */
static int conn_prepare(struct pg_conn *c, const char *sql, int nparams, char *name, size_t namesz)
{
	PGresult *res;
	size_t i;

	for (i = 0; i < c->nstmts; i++) {
		if (c->stmts[i].sql == sql) {
			snprintf(name, namesz, "s%zu", i);
			return STORE_OK;
		}
	}
	if (c->nstmts == PG_STMT_CACHE) {
		/* A full cache means a caller builds SQL at run time: that is a bug. */
		log_error("BUG: statement cache full");
		return STORE_EIO;
	}
	snprintf(name, namesz, "s%zu", i);
	res = PQprepare(c->conn, name, sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		int rc = pg_err(res);

		log_result(c->conn, res, sql);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	c->stmts[i].sql = sql;
	c->nstmts++;
	return STORE_OK;
}

static int run(struct pg_conn *c, const char *sql, const struct pg_params *p, PGresult **out)
{
	static const struct pg_params none = { 0 };
	char name[24];
	PGresult *res;
	int rc;

	if (!p)
		p = &none;
	rc = conn_prepare(c, sql, p->n, name, sizeof(name));
	if (rc)
		return rc;
	res = PQexecPrepared(c->conn, name, p->n, p->values, p->lengths, p->formats, 0);
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK: *out = res; return STORE_OK;
	default:
		rc = pg_err(res);
		/* A constraint violation is an answer (EEXISTS) the caller handles, as with SQLite. */
		if (rc != STORE_EEXISTS)
			log_result(c->conn, res, sql);
		PQclear(res);
		return rc;
	}
}

int pg_query(struct pg_conn *c, const char *sql, const struct pg_params *p, PGresult **res)
{
	int rc = run(c, sql, p, res);

	/*
	 * A connection lost outside a transaction loses nothing: connect
	 * again and run the statement once more.  Inside one, the transaction
	 * is gone and the caller's error path rolls back what is left.
	 */
	if (rc == STORE_EIO && !c->in_tx && PQstatus(c->conn) != CONNECTION_OK) {
		PQfinish(c->conn);
		c->conn = NULL;
		if (conn_connect(c->store, c, NULL, 0) == STORE_OK)
			rc = run(c, sql, p, res);
	}
	return rc;
}

int pg_exec(struct pg_conn *c, const char *sql, const struct pg_params *p, int64_t *affected)
{
	PGresult *res;
	int rc = pg_query(c, sql, p, &res);

	if (rc)
		return rc;
	if (affected)
		*affected = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return STORE_OK;
}

int pg_simple(struct pg_conn *c, const char *sql)
{
	PGresult *res = PQexec(c->conn, sql);
	int rc = STORE_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pg_err(res);
		log_result(c->conn, res, sql);
	}
	PQclear(res);
	return rc;
}

bool pg_isnull(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

int64_t pg_int(const PGresult *r, int row, int col)
{
	const char *v = PQgetvalue(r, row, col);

	if (!v || !*v)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1; /* boolean */
	if (v[0] == 'f' && v[1] == '\0')
		return 0;
	return strtoll(v, NULL, 10);
}

void pg_text(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", PQgetvalue(r, row, col));
}

char *pg_dup(const PGresult *r, int row, int col)
{
	return pg_isnull(r, row, col) ? NULL : mem_strdup(PQgetvalue(r, row, col));
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int pg_bytes(const PGresult *r, int row, int col, uint8_t *out, size_t outsz, size_t *len)
{
	const char *v = PQgetvalue(r, row, col);
	size_t n, i;

	*len = 0;
	if (pg_isnull(r, row, col))
		return STORE_OK;
	/* Text output of bytea is "\x" and two hex digits a byte (bytea_output = hex). */
	if (v[0] != '\\' || v[1] != 'x')
		return STORE_EIO;
	v += 2;
	n = strlen(v);
	if (n % 2 || n / 2 > outsz)
		return STORE_EIO;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(v[2 * i]), lo = hexval(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return STORE_EIO;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return STORE_OK;
}

int pg_write_begin(struct pg_store *s, struct pg_conn **c)
{
	static const char lock[] = "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")";
	int rc = pg_conn_get(s, c);

	if (rc)
		return rc;
	rc = pg_simple(*c, "BEGIN");
	if (rc == STORE_EIO && PQstatus((*c)->conn) != CONNECTION_OK) {
		rc = pg_conn_get(s, c); /* reconnects */
		if (!rc)
			rc = pg_simple(*c, "BEGIN");
	}
	if (rc)
		return rc;
	(*c)->in_tx = true;
	rc = pg_exec(*c, lock, NULL, NULL);
	if (rc) {
		pg_simple(*c, "ROLLBACK");
		(*c)->in_tx = false;
	}
	return rc;
}

int pg_write_end(struct pg_store *s, struct pg_conn *c, int rc)
{
	/* A failed statement aborts the transaction: COMMIT would only roll it back. */
	if (rc == STORE_OK && PQtransactionStatus(c->conn) != PQTRANS_INTRANS) {
		log_error("database error", "op", "COMMIT", "error", "transaction aborted");
		rc = STORE_EIO;
	}
	if (rc == STORE_OK)
		rc = pg_simple(c, "COMMIT");
	if (rc != STORE_OK && PQstatus(c->conn) == CONNECTION_OK &&
	    PQtransactionStatus(c->conn) != PQTRANS_IDLE)
		pg_simple(c, "ROLLBACK");
	c->in_tx = false;
	if (rc == STORE_OK && s->commit_hook)
		s->commit_hook(s->commit_hook_arg);
	return rc;
}

static void pg_close(struct store *st)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c, *next;

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
	mem_free(s);
}

static int pg_open(struct store **out, const struct config *cfg, unsigned flags, char *err,
		   size_t errsz)
{
	struct pg_store *s;
	struct pg_conn *c;
	char why[256] = "";
	int rc;

	(void)flags; /* the database is the cluster's: it always exists */
	*out = NULL;
	if (!cfg->store_url[0]) {
		snprintf(err, errsz,
			 "store 'postgres' needs store_url (--store-url "
			 "postgresql://USER@HOST:PORT/DATABASE)");
		return STORE_EINVAL;
	}
	s = mem_calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return STORE_ENOMEM;
	}
	s->base.be = &store_pg_backend;
	s->busy_timeout_ms = cfg->busy_timeout_ms;
	if (snprintf(s->url, sizeof(s->url), "%s", cfg->store_url) >= (int)sizeof(s->url)) {
		snprintf(err, errsz, "store_url too long");
		mem_free(s);
		return STORE_EINVAL;
	}
	{
		char *perr = NULL;
		PQconninfoOption *opts = PQconninfoParse(s->url, &perr);

		/* libpq's complaint may quote the password: say what is wrong without it. */
		PQfreemem(perr);
		if (!opts) {
			snprintf(
				err, errsz,
				"store_url is not a valid PostgreSQL URL (the URL is not shown: it "
				"may hold a password; percent-encode special characters in it)");
			sodium_memzero(s->url, sizeof(s->url));
			mem_free(s);
			return STORE_EINVAL;
		}
		PQconninfoFree(opts);
	}
	pthread_mutex_init(&s->lock, NULL);
	store_group_init(&s->group, &s->base, pg_report_group_run);
	if (pthread_key_create(&s->key, conn_release)) {
		pthread_mutex_destroy(&s->lock);
		store_group_destroy(&s->group);
		mem_free(s);
		snprintf(err, errsz, "cannot create thread key");
		return STORE_ENOMEM;
	}
	/* Say why on one line, and without the URL: it may hold a password. */
	rc = conn_get(s, &c, why, sizeof(why));
	if (rc) {
		snprintf(err, errsz, "cannot connect to PostgreSQL: %s",
			 why[0] ? why : store_strerror(rc));
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return STORE_OK;
}

static const char sql_version_table[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version INTEGER PRIMARY KEY NOT NULL,"
	" name TEXT NOT NULL,"
	" applied_at TEXT NOT NULL DEFAULT "
	"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))";

static int pg_schema_version(struct store *st, int *version)
{
	struct pg_conn *c;
	PGresult *res;
	int rc = pg_conn_of(st, &c), exists;

	*version = 0;
	if (rc)
		return rc;
	/* A database no migration has touched has no version table yet. */
	rc = pg_query(c, "SELECT to_regclass('schema_migrations') IS NOT NULL", NULL, &res);
	if (rc)
		return rc;
	exists = (int)pg_int(res, 0, 0);
	PQclear(res);
	if (!exists)
		return STORE_OK;
	rc = pg_query(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", NULL, &res);
	if (rc)
		return rc;
	*version = (int)pg_int(res, 0, 0);
	PQclear(res);
	return STORE_OK;
}

static int pg_migrate(struct store *st, int *from, int *to, char *err, size_t errsz)
{
	struct pg_store *s = pg_store_of(st);
	struct pg_conn *c;
	int rc, version;

	rc = pg_conn_get(s, &c);
	if (rc) {
		snprintf(err, errsz, "cannot connect to PostgreSQL: %s", store_strerror(rc));
		return rc;
	}
	/* Nodes starting together: one migrates, the others wait on the lock and find it done. */
	rc = pg_write_begin(s, &c);
	if (!rc)
		rc = pg_simple(c, sql_version_table);
	if (!rc)
		rc = pg_schema_version(st, &version);
	rc = pg_write_end(s, c, rc);
	if (rc) {
		snprintf(err, errsz, "cannot read schema version: %s",
			 PQerrorMessage(c->conn)[0] ? PQerrorMessage(c->conn) : store_strerror(rc));
		return rc;
	}
	*from = *to = version;
	if (version > (int)store_pg_nmigrations) {
		snprintf(err, errsz,
			 "database schema version %d is newer than this program knows (%zu); "
			 "upgrade signaal",
			 version, store_pg_nmigrations);
		return STORE_ESCHEMA;
	}
	for (size_t i = 0; i < store_pg_nmigrations; i++) {
		const struct store_migration *m = &store_pg_migrations[i];
		struct pg_params p;
		int now;

		rc = pg_write_begin(s, &c);
		if (!rc)
			rc = pg_schema_version(st, &now);
		if (!rc && now >= m->version) {
			pg_write_end(s, c, STORE_EINVAL); /* another node applied it */
			continue;
		}
		if (!rc)
			rc = pg_simple(c, m->sql);
		if (!rc) {
			pg_params_init(&p);
			pg_param_int(&p, m->version);
			pg_param_text(&p, m->name);
			rc = pg_exec(
				c, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
				&p, NULL);
		}
		if (rc) {
			snprintf(err, errsz, "migration %04d_%s failed: %s", m->version, m->name,
				 PQerrorMessage(c->conn));
			pg_write_end(s, c, rc);
			return rc;
		}
		rc = pg_write_end(s, c, rc);
		if (rc) {
			snprintf(err, errsz, "migration %04d_%s failed: %s", m->version, m->name,
				 store_strerror(rc));
			return rc;
		}
		*to = m->version;
		log_info("migration applied", "backend", "postgres", "name", m->name);
	}
	return STORE_OK;
}

static int pg_schema_latest(void)
{
	return (int)store_pg_nmigrations;
}

static long long pg_memory_used(struct store *st)
{
	(void)st;
	return 0; /* the database's memory is the server's, not this process's */
}

static int pg_ping(struct store *st)
{
	struct pg_conn *c;
	int rc = pg_conn_of(st, &c);

	return rc ? rc : pg_exec(c, "SELECT 1", NULL, NULL);
}

static int pg_backup(struct store *st, const char *path, char *err, size_t errsz)
{
	(void)st;
	(void)path;
	snprintf(err, errsz,
		 "a PostgreSQL database is backed up by the cluster: use pg_dump or "
		 "pg_basebackup (docs/OPERATIONS.md, section Backups)");
	return STORE_EINVAL;
}

static void pg_set_commit_hook(struct store *st, store_commit_fn fn, void *arg)
{
	struct pg_store *s = pg_store_of(st);

	s->commit_hook = fn;
	s->commit_hook_arg = arg;
}

static int pg_tx_begin(struct store *st)
{
	struct pg_conn *c;

	return pg_write_begin(pg_store_of(st), &c);
}

static int pg_tx_end(struct store *st, int rc)
{
	struct pg_conn *c;
	int get = pg_conn_of(st, &c);

	return get ? get : pg_write_end(pg_store_of(st), c, rc);
}

static int pg_tx_commit(struct store *st)
{
	return pg_tx_end(st, STORE_OK);
}

static int pg_tx_rollback(struct store *st)
{
	return pg_tx_end(st, STORE_EINVAL) == STORE_EINVAL ? STORE_OK : STORE_EIO;
}

static int pg_meta_get(struct store *st, const char *key, char *out, size_t outsz)
{
	struct pg_conn *c;
	struct pg_params p;
	PGresult *res;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, key);
	rc = pg_query(c, "SELECT value FROM meta WHERE key = $1", &p, &res);
	if (rc)
		return rc;
	if (PQntuples(res) == 0) {
		rc = STORE_ENOTFOUND;
	} else {
		const char *v = PQgetvalue(res, 0, 0);
		int n = snprintf(out, outsz, "%s", v);

		rc = n < 0 || (size_t)n >= outsz ? STORE_EINVAL : STORE_OK;
	}
	PQclear(res);
	return rc;
}

static int pg_meta_set(struct store *st, const char *key, const char *value)
{
	struct pg_conn *c;
	struct pg_params p;
	int rc = pg_conn_of(st, &c);

	if (rc)
		return rc;
	pg_params_init(&p);
	pg_param_text(&p, key);
	pg_param_text(&p, value);
	return pg_exec(c,
		       "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO "
		       "UPDATE SET value = excluded.value, updated_at = "
		       "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
		       &p, NULL);
}

const struct store_backend store_pg_backend = {
	.name = "postgres",
	.open = pg_open,
	.close = pg_close,
	.migrate = pg_migrate,
	.schema_version = pg_schema_version,
	.schema_latest = pg_schema_latest,
	.ping = pg_ping,
	.memory_used = pg_memory_used,
	.backup = pg_backup,
	.tx_begin = pg_tx_begin,
	.tx_commit = pg_tx_commit,
	.tx_rollback = pg_tx_rollback,
	.meta_get = pg_meta_get,
	.meta_set = pg_meta_set,
	.report_insert_async = pg_report_insert_async,
	.case_get = pg_case_get,
	.case_add = pg_case_add,
	.case_consent = pg_case_consent,
	.case_withdraw = pg_case_withdraw,
	.partner_add = pg_partner_add,
	.partner_get = pg_partner_get,
	.partner_list = pg_partner_list,
	.partner_key_add = pg_partner_key_add,
	.partner_key_revoke = pg_partner_key_revoke,
	.partner_by_key = pg_partner_by_key,
	.admin_key_add = pg_admin_key_add,
	.admin_key_revoke = pg_admin_key_revoke,
	.admin_by_key = pg_admin_by_key,
	.identifier_facts = pg_identifier_facts,
	.identifier_scan = pg_identifier_scan,
	.identifier_changes = pg_identifier_changes,
	.identifier_changes_prune = pg_identifier_changes_prune,
	.set_commit_hook = pg_set_commit_hook,
	.audit_append = pg_audit_append,
	.audit_index_subjects = pg_audit_index_subjects,
	.audit_leaves = pg_audit_leaves,
	.audit_entries = pg_audit_entries,
	.audit_by_subject = pg_audit_by_subject,
	.audit_checkpoint_add = pg_audit_checkpoint_add,
	.audit_checkpoint_latest = pg_audit_checkpoint_latest,
	.audit_checkpoints = pg_audit_checkpoints,
	.purge = pg_purge,
	.report_cells = pg_report_cells,
	.tx_identifier_touch = pg_tx_identifier_touch,
	.tx_source_add = pg_tx_source_add,
	.tx_sources = pg_tx_sources,
	.tx_fired_since = pg_tx_fired_since,
	.tx_firing_add = pg_tx_firing_add,
	.tx_outbox_add = pg_tx_outbox_add,
	.alerts_after = pg_alerts_after,
	.outbox_due = pg_outbox_due,
	.outbox_defer = pg_outbox_defer,
	.outbox_results = pg_outbox_results,
	.set_report_hook = pg_set_report_hook,
	.set_withdraw_hook = pg_set_withdraw_hook,
	.tx_firing_retract = pg_tx_firing_retract,
	.signals_insert = pg_signals_insert,
	.outbox_dead = pg_outbox_dead,
	.outbox_retry = pg_outbox_retry,
	.tx_referral_route = pg_tx_referral_route,
	.referral_case = pg_referral_case,
	.referral_update = pg_referral_update,
	.signal_get = pg_signal_get,
	.signal_recipient = pg_signal_recipient,
	.feedback_add = pg_feedback_add,
	.feedback_list = pg_feedback_list,
	.subject_request_add = pg_subject_request_add,
	.subject_request_get = pg_subject_request_get,
	.subject_request_list = pg_subject_request_list,
	.subject_request_answer = pg_subject_request_answer,
	.subject_request_decide = pg_subject_request_decide,
};
