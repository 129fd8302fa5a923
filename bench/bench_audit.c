/*
 * bench_audit.c - the audit log (audit.h, merkle.h).
 *
 *   bench_audit append DIR [seconds]
 *	Entries appended per second through store_audit_append() in
 *	transactions of 100 (a lookup.hit entry naming one subject, as the
 *	server writes them), beside raw SQLite inserts of the same rows into
 *	the same schema in the same run, in alternating slices; both durable
 *	(WAL, synchronous=FULL, the default).
 *
 *   bench_audit checkpoint [N]
 *	The cost of a checkpoint at N entries (default 1,000,000): the root
 *	of the in-memory tree plus the signed note, as the server signs one,
 *	and after appending one more leaf; then the cost of rebuilding the
 *	tree from scratch (hashing N entries and appending their leaves), as
 *	`serve` does on start and `audit verify` does every run.
 *
 *   bench_audit verify DIR [N]
 *	Writes N entries (default 1,000,000) with a checkpoint every 100,000
 *	into a database in DIR and times `signaal audit verify` on it (the
 *	program beside this one).
 *
 *   bench_audit all DIR [seconds] [N]
 *	All three, with DIR/append and DIR/verify.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "audit.h"
#include "config.h"
#include "keys.h"
#include "merkle.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

#define POOL  1000 /* distinct entries, used round-robin */
#define BATCH 100  /* entries per transaction */

struct pool {
	struct audit_record r[POOL];
	uint8_t subjects[POOL][AUDIT_COMMIT_BYTES];
	size_t bytes; /* of entry text, in all */
};

static void die(const char *what)
{
	fprintf(stderr, "bench_audit: %s\n", what);
	exit(1);
}

/* Entries as a partner's lookups make them: one subject, the counts, the time. */
static void pool_make(struct pool *p)
{
	json_t *detail = json_pack("{s:i,s:i}", "items", 1, "hits", 1);
	char actor[32], at[32];

	p->bytes = 0;
	for (size_t i = 0; i < POOL; i++) {
		struct audit_event ev = { .act = "lookup.hit", .nsubjects = 1, .detail = detail };

		randombytes_buf(p->subjects[i], AUDIT_COMMIT_BYTES);
		snprintf(actor, sizeof(actor), "partner:%zu", 1 + i % 40);
		snprintf(at, sizeof(at), "2026-11-23T21:%02zu:%02zuZ", i / 60 % 60, i % 60);
		ev.actor = actor;
		ev.subjects = (const uint8_t(*)[AUDIT_COMMIT_BYTES])p->subjects[i];
		memset(&p->r[i], 0, sizeof(p->r[i]));
		p->r[i].entry = audit_entry_text(&ev, at);
		if (!p->r[i].entry)
			die("out of memory");
		merkle_leaf_hash(p->r[i].leaf, p->r[i].entry, strlen(p->r[i].entry));
		p->r[i].subjects = (const uint8_t(*)[STORE_AUDIT_COMMIT_BYTES])p->subjects[i];
		p->r[i].nsubjects = 1;
		p->bytes += strlen(p->r[i].entry);
	}
	json_decref(detail);
}

static void pool_free(struct pool *p)
{
	for (size_t i = 0; i < POOL; i++)
		mem_free((char *)p->r[i].entry);
}

static struct store *open_store(const char *dir, const char *sync, struct config *cfg)
{
	struct store *st;
	char err[1200];

	config_defaults(cfg);
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s", dir);
	snprintf(cfg->sqlite_sync, sizeof(cfg->sqlite_sync), "%s", sync);
	if (mkdir(dir, 0700) && access(dir, W_OK))
		die("cannot make the directory");
	if (store_open(&st, cfg, 0, err, sizeof(err)) ||
	    store_migrate(st, NULL, NULL, err, sizeof(err)))
		die(err);
	return st;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *q)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	return s;
}

static void run(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die(sqlite3_errmsg(sqlite3_db_handle(s)));
	sqlite3_reset(s);
}

