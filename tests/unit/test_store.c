/* Unit tests for the store interface on the SQLite backend: migrations, threads, backup. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "store/store.h"
#include "store/store_int.h"

struct fixture {
	char dir[64];
	struct config cfg;
	struct store *st;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	snprintf(f->dir, sizeof(f->dir), "/tmp/signaal-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	config_defaults(&f->cfg);
	snprintf(f->cfg.data_dir, sizeof(f->cfg.data_dir), "%s/data", f->dir);
	assert_int_equal(store_open(&f->st, &f->cfg, 0, err, sizeof(err)), STORE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_file_is_private(void **state)
{
	struct fixture *f = *state;
	char path[1200];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/signaal.db", f->cfg.data_dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(f->cfg.data_dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

static void test_migrate_from_empty_and_again(void **state)
{
	struct fixture *f = *state;
	int from = -1, to = -1, v = -1;
	char err[512];

	assert_true(store_schema_latest(f->st) >= 1);
	assert_int_equal(store_schema_version(f->st, &v), STORE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(store_migrate(f->st, &from, &to, err, sizeof(err)), STORE_OK);
	assert_int_equal(from, 0);
	assert_int_equal(to, store_schema_latest(f->st));
	assert_int_equal(store_schema_version(f->st, &v), STORE_OK);
	assert_int_equal(v, to);
	/* Running it again changes nothing. */
	assert_int_equal(store_migrate(f->st, &from, &to, err, sizeof(err)), STORE_OK);
	assert_int_equal(from, to);
	assert_int_equal(store_ping(f->st), STORE_OK);
}

static void test_migrations_are_numbered_without_gaps(void **state)
{
	(void)state;
	assert_true(store_sqlite_nmigrations >= 1);
	for (size_t i = 0; i < store_sqlite_nmigrations; i++) {
		assert_int_equal(store_sqlite_migrations[i].version, (int)i + 1);
		assert_true(strlen(store_sqlite_migrations[i].sql) > 0);
		/* Each migration is valid SQL on its own, applied in order. */
	}
}

static void test_newer_database_refused(void **state)
{
	struct fixture *f = *state;
	char path[1200], err[512];
	sqlite3 *db;

	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_OK);
	snprintf(path, sizeof(path), "%s/signaal.db", f->cfg.data_dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO schema_migrations (version, name) "
				      "VALUES (9999, 'future')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_ESCHEMA);
	assert_non_null(strstr(err, "database schema version 9999 is newer than this program"));
}

static void test_meta_and_transactions(void **state)
{
	struct fixture *f = *state;
	char err[512], out[64];

	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_meta_get(f->st, "instance", out, sizeof(out)), STORE_ENOTFOUND);
	assert_int_equal(store_tx_begin(f->st), STORE_OK);
	assert_int_equal(store_meta_set(f->st, "instance", "abc"), STORE_OK);
	assert_int_equal(store_tx_rollback(f->st), STORE_OK);
	assert_int_equal(store_meta_get(f->st, "instance", out, sizeof(out)), STORE_ENOTFOUND);
	assert_int_equal(store_tx_begin(f->st), STORE_OK);
	assert_int_equal(store_meta_set(f->st, "instance", "abc"), STORE_OK);
	assert_int_equal(store_meta_set(f->st, "instance", "def"), STORE_OK);
	assert_int_equal(store_tx_commit(f->st), STORE_OK);
	assert_int_equal(store_meta_get(f->st, "instance", out, sizeof(out)), STORE_OK);
	assert_string_equal(out, "def");
	assert_int_equal(store_meta_get(f->st, "instance", out, 3), STORE_EINVAL);
}

struct writer {
	struct store *st;
	int id, rc;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char key[32], val[32];

