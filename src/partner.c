/* partner.c - partner keys; see partner.h. */
#include "partner.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "deliver/webhook.h"
#include "taxonomy.h"

static const char hash_label[] = "signaal partner key v1";
static const char admin_label[] = "signaal admin key v1";

static void labelled_hash(const char *label, const char *key, size_t len,
			  uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, PARTNER_KEY_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)label, strlen(label));
	crypto_generichash_update(&st, (const unsigned char *)key, len);
	crypto_generichash_final(&st, hash, PARTNER_KEY_HASH_BYTES);
}

static void key_hash(const char *key, size_t len, uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	labelled_hash(key[1] == 'a' ? admin_label : hash_label, key, len, hash);
}

static void key_new(const char *kind, char key[PARTNER_KEY_MAX],
		    uint8_t hash[PARTNER_KEY_HASH_BYTES], char prefix[PARTNER_KEY_PREFIX_MAX])
{
	uint8_t raw[32];

	randombytes_buf(raw, sizeof(raw));
	memcpy(key, kind, 3);
	sodium_bin2base64(key + 3, PARTNER_KEY_MAX - 3, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	key_hash(key, strlen(key), hash);
	snprintf(prefix, PARTNER_KEY_PREFIX_MAX, "%.11s", key);
}

void partner_key_new(char key[PARTNER_KEY_MAX], uint8_t hash[PARTNER_KEY_HASH_BYTES],
		     char prefix[PARTNER_KEY_PREFIX_MAX])
{
	key_new("sk_", key, hash, prefix);
}

void admin_key_new(char key[PARTNER_KEY_MAX], uint8_t hash[PARTNER_KEY_HASH_BYTES],
		   char prefix[PARTNER_KEY_PREFIX_MAX])
{
	key_new("sa_", key, hash, prefix);
}

static int any_key_hash(const char *kind, const char *key, uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	size_t n = strlen(key);

	if (n != 46 || strncmp(key, kind, 3) != 0)
		return -1;
	for (size_t i = 3; i < n; i++) {
		char c = key[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -1;
	}
	key_hash(key, n, hash);
	return 0;
}

int partner_key_hash(const char *key, uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	return any_key_hash("sk_", key, hash);
}

int admin_key_hash(const char *key, uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	return any_key_hash("sa_", key, hash);
}

bool partner_bank_code_valid(const char *s)
{
	if (strlen(s) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (s[i] < 'A' || s[i] > 'Z')
			return false;
	return true;
}

bool partner_tld_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int partner_validate(struct partner *p, const struct taxonomy *tx, bool allow_loopback,
		     bool *secret_made, char *err, size_t errsz)
{
	char why[200], sig[WEBHOOK_SIG_SIZE];

	*secret_made = false;
	if (!p->name[0] || !p->sector[0]) {
		snprintf(err, errsz, "a partner needs a name and a sector");
		return -1;
	}
	for (const char *c = p->name; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == ',') {
			snprintf(err, errsz, "a partner name has no commas or control characters");
			return -1;
		}
	}
	if (partner_is_analyst(p)) {
		if (p->bank_codes[0] || p->tlds[0] || p->webhook_url[0] || p->webhook_secret[0]) {
			snprintf(err, errsz,
				 "an analyst reads statistics only: no bank codes, "
				 "top-level domains or webhook");
			return -1;
		}
		return 0;
	}
	if (!taxonomy_has(tx, "partner_sectors", p->sector)) {
		snprintf(err, errsz,
			 "unknown sector '%.32s'; expected bank, psp, telecom, "
			 "marketplace, webshop, registry, police, helpdesk, victim_support or "
			 "government, or the role analyst",
			 p->sector);
		return -1;
	}
	if (p->webhook_url[0] &&
	    webhook_url_allowed(p->webhook_url, allow_loopback, why, sizeof(why))) {
		snprintf(err, errsz, "webhook '%.200s' refused: %s", p->webhook_url, why);
		return -1;
	}
	if (!p->webhook_url[0] && p->webhook_secret[0]) {
		snprintf(err, errsz, "a webhook secret needs a webhook");
		return -1;
	}
	if (p->webhook_secret[0] &&
	    (strncmp(p->webhook_secret, "whsec_", 6) != 0 ||
	     webhook_sign(p->webhook_secret, "check", 0, "", 0, sig, sizeof(sig)) != 0)) {
		/* A secret that cannot sign would fail every delivery: refuse it now. */
		snprintf(err, errsz,
			 "a webhook secret is 'whsec_' and the base64 of 24 to 64 "
			 "random bytes (leave it out to have one made)");
		return -1;
	}
	if (p->webhook_url[0] && !p->webhook_secret[0]) {
		webhook_secret_new(p->webhook_secret, sizeof(p->webhook_secret));
		*secret_made = true;
	}
	return 0;
}

bool partner_is_analyst(const struct partner *p)
{
	return strcmp(p->sector, PARTNER_ANALYST) == 0;
}

bool partner_list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, item, n) == 0)
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}