static int bench_append(const char *dir, double secs)
{
	struct pool *p = mem_calloc(1, sizeof(*p));
	struct config cfg;
	struct store *st;
	sqlite3 *db;
	sqlite3_stmt *begin, *commit, *ins, *sub;
	char sdir[1100], rdir[1100], path[1200];
	double rate_st[5], rate_raw[5], t0, t;
	const int rounds = 5;
	size_t next = 0;
	int64_t first, idx = 0;

	if (!p)
		die("out of memory");
	pool_make(p);
	mkdir(dir, 0700);
	snprintf(sdir, sizeof(sdir), "%s/store", dir);
	snprintf(rdir, sizeof(rdir), "%s/raw", dir);
	/* The raw baseline writes into the same schema, made by the same migrations. */
	st = open_store(rdir, "full", &cfg);
	store_close(st);
	config_sqlite_path(&cfg, path, sizeof(path));
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("cannot open the raw database");
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL, NULL);
	begin = prep(db, "BEGIN IMMEDIATE");
	commit = prep(db, "COMMIT");
	ins = prep(db, "INSERT INTO audit_entries (idx, entry, leaf) VALUES (?1, ?2, ?3)");
	/* As the store writes them: the subjects beside the entry, indexed later in bulk. */
	sub = prep(db, "INSERT INTO audit_subjects_pending (idx, commitments) VALUES (?1, ?2)");
	st = open_store(sdir, "full", &cfg);

	for (int r = 0; r < rounds; r++) {
		size_t n = 0;

		t0 = bench_now();
		do {
			if (store_audit_append(st, &p->r[next], BATCH, &first))
				die("store_audit_append failed");
			next = (next + BATCH) % POOL;
			n += BATCH;
			t = bench_now() - t0;
		} while (t < secs / rounds / 2);
		rate_st[r] = (double)n / t;
		n = 0;
		t0 = bench_now();
		do {
			run(begin);
			for (size_t i = 0; i < BATCH; i++) {
				const struct audit_record *e = &p->r[(next + i) % POOL];

				sqlite3_bind_int64(ins, 1, idx);
				sqlite3_bind_text(ins, 2, e->entry, -1, SQLITE_STATIC);
				sqlite3_bind_blob(ins, 3, e->leaf, 32, SQLITE_STATIC);
				run(ins);
				sqlite3_bind_int64(sub, 1, idx);
				sqlite3_bind_blob(sub, 2, e->subjects[0], AUDIT_COMMIT_BYTES,
						  SQLITE_STATIC);
				run(sub);
				idx++;
			}
			run(commit);
			next = (next + BATCH) % POOL;
			n += BATCH;
			t = bench_now() - t0;
		} while (t < secs / rounds / 2);
		rate_raw[r] = (double)n / t;
	}
	t = bench_median(rate_st, rounds);
	t0 = bench_median(rate_raw, rounds);
	printf("audit_append: store_entries_per_s=%.0f raw_sqlite_per_s=%.0f ratio=%.2f "
	       "(transactions of %d, 1 subject, %.0f-byte entries, synchronous=full, medians of "
	       "%d rounds)\n",
	       t, t0, t / t0, BATCH, (double)p->bytes / POOL, rounds);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_finalize(ins);
	sqlite3_finalize(sub);
	sqlite3_close(db);
	store_close(st);
	pool_free(p);
	mem_free(p);
	return 0;
}

static void bench_keys(struct audit_keys *k)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->origin, sizeof(k->origin), "signaal/audit");
	crypto_sign_keypair(k->pk, k->sk);
	randombytes_buf(k->key_id, sizeof(k->key_id));
}

