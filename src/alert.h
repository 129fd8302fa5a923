/*
 * alert.h - what the published rules cause: the identifier registry, rule
 * firings, and alerts to partners through the outbox.
 *
 * alert_after_report() runs inside the transaction that stores a report
 * (the store's writer calls it), so that an alert is committed with the
 * report that caused it or not at all.  The deliverer (deliver.c) sends
 * the outbox by webhook; partners can also read it as a feed.
 */
#ifndef SIGNAAL_ALERT_H
#define SIGNAAL_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ALERT_PSEUDONYM_BYTES 64

struct store;
struct rules;
struct report;
struct pseudonym_key;

/* A row of the outbox. */
struct alert {
	int64_t id;
	int64_t partner;
	char event[16]; /* alert, retraction, referral */
	bool has_pseudonym;
	uint8_t pseudonym[ALERT_PSEUDONYM_BYTES];
	int raw;       /* the recipient may see the raw value */
	char *payload; /* owned JSON text */
	char created_at[32];
	int attempts;
	uint8_t *sealed; /* owned; the sealed raw value when raw */
	size_t sealed_len;
	int64_t referral; /* for a referral and its retraction: the referral's id */
};

/* One independent source of an identifier (a reporter or a partner). */
struct alert_source {
	char source[80];
	char fraud_type[48];
	char role[48];
	int confidence;
};

void alerts_free(struct alert *a, size_t n);

/* The outcome of one delivery attempt, for store_outbox_results(). */
struct delivery_result {
	int64_t id;
	int delivered;
	int dead;     /* gave up: dead-lettered */
	int deferred; /* not sent, because the one before it to the same partner failed: no attempt */
	char at[32];
	char next[32]; /* next attempt, when neither delivered nor dead */
	char error[160];
};

/* What alert_after_report() needs; borrowed for the life of the server. */
struct alert_ctx {
	struct store *store;
	const struct rules *rules;
};

/*
 * The store hook for a report being written (inside its transaction): the
 * registry and sources for each identifier, then every rule, firing once
 * per identifier per window, with outbox rows for the recipients.  Returns
 * STORE_OK or a STORE_E* code (which rolls the report back).
 */
int alert_after_report(void *ctx, struct report *r);

/*
 * The store hook for a withdrawn report (inside its transaction): every
 * rule alert that no longer holds without it is retracted, to everyone it
 * reached.
 */
struct withdrawn_ident;
int alert_after_withdraw(void *ctx, const struct withdrawn_ident *ids, size_t n, const char *now);

/* The same for a partner signal: sources count once per partner; TLP limits recipients. */
struct signal;
int alert_after_signal(void *ctx, struct signal *s);

/*
 * The JSON an alert is delivered as (webhook body, feed entry, stream
 * event): the stored payload with "id" and, when the recipient is entitled
 * and `key` opens it, "value" (the raw identifier).  A referral carries the
 * report the victim consented to share, read from the store and opened
 * with `key` at this moment, so that nothing personal waits in the outbox.
 * New string (mem_free) or NULL.
 */
struct alert_disclosure {
	bool raw;      /* the raw identifier was opened for the recipient */
	bool has_case; /* a referral carried the victim's report */
	uint8_t case_hash[32];
};
char *alert_render(const struct alert *a, struct store *st, const struct pseudonym_key *key,
		   size_t *len, struct alert_disclosure *disc);

/*
 * Records in the audit log what a rendered alert disclosed to its partner
 * through `channel` ("webhook", "feed", "stream"): the delivery itself, and
 * the opening of a raw identifier or the reading of a case when it did.
 */
struct audit;
void alert_audit(struct audit *au, const struct alert *a, const struct alert_disclosure *disc,
		 const char *channel);

#endif