	for (int i = 0; i < 50 && w->rc == STORE_OK; i++) {
		snprintf(key, sizeof(key), "w%d-%d", w->id, i);
		snprintf(val, sizeof(val), "%d", i);
		w->rc = store_tx_begin(w->st);
		if (w->rc == STORE_OK)
			w->rc = store_meta_set(w->st, key, val);
		if (w->rc == STORE_OK)
			w->rc = store_tx_commit(w->st);
	}
	return NULL;
}

/* Each thread has its own connection; concurrent writers wait, none fails. */
static void test_threads_write_concurrently(void **state)
{
	struct fixture *f = *state;
	struct writer w[4];
	pthread_t t[4];
	char err[512], out[16];

	f->cfg.sqlite_sync[0] = 'n'; /* speed only; durability is not under test here */
	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_OK);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){ f->st, i, STORE_OK };
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, STORE_OK);
	}
	assert_int_equal(store_meta_get(f->st, "w3-49", out, sizeof(out)), STORE_OK);
	assert_string_equal(out, "49");
}

static size_t open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void *reader_main(void *arg)
{
	char out[16];

	return (void *)(intptr_t)store_meta_get(arg, "k", out, sizeof(out));
}

/* Threads come and go (the deliverer's workers do): their connections go with them. */
static void test_thread_connections_closed(void **state)
{
	struct fixture *f = *state;
	char err[512];
	size_t before;

	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_meta_set(f->st, "k", "v"), STORE_OK);
	before = open_fds();
	for (int i = 0; i < 50; i++) {
		pthread_t t;
		void *rc;

		assert_int_equal(pthread_create(&t, NULL, reader_main, f->st), 0);
		pthread_join(t, &rc);
		assert_int_equal((int)(intptr_t)rc, STORE_OK);
	}
	/* Each thread opened the database (a file and its WAL); none is left open. */
	assert_true(open_fds() <= before + 2);
}