static int bench_checkpoint(size_t n)
{
	struct pool *p = mem_calloc(1, sizeof(*p));
	struct merkle_tree t;
	struct audit_keys k;
	uint8_t root[MERKLE_HASH_BYTES], leaf[MERKLE_HASH_BYTES];
	char note[AUDIT_NOTE_MAX];
	double t0, el, cp[201], rt[201], sg[201], inc[201];
	const int reps = 201;
	size_t bytes = 0;

	if (!p)
		die("out of memory");
	pool_make(p);
	bench_keys(&k);

	/* From scratch: hash every entry and append its leaf (entries vary by their index). */
	merkle_init(&t);
	t0 = bench_now();
	for (size_t i = 0; i < n; i++) {
		const char *e = p->r[i % POOL].entry;
		size_t len = strlen(e);

		merkle_leaf_hash(leaf, e, len);
		leaf[i % 32] ^= (uint8_t)(i >> 8);
		bytes += len;
		if (merkle_append(&t, leaf))
			die("out of memory");
	}
	el = bench_now() - t0;
	printf("audit_tree_rebuild: entries=%zu seconds=%.3f leaves_per_s=%.0f (SHA-256 of "
	       "%.0f-byte entries and the tree's levels)\n",
	       n, el, (double)n / el, (double)bytes / (double)n);
	{
		size_t mem = merkle_memory(&t);

		printf("audit_tree_memory: entries=%zu bytes=%zu bytes_per_entry=%.1f\n", n, mem,
		       (double)mem / (double)n);
	}

	for (int r = 0; r < reps; r++) {
		double a = bench_now(), b, c;

		if (merkle_root(&t, t.size, root))
			die("merkle_root failed");
		b = bench_now();
		if (audit_note_sign(&k, t.size, root, note, sizeof(note)))
			die("audit_note_sign failed");
		c = bench_now();
		rt[r] = (b - a) * 1e6;
		sg[r] = (c - b) * 1e6;
		cp[r] = (c - a) * 1e6;
	}
	/* As the server does: new entries arrive, then a checkpoint of the whole tree. */
	for (int r = 0; r < reps; r++) {
		double a;

		randombytes_buf(leaf, sizeof(leaf));
		a = bench_now();
		if (merkle_append(&t, leaf) || merkle_root(&t, t.size, root) ||
		    audit_note_sign(&k, t.size, root, note, sizeof(note)))
			die("checkpoint failed");
		inc[r] = (bench_now() - a) * 1e6;
	}
	printf("audit_checkpoint: entries=%zu microseconds=%.1f (root %.1f + signed note %.1f); "
	       "after one more entry %.1f; medians of %d\n",
	       n, bench_median(cp, reps), bench_median(rt, reps), bench_median(sg, reps),
	       bench_median(inc, reps), reps);
	merkle_free(&t);
	pool_free(p);
	mem_free(p);
	return 0;
}

