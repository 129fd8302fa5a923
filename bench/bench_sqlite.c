/*
 * bench_sqlite.c - the baseline for report intake: the same rows that one
 * report writes (a report, two identifiers with pseudonym and sealed value,
 * three referrals with their first event), inserted with raw prepared
 * statements, one durable transaction (WAL, synchronous=FULL) per report,
 * from one thread, for `seconds`.  Prints reports per second.
 *
 * Usage: bench_sqlite DIR [seconds]
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "config.h"
#include "store/store.h"

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench_sqlite: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	return s;
}

static void run(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE && sqlite3_errcode(sqlite3_db_handle(s)) != SQLITE_ROW) {
		fprintf(stderr, "bench_sqlite: %s\n", sqlite3_errmsg(sqlite3_db_handle(s)));
		exit(1);
	}
	sqlite3_reset(s);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	sqlite3 *db;
	sqlite3_stmt *begin, *commit, *rep, *ident, *ref, *ev;
	unsigned char hash[32], pseud[64], sealed[60];
	char path[1100], err[512];
	double secs = argc > 2 ? strtod(argv[2], NULL) : 5, t0, t;
	long n = 0;
	sqlite3_int64 id;

	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: bench_sqlite DIR [seconds]\n");
		return 2;
	}
	/* The real schema, made by the real migrations. */
	config_defaults(&cfg);
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", argv[1]);
	if (store_open(&st, &cfg, 0, err, sizeof(err)) ||
	    store_migrate(st, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "bench_sqlite: %s\n", err);
		return 1;
	}
	store_close(st);
	config_sqlite_path(&cfg, path, sizeof(path));
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON",
		     NULL, NULL, NULL);
	begin = prep(db, "BEGIN IMMEDIATE");
	commit = prep(db, "COMMIT");
	rep = prep(db,
		   "INSERT INTO reports (case_hash, fraud_type, channels, description, "
		   "occurred_at, loss_cents, currency, payment_method, victim_type, age_band, "
		   "municipality, contact_sealed, language, consent, created_at, updated_at) "
		   "VALUES (?1, 'bank_helpdesk', 'phone_call', 'Iemand belde namens de bank.', "
		   "'2026-11-20T14:00:00Z', 125000, 'EUR', 'bank_transfer', 'citizen', '65_74', "
		   "'GM0363', ?2, 'nl', 11, '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z')");
	ident = prep(db,
		     "INSERT INTO report_identifiers (report_id, kind, role, pseudonym, sealed, "
		     "added_at) VALUES (?3, 'iban', 'beneficiary', ?1, ?2, "
		     "'2026-11-23T00:00:00Z')");
	ref = prep(db, "INSERT INTO referrals (report_id, recipient, status, updated_at) VALUES "
		       "(?2, ?1, 'pending', '2026-11-23T00:00:00Z')");
	ev = prep(db, "INSERT INTO referral_events (referral_id, status, at) VALUES "
		      "(last_insert_rowid(), 'pending', '2026-11-23T00:00:00Z')");
	randombytes_buf(sealed, sizeof(sealed));
	t0 = bench_now();
	do {
		static const char *const rcpt[] = { "bank", "police", "victim_support" };

		randombytes_buf(hash, sizeof(hash));
		randombytes_buf(pseud, sizeof(pseud));
		run(begin);
		sqlite3_bind_blob(rep, 1, hash, sizeof(hash), SQLITE_STATIC);
		sqlite3_bind_blob(rep, 2, sealed, sizeof(sealed), SQLITE_STATIC);
		run(rep);
		id = sqlite3_last_insert_rowid(db);
		for (int i = 0; i < 2; i++) {
			sqlite3_bind_blob(ident, 1, pseud, sizeof(pseud), SQLITE_STATIC);
			sqlite3_bind_blob(ident, 2, sealed, sizeof(sealed), SQLITE_STATIC);
			sqlite3_bind_int64(ident, 3, id);
			run(ident);
		}
		for (int i = 0; i < 3; i++) {
			sqlite3_bind_text(ref, 1, rcpt[i], -1, SQLITE_STATIC);
			sqlite3_bind_int64(ref, 2, id);
			run(ref);
			run(ev);
		}
		run(commit);
		n++;
		t = bench_now() - t0;
	} while (t < secs);
	printf("%.0f\n", (double)n / t);
	sqlite3_close(db);
	return 0;
}