static void test_backup(void **state)
{
	struct fixture *f = *state;
	char err[1200], path[512], out[16];
	struct config c2;
	struct store *copy;
	struct stat sb;

	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_meta_set(f->st, "k", "v1"), STORE_OK);
	snprintf(path, sizeof(path), "%s/backup.db", f->dir);
	assert_int_equal(store_backup(f->st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* Refuses to overwrite. */
	assert_int_equal(store_backup(f->st, path, err, sizeof(err)), STORE_EEXISTS);
	assert_non_null(strstr(err, "refusing to overwrite"));
	/* A later write does not reach the backup; the backup opens as a store. */
	assert_int_equal(store_meta_set(f->st, "k", "v2"), STORE_OK);
	c2 = f->cfg;
	snprintf(c2.store_url, sizeof(c2.store_url), "%s", path);
	assert_int_equal(store_open(&copy, &c2, STORE_OPEN_EXISTING, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_meta_get(copy, "k", out, sizeof(out)), STORE_OK);
	assert_string_equal(out, "v1");
	store_close(copy);
	snprintf(path, sizeof(path), "%s/no/such/dir/b.db", f->dir);
	assert_int_equal(store_backup(f->st, path, err, sizeof(err)), STORE_EIO);
	assert_non_null(strstr(err, "cannot create"));
}

static int count_entry(void *arg, int64_t idx, const char *entry, const uint8_t *leaf)
{
	int64_t *seen = arg;

	(void)entry;
	(void)leaf;
	seen[0]++;
	seen[1] = idx;
	return 0;
}

/* How many entries name `c`, and the position of the last. */
static int64_t named(struct store *st, const uint8_t *c, int64_t *idx)
{
	int64_t seen[2] = { 0, -1 };

	assert_int_equal(store_audit_by_subject(st, c, count_entry, seen), STORE_OK);
	*idx = seen[1];
	return seen[0];
}

/* Rows in a table, read beside the store through a connection of its own. */
static long table_rows(const struct fixture *f, const char *table)
{
	char path[1200], sql[128];
	sqlite3 *db;
	sqlite3_stmt *st;
	long n = -1;

	snprintf(path, sizeof(path), "%s/signaal.db", f->cfg.data_dir);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/*
 * An entry's subjects wait beside it, then move into the index in batches
 * of whole entries: found exactly once by each of its commitments, before
 * and after the move, and never by bytes that straddle two of them.
 */
static void test_audit_subjects_pending_then_indexed(void **state)
{
	struct fixture *f = *state;
	char err[512];
	uint8_t subj[3][STORE_AUDIT_COMMIT_BYTES], straddle[STORE_AUDIT_COMMIT_BYTES];
	struct audit_record r[3] = {
		{ .entry = "{\"a\":0}", .subjects = subj, .nsubjects = 2 },
		{ .entry = "{\"a\":1}" },
		{ .entry = "{\"a\":2}", .subjects = subj + 2, .nsubjects = 1 }
	};
	int64_t first, idx;
	size_t entries, subjects;

	for (size_t i = 0; i < sizeof(subj); i++)
		subj[i / STORE_AUDIT_COMMIT_BYTES][i % STORE_AUDIT_COMMIT_BYTES] =
			(uint8_t)(i * 7 + 1);
	memcpy(straddle, subj[0] + 8, 8);
	memcpy(straddle + 8, subj[1], 8);
	assert_int_equal(store_migrate(f->st, NULL, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_audit_append(f->st, r, 3, &first), STORE_OK);
	assert_int_equal(first, 0);

	for (int pass = 0; pass < 3; pass++) {
		assert_int_equal(named(f->st, subj[0], &idx), 1);
		assert_int_equal(idx, 0);
		assert_int_equal(named(f->st, subj[1], &idx), 1);
		assert_int_equal(idx, 0);
		assert_int_equal(named(f->st, subj[2], &idx), 1);
		assert_int_equal(idx, 2);
		assert_int_equal(named(f->st, straddle, &idx), 0);
		/* Whole entries until 1 subject: pass 0 moves the first, 1 the third, 2 none. */
		assert_int_equal(store_audit_index_subjects(f->st, 1, &entries, &subjects),
				 STORE_OK);
		assert_int_equal(entries, pass < 2 ? 1 : 0);
		assert_int_equal(subjects, pass == 0 ? 2 : pass == 1 ? 1 : 0);
		/* Each subject in exactly one of the two tables. */
		assert_int_equal(table_rows(f, "audit_subjects_pending"), pass == 0 ? 1 : 0);
		assert_int_equal(table_rows(f, "audit_subjects"), pass == 0 ? 2 : 3);
	}
	/* Two entries of two: a budget of 2 moves one whole entry, and no more. */
	r[0].subjects = subj + 1;
	r[1].subjects = subj;
	r[1].nsubjects = 2;
	assert_int_equal(store_audit_append(f->st, r, 2, &first), STORE_OK);
	assert_int_equal(first, 3);
	assert_int_equal(store_audit_index_subjects(f->st, 2, &entries, &subjects), STORE_OK);
	assert_int_equal(entries, 1);
	assert_int_equal(subjects, 2);
	assert_int_equal(table_rows(f, "audit_subjects_pending"), 1);
	assert_int_equal(named(f->st, subj[1], &idx), 3); /* entries 0, 3 and 4 */
	assert_int_equal(idx, 4);
	assert_int_equal(store_audit_index_subjects(f->st, 100, &entries, &subjects), STORE_OK);
	assert_int_equal(entries, 1);
	assert_int_equal(subjects, 2);
	assert_int_equal(table_rows(f, "audit_subjects_pending"), 0);
	assert_int_equal(table_rows(f, "audit_subjects"), 7);
	assert_int_equal(named(f->st, subj[1], &idx), 3);
	assert_int_equal(named(f->st, subj[2], &idx), 2); /* entries 2 and 3 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_from_empty_and_again, setup, teardown),
		cmocka_unit_test(test_migrations_are_numbered_without_gaps),
		cmocka_unit_test_setup_teardown(test_newer_database_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_and_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads_write_concurrently, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_connections_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_subjects_pending_then_indexed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