static int bench_verify(const char *dir, size_t n)
{
	struct pool *p = mem_calloc(1, sizeof(*p));
	struct audit_record *rs = mem_calloc(POOL, sizeof(*rs));
	struct merkle_tree t;
	struct audit_keys k;
	struct config cfg;
	struct store *st;
	uint8_t root[MERKLE_HASH_BYTES];
	char note[AUDIT_NOTE_MAX], err[600], path[1200];
	char bin[1100];
	sqlite3 *db;
	sqlite3_stmt *ins, *cpt;
	ssize_t len = readlink("/proc/self/exe", bin, sizeof(bin) - 16);
	pid_t pid;
	double t0, el;
	int rc = -1;

	/* The program beside this one. */
	if (len <= 0)
		die("cannot find the program");
	bin[len] = '\0';
	snprintf(strrchr(bin, '/') + 1, 16, "signaal");
	if (!p || !rs)
		die("out of memory");
	pool_make(p);
	/*
	 * The schema by the store's migrations, then rows straight in with
	 * SQLite in large transactions: seeding is not what is measured.  The
	 * subjects table is left empty; verify does not read it.
	 */
	st = open_store(dir, "normal", &cfg);
	store_close(st);
	if (keys_ensure(dir, NULL, err, sizeof(err)) ||
	    audit_keys_load(&k, dir, cfg.audit_origin, err, sizeof(err)))
		die(err);
	config_sqlite_path(&cfg, path, sizeof(path));
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("cannot open the database");
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN", NULL, NULL,
		     NULL);
	ins = prep(db, "INSERT INTO audit_entries (idx, entry, leaf) VALUES (?1, ?2, ?3)");
	cpt = prep(db, "INSERT INTO audit_checkpoints (size, root, note, created_at) VALUES (?1, "
		       "?2, ?3, '2026-11-23T21:00:00Z')");
	merkle_init(&t);
	t0 = bench_now();
	for (size_t i = 0; i < n; i += POOL) {
		size_t m = n - i < POOL ? n - i : POOL;

		/* Entries differ from the pool's by a counter, as timestamps would. */
		for (size_t j = 0; j < m; j++) {
			char *e = mem_alloc(strlen(p->r[j].entry) + 24);

			if (!e)
				die("out of memory");
			snprintf(e, strlen(p->r[j].entry) + 24, "%.*s,\"n\":%zu}",
				 (int)strlen(p->r[j].entry) - 1, p->r[j].entry, i + j);
			rs[j] = p->r[j];
			rs[j].entry = e;
			merkle_leaf_hash(rs[j].leaf, e, strlen(e));
			if (merkle_append(&t, rs[j].leaf))
				die("out of memory");
		}
		for (size_t j = 0; j < m; j++) {
			sqlite3_bind_int64(ins, 1, (sqlite3_int64)(i + j));
			sqlite3_bind_text(ins, 2, rs[j].entry, -1, SQLITE_STATIC);
			sqlite3_bind_blob(ins, 3, rs[j].leaf, 32, SQLITE_STATIC);
			run(ins);
			mem_free((char *)rs[j].entry);
		}
		if (t.size % 100000 == 0 || i + m == n) {
			if (merkle_root(&t, t.size, root) ||
			    audit_note_sign(&k, t.size, root, note, sizeof(note)))
				die("cannot sign a checkpoint");
			sqlite3_bind_int64(cpt, 1, (sqlite3_int64)t.size);
			sqlite3_bind_blob(cpt, 2, root, 32, SQLITE_STATIC);
			sqlite3_bind_text(cpt, 3, note, -1, SQLITE_STATIC);
			run(cpt);
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(cpt);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	sqlite3_close(db);
	el = bench_now() - t0;
	audit_keys_wipe(&k);
	fprintf(stderr, "bench_audit: %zu entries written in %.1f s\n", n, el);
	fflush(stdout);
	t0 = bench_now();
	pid = fork();
	if (pid == 0) {
		execl(bin, bin, "audit", "verify", "--data-dir", dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &rc, 0) != pid)
		die("cannot run signaal audit verify");
	el = bench_now() - t0;
	if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
		die("audit verify failed");
	printf("audit_verify: entries=%zu seconds=%.2f entries_per_s=%.0f (signaal audit verify, "
	       "checkpoint every 100,000)\n",
	       n, el, (double)n / el);
	merkle_free(&t);
	pool_free(p);
	mem_free(p);
	mem_free(rs);
	return 0;
}

int main(int argc, char **argv)
{
	char sub[1100];

	if (sodium_init() < 0)
		die("cannot initialise libsodium");
	log_set_level(LOG_WARN);
	if (argc >= 3 && strcmp(argv[1], "append") == 0)
		return bench_append(argv[2], argc > 3 ? strtod(argv[3], NULL) : 5);
	if (argc >= 2 && strcmp(argv[1], "checkpoint") == 0)
		return bench_checkpoint(argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000);
	if (argc >= 3 && strcmp(argv[1], "verify") == 0)
		return bench_verify(argv[2], argc > 3 ? strtoul(argv[3], NULL, 10) : 1000000);
	if (argc >= 3 && strcmp(argv[1], "all") == 0) {
		size_t n = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000000;

		snprintf(sub, sizeof(sub), "%s/append", argv[2]);
		bench_append(sub, argc > 3 ? strtod(argv[3], NULL) : 5);
		bench_checkpoint(n);
		snprintf(sub, sizeof(sub), "%s/verify", argv[2]);
		return bench_verify(sub, n);
	}
	fprintf(stderr, "usage: bench_audit append DIR [seconds]\n"
			"       bench_audit checkpoint [N]\n"
			"       bench_audit verify DIR [N]\n"
			"       bench_audit all DIR [seconds] [N]\n");
	return 2;
}
