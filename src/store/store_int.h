/*
 * store_int.h - what a storage backend implements.  Private to src/store/.
 *
 * A backend's own store struct embeds `struct store` as its first member,
 * so that store.c can call through `st->be` and the backend can cast back.
 * store.c checks arguments and counts errors; backends only do the work.
 */
#ifndef SIGNAAL_STORE_INT_H
#define SIGNAAL_STORE_INT_H

#include "store/store.h"

struct store_backend {
	const char *name;
	int (*open)(struct store **out, const struct config *cfg, unsigned flags, char *err,
		    size_t errsz);
	void (*close)(struct store *st);
	int (*migrate)(struct store *st, int *from, int *to, char *err, size_t errsz);
	int (*schema_version)(struct store *st, int *version);
	int (*schema_latest)(void);
	int (*ping)(struct store *st);
	int (*backup)(struct store *st, const char *path, char *err, size_t errsz);
	int (*tx_begin)(struct store *st);
	int (*tx_commit)(struct store *st);
	int (*tx_rollback)(struct store *st);
	int (*meta_get)(struct store *st, const char *key, char *out, size_t outsz);
	int (*meta_set)(struct store *st, const char *key, const char *value);

	int (*report_insert_async)(struct store *st, struct report *r, store_done_fn done,
				   void *arg);
	int (*case_get)(struct store *st, const uint8_t *hash, struct case_view *out);
	int (*case_add)(struct store *st, const uint8_t *hash, const char *now,
			const char *description, const struct report_ident *idents, size_t nidents);
	int (*case_consent)(struct store *st, const uint8_t *hash, unsigned consent,
			    const char *now);
	int (*case_withdraw)(struct store *st, const uint8_t *hash, const char *now);
};

struct store {
	const struct store_backend *be;
};

extern const struct store_backend store_sqlite_backend;

/* sqlite_report.c */
int sqlite_report_insert_async(struct store *st, struct report *r, store_done_fn done, void *arg);
int sqlite_case_get(struct store *st, const uint8_t *hash, struct case_view *out);
int sqlite_case_add(struct store *st, const uint8_t *hash, const char *now, const char *description,
		    const struct report_ident *idents, size_t nidents);
int sqlite_case_consent(struct store *st, const uint8_t *hash, unsigned consent, const char *now);
int sqlite_case_withdraw(struct store *st, const uint8_t *hash, const char *now);

/* A numbered migration, embedded at build time from data/migrations/<backend>/. */
struct store_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct store_migration store_sqlite_migrations[];
extern const size_t store_sqlite_nmigrations;

#endif
