/*
 * bench_pg.c - the PostgreSQL baseline for report intake: the same rows
 * that one report writes (as bench_sqlite.c: a report, two identifiers,
 * three referrals with their first event), inserted with raw prepared
 * statements through libpq, one committed transaction per report, from one
 * connection, for `seconds`.  Prints reports per second.
 *
 * Usage: bench_pg URL [seconds]   (the database gets the real schema first)
 */
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "config.h"
#include "store/store.h"

static PGconn *db;

static PGresult *run(const char *name, int n, const char *const *v, const int *len, const int *fmt)
{
	PGresult *r = PQexecPrepared(db, name, n, v, len, fmt, 0);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "bench_pg: %s: %s", name, PQerrorMessage(db));
		exit(1);
	}
	return r;
}

static void prep(const char *name, const char *sql)
{
	PGresult *r = PQprepare(db, name, sql, 0, NULL);

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bench_pg: %s", PQerrorMessage(db));
		exit(1);
	}
	PQclear(r);
}

int main(int argc, char **argv)
{
	static const char *const rcpt[] = { "bank", "police", "victim_support" };
	struct config cfg;
	struct store *st;
	unsigned char hash[32], pseud[64], sealed[60];
	char err[512], id[24], ref_id[24];
	double secs = argc > 2 ? strtod(argv[2], NULL) : 5, t0, t;
	long n = 0;

	if (argc < 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: bench_pg URL [seconds]\n");
		return 2;
	}
	/* The real schema, made by the real migrations. */
	config_defaults(&cfg);
	snprintf(cfg.store, sizeof(cfg.store), "postgres");
	snprintf(cfg.store_url, sizeof(cfg.store_url), "%s", argv[1]);
	if (store_open(&st, &cfg, 0, err, sizeof(err)) ||
	    store_migrate(st, NULL, NULL, err, sizeof(err))) {
		fprintf(stderr, "bench_pg: %s\n", err);
		return 1;
	}
	store_close(st);
	db = PQconnectdb(argv[1]);
	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "bench_pg: %s", PQerrorMessage(db));
		return 1;
	}
	prep("begin", "BEGIN");
	prep("commit", "COMMIT");
	prep("rep", "INSERT INTO reports (case_hash, fraud_type, channels, description, "
		    "occurred_at, loss_cents, currency, payment_method, victim_type, age_band, "
		    "municipality, contact_sealed, language, consent, created_at, updated_at) "
		    "VALUES ($1, 'bank_helpdesk', 'phone_call', 'Iemand belde namens de bank.', "
		    "'2026-11-20T14:00:00Z', 125000, 'EUR', 'bank_transfer', 'citizen', '65_74', "
		    "'GM0363', $2, 'nl', 11, '2026-11-23T00:00:00Z', '2026-11-23T00:00:00Z') "
		    "RETURNING id");
	prep("ident", "INSERT INTO report_identifiers (report_id, kind, role, pseudonym, sealed, "
		      "added_at) VALUES ($3, 'iban', 'beneficiary', $1, $2, "
		      "'2026-11-23T00:00:00Z')");
	prep("ref", "INSERT INTO referrals (report_id, recipient, status, updated_at) VALUES "
		    "($2, $1, 'pending', '2026-11-23T00:00:00Z') RETURNING id");
	prep("ev", "INSERT INTO referral_events (referral_id, status, at) VALUES "
		   "($1, 'pending', '2026-11-23T00:00:00Z')");
	randombytes_buf(sealed, sizeof(sealed));
	t0 = bench_now();
	do {
		const char *v[3];
		int len[3], fmt[3] = { 1, 1, 0 };
		PGresult *r;

		randombytes_buf(hash, sizeof(hash));
		randombytes_buf(pseud, sizeof(pseud));
		PQclear(run("begin", 0, NULL, NULL, NULL));
		v[0] = (const char *)hash, len[0] = sizeof(hash);
		v[1] = (const char *)sealed, len[1] = sizeof(sealed);
		r = run("rep", 2, v, len, fmt);
		snprintf(id, sizeof(id), "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		for (int i = 0; i < 2; i++) {
			v[0] = (const char *)pseud, len[0] = sizeof(pseud);
			v[1] = (const char *)sealed, len[1] = sizeof(sealed);
			v[2] = id, len[2] = 0;
			PQclear(run("ident", 3, v, len, fmt));
		}
		for (int i = 0; i < 3; i++) {
			const int tf[2] = { 0, 0 };

			v[0] = rcpt[i], v[1] = id;
			r = run("ref", 2, v, NULL, tf);
			snprintf(ref_id, sizeof(ref_id), "%s", PQgetvalue(r, 0, 0));
			PQclear(r);
			v[0] = ref_id;
			PQclear(run("ev", 1, v, NULL, tf));
		}
		PQclear(run("commit", 0, NULL, NULL, NULL));
		n++;
		t = bench_now() - t0;
	} while (t < secs);
	printf("%.0f\n", (double)n / t);
	PQfinish(db);
	return 0;
}
