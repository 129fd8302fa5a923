/*
 * partner.h - partner organisations and their API keys.
 *
 * A partner has one sector (bank, psp, telecom, ...), for a bank its bank
 * codes (the four letters in a Dutch IBAN), for a registry its top-level
 * domains, and optionally a webhook.  It calls the API with
 * "Authorization: Bearer <key>"; keys are random, shown once, and kept only
 * as a hash with a short prefix that names them in lists.
 */
#ifndef SIGNAAL_PARTNER_H
#define SIGNAAL_PARTNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARTNER_NAME_MAX       64
#define PARTNER_KEY_MAX	       64 /* "sk_" + 43 base64url characters + NUL */
#define PARTNER_KEY_PREFIX_MAX 16
#define PARTNER_KEY_HASH_BYTES 32

struct partner {
	int64_t id;
	char name[PARTNER_NAME_MAX];
	char sector[32];
	char bank_codes[128]; /* comma-separated, upper case */
	char tlds[128];	      /* comma-separated, lower case, without dots */
	char webhook_url[512];
	char webhook_secret[128];
	char created_at[32];
	bool disabled;
};

/* A new key: its text (shown once), its hash and its prefix. */
void partner_key_new(char key[PARTNER_KEY_MAX], uint8_t hash[PARTNER_KEY_HASH_BYTES],
		     char prefix[PARTNER_KEY_PREFIX_MAX]);

/* The hash of a presented key; -1 if it cannot be a key (wrong form). */
int partner_key_hash(const char *key, uint8_t hash[PARTNER_KEY_HASH_BYTES]);

/* The same for administration keys ("sa_..."), hashed apart from partner keys. */
void admin_key_new(char key[PARTNER_KEY_MAX], uint8_t hash[PARTNER_KEY_HASH_BYTES],
		   char prefix[PARTNER_KEY_PREFIX_MAX]);
int admin_key_hash(const char *key, uint8_t hash[PARTNER_KEY_HASH_BYTES]);

struct taxonomy;

/*
 * Checks a partner before it is added, the same for the CLI and the API:
 * name, known sector, bank codes, TLDs, webhook (https, or loopback when
 * allowed) and a secret that can sign (one is made when a webhook has
 * none; *secret_made says so).  0, or -1 with a one-line reason in err.
 */
int partner_validate(struct partner *p, const struct taxonomy *tx, bool allow_loopback,
		     bool *secret_made, char *err, size_t errsz);

/*
 * Analysts are registered like partners with the sector "analyst", which is
 * a role and no partner sector: an analyst key reads statistics and nothing
 * else, and no rule or signal can name it.
 */
#define PARTNER_ANALYST "analyst"
bool partner_is_analyst(const struct partner *p);

/* Whether s is a bank code (four capital letters) or a top-level domain label. */
bool partner_bank_code_valid(const char *s);
bool partner_tld_valid(const char *s);

/* Whether `list` (comma-separated) holds `item`. */
bool partner_list_has(const char *list, const char *item);

#endif
