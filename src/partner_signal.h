/*
 * partner_signal.h - fraud signals that partners share with each other.
 *
 * A signal names an identifier (stored by pseudonym, the raw value sealed),
 * a fraud type, how sure the partner is (confidence 0-100), how far it may
 * travel (TLP) and to whom (the sharing scope: sectors and named partners).
 * Signals count towards the rules once per partner.
 */
#ifndef SIGNAAL_PARTNER_SIGNAL_H
#define SIGNAAL_PARTNER_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "ident/ident.h"
#include "pseudonym.h"

#define SIGNAL_BATCH_MAX 1000

enum tlp { TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED };

const char *tlp_name(enum tlp t);
int tlp_parse(const char *s, enum tlp *out); /* 0, or -1 */

struct signal {
	int64_t id;
	int64_t partner;
	enum ident_kind kind;
	char *canonical; /* owned until sealed */
	uint8_t pseudonym[PSEUDONYM_BYTES];
	uint8_t *sealed; /* owned */
	size_t sealed_len;
	char routing[64];
	char fraud_type[48];
	char *modus_operandi; /* owned, may be NULL */
	int confidence;
	enum tlp tlp;
	char scope_sectors[256];  /* comma-separated sector codes */
	char scope_partners[512]; /* comma-separated partner names */
	char valid_until[32];
	char created_at[32];
};

void signal_release(struct signal *s);

/* Pseudonym and sealed raw value; the canonical text is wiped. STORE_OK or STORE_E*. */
int signal_prepare(const struct pseudonym_key *key, struct signal *s);

#endif
