/*
 * sqlite_int.h - what the SQLite backend's files share.  Private to
 * src/store/sqlite*.c.
 */
#ifndef SIGNAAL_SQLITE_INT_H
#define SIGNAAL_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "store/group.h"
#include "store/store_int.h"

#define STMT_CACHE 64

struct sqlite_conn {
	sqlite3 *db;
	struct sqlite_store *store;
	struct sqlite_conn *next;
	size_t nstmts;
	struct {
		const char *sql;
		sqlite3_stmt *stmt;
	} stmts[STMT_CACHE];
};

struct sqlite_store {
	struct store base;
	char path[1024];
	int busy_timeout_ms;
	bool sync_full;
	pthread_key_t key;
	pthread_mutex_t lock; /* guards conns */
	/*
	 * Held for every write transaction of this process: writers queue
	 * here instead of meeting SQLITE_BUSY, whose retry sleeps for
	 * milliseconds.  The busy timeout still serves other processes.
	 */
	pthread_mutex_t write_lock;

	/* Group commit of reports (group.h; sqlite_report.c writes a batch). */
	struct store_group group;
	store_hook_fn report_hook;	      /* called for each report inside its transaction */
	store_withdraw_hook_fn withdraw_hook; /* and for a withdrawn report's identifiers */
	void *withdraw_hook_arg;
	void *report_hook_arg;
	store_commit_fn commit_hook; /* after every write commit */
	void *commit_hook_arg;
	struct sqlite_conn *conns; /* every open connection, for closing */
};

struct sqlite_store *sqlite_store_of(struct store *st);

/* Maps an SQLite result code to a STORE_E* code. */
int sqlite_err(int rc);
void sqlite_log_error(sqlite3 *db, const char *what);

/* Write transactions: BEGIN IMMEDIATE under the write lock; end with sqlite_write_end(). */
int sqlite_write_begin(struct sqlite_store *s, struct sqlite_conn **c);

/* Commits when rc is STORE_OK, else rolls back; releases the write lock; returns the outcome. */
int sqlite_write_end(struct sqlite_store *s, struct sqlite_conn *c, int rc);

/* The calling thread's connection, opened on first use. */
int sqlite_conn_get(struct sqlite_store *s, struct sqlite_conn **out);

/* The same for a store: the calling thread's connection to it. */
int sqlite_conn_of(struct store *st, struct sqlite_conn **out);

/* Steps a statement run for its effect once, and resets it: STORE_OK, or the error. */
int sqlite_step_done(sqlite3_stmt *s);
/* SQL functions of our own, on every connection (sqlite_audit.c). */
int sqlite_audit_functions(sqlite3 *db);

/*
 * A prepared statement for `sql`, which must be a string literal (the cache
 * is keyed by its address), reset and with its bindings cleared.
 */
int sqlite_conn_stmt(struct sqlite_conn *c, const char *sql, sqlite3_stmt **out);

/* Writes a batch of queued reports in one transaction (group.h). */
void sqlite_report_group_run(struct store *st, struct group_job *batch);

#endif
