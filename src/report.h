/*
 * report.h - a victim's report and the case the victim controls.
 *
 * The API layer validates a request into a struct report; report_submit()
 * gives it a case code, turns its identifiers into pseudonyms with sealed
 * raw values, seals the contact details and stores everything in one
 * transaction, with one referral per recipient the victim consented to.
 * The case functions find a report by the hash of its code.
 */
#ifndef SIGNAAL_REPORT_H
#define SIGNAAL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casecode.h"
#include "ident/ident.h"
#include "pseudonym.h"

struct store;

/* The organisations a victim may send the report to, one consent each. */
enum recipient {
	RECIPIENT_BANK = 0,
	RECIPIENT_POLICE,
	RECIPIENT_HELPDESK,
	RECIPIENT_VICTIM_SUPPORT,
	RECIPIENT_PLATFORM,
	RECIPIENT_COUNT
};

const char *recipient_name(enum recipient r);
int recipient_parse(const char *name, enum recipient *out); /* 0, or -1 */

#define REPORT_CODE_MAX	    48
#define REPORT_TIME_MAX	    32 /* "2026-11-20T14:00:00Z" */
#define REPORT_IDENTS_MAX   20
#define REPORT_TEXT_MAX	    10000 /* characters of description */
#define REFERRAL_EVENTS_MAX 16

struct report_ident {
	enum ident_kind kind;
	char role[REPORT_CODE_MAX]; /* "" when not given */
	char *canonical;	    /* owned; only until sealed */
	uint8_t pseudonym[PSEUDONYM_BYTES];
	uint8_t *sealed; /* owned: nonce || ciphertext || tag */
	size_t sealed_len;
	char routing[64]; /* bank code of an IBAN, top-level domain of a site */
};

struct report {
	int64_t id;
	uint8_t case_hash[CASECODE_HASH_BYTES];
	char status[16]; /* "open" or "withdrawn" */
	char fraud_type[REPORT_CODE_MAX];
	char channels[512]; /* codes, comma-separated */
	char *description;  /* owned, may be NULL */
	char occurred_at[REPORT_TIME_MAX];
	bool has_loss;
	int64_t loss_cents;
	char currency[4];
	char payment_method[REPORT_CODE_MAX];
	char victim_type[REPORT_CODE_MAX];
	char age_band[REPORT_CODE_MAX];
	char municipality[8];
	char *contact;		 /* owned JSON text of the contact details, until sealed */
	uint8_t *contact_sealed; /* owned */
	size_t contact_sealed_len;
	char language[3];
	unsigned consent; /* bit (1u << enum recipient) */
	char created_at[REPORT_TIME_MAX];
	char updated_at[REPORT_TIME_MAX];
	char withdrawn_at[REPORT_TIME_MAX];
	char reporter[80]; /* "r:" + fingerprint of the reporter, for independence */
	size_t nidents;
	struct report_ident idents[REPORT_IDENTS_MAX];
};

struct referral_event {
	char status[16];
	char at[REPORT_TIME_MAX];
};

struct referral {
	enum recipient recipient;
	char status[16]; /* pending, delivered, received, in_progress, closed, cancelled, retracted */
	char updated_at[REPORT_TIME_MAX];
	size_t nevents;
	struct referral_event events[REFERRAL_EVENTS_MAX]; /* oldest first; the newest kept */
};

struct addition {
	char at[REPORT_TIME_MAX];
	char *description; /* owned, may be NULL */
};

/* A report with what happened to it, as its victim sees it. */
struct case_view {
	struct report report;
	size_t nreferrals;
	struct referral referrals[RECIPIENT_COUNT];
	size_t nadditions;
	struct addition *additions; /* owned */
};

void report_release(struct report *r);
void case_view_release(struct case_view *cv);

/* The current time as RFC 3339 UTC with seconds. */
void report_now(char out[REPORT_TIME_MAX]);

/*
 * Readies a validated report for the store: makes its case code (into
 * code; its hash into r), turns identifiers into pseudonyms with sealed raw
 * values (wiping the canonical text) and seals the contact details.  Then
 * store_report_insert() or store_report_insert_async() writes it.
 * Returns STORE_OK or a STORE_E* code.
 */
int report_prepare(const struct pseudonym_key *key, struct report *r, char code[CASECODE_TEXT_MAX]);

/* Loads the case; the contact details and identifiers are opened with key. */
int report_case_load(struct store *st, const struct pseudonym_key *key,
		     const uint8_t hash[CASECODE_HASH_BYTES], struct case_view *out);

/* Adds a description and/or identifiers (prepared like report_submit's) to an open case. */
int report_case_add(struct store *st, const struct pseudonym_key *key,
		    const uint8_t hash[CASECODE_HASH_BYTES], const char *description,
		    struct report_ident *idents, size_t nidents);

/* Sets the consent; referrals follow (new: pending; withdrawn: cancelled or retracted). */
int report_case_consent(struct store *st, const uint8_t hash[CASECODE_HASH_BYTES],
			unsigned consent);

/* Withdraws the report: erases its personal data, keeps anonymous facts. */
int report_case_withdraw(struct store *st, const uint8_t hash[CASECODE_HASH_BYTES]);

#endif
