/*
 * deliver.h - the deliverer: one thread that sends the outbox by webhook.
 *
 * Rows are sent oldest first, each with a stable webhook-id ("alert-<id>")
 * so that receivers can drop duplicates: delivery is at least once.  A
 * failed delivery is retried with exponential back-off and jitter
 * (webhook_backoff) and, after WEBHOOK_MAX_ATTEMPTS, dead-lettered.  The
 * outbox is in the database, so a restart picks up where a crash left off.
 */
#ifndef SIGNAAL_DELIVER_H
#define SIGNAAL_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

struct store;
struct pseudonym_key;
struct deliverer;

struct audit;
/* `audit` (may be NULL) records each delivery in the audit log. */
struct deliverer *deliverer_start(struct store *st, const struct pseudonym_key *key,
				  struct audit *audit, bool allow_loopback, char *err,
				  size_t errsz);

/* New rows were committed: look now rather than at the next poll. */
void deliverer_kick(struct deliverer *d);

/* Finishes the delivery in progress and stops the thread; frees d. */
void deliverer_stop(struct deliverer *d);

#endif
