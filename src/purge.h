/*
 * purge.h - retention: each class of data is kept for its configured period
 * (config.h, retain_*), then erased by a purge that the server runs every
 * purge_interval seconds and the operator runs with `signaal purge`.
 *
 * Both go through purge_run(): the store erases what is due (store_purge,
 * in short write transactions), and one audit entry records the counts:
 *
 *	{"actor":"server","act":"retention.purged",
 *	 "ref":"narratives=730d contact=730d raw_identifiers=730d signals=365d ...",
 *	 "detail":{"narratives":3,"additions":1,"contacts":3,...,"complete":true}}
 *
 * The entry holds counts only.  A dry run changes nothing and records nothing.
 */
#ifndef SIGNAAL_PURGE_H
#define SIGNAAL_PURGE_H

#include <jansson.h>
#include <stddef.h>

#include "store/store.h"

struct audit;
struct config;

/* The periods from the configuration; batch 0 (the store's default), not a dry run. */
void purge_policy_from_config(struct purge_policy *p, const struct config *cfg);

/* "narratives=730d contact=730d ..." for the audit entry's ref and for logs. */
void purge_policy_summary(const struct purge_policy *p, char *out, size_t outsz);

/*
 * The counts as a JSON object (new reference; NULL when out of memory);
 * "subject_requests" is null when the database has no such table.
 */
json_t *purge_counts_json(const struct purge_counts *c);

/*
 * Purges as `p` says, as of now, and (unless a dry run) records one audit
 * entry as `actor` ("server", "operator"): through `au`'s writer when au is
 * not NULL, else appended at once.  The entry is written after a failure
 * too, with what was erased before it and "complete": false.  Returns the
 * store's code; *out holds the counts.  A failure to record is logged, and
 * returned as STORE_EIO when the purge itself succeeded.
 */
int purge_run(struct store *st, struct audit *au, const struct purge_policy *p, const char *actor,
	      struct purge_counts *out);

/*
 * The server's purge thread: first run after min(interval, 60) seconds,
 * then every `interval` seconds.  NULL with err on failure.
 * purger_stop() ends a run in progress between two batches, waits for the
 * thread, and frees it; it accepts NULL.  Stop it before the audit log.
 */
struct purger;
struct purger *purger_start(struct store *st, struct audit *au, const struct purge_policy *p,
			    int interval_s, char *err, size_t errsz);
void purger_stop(struct purger *pg);

#endif
