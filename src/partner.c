/* partner.c - partner keys; see partner.h. */
#include "partner.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char hash_label[] = "signaal partner key v1";

static void key_hash(const char *key, size_t len, uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, PARTNER_KEY_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)hash_label, sizeof(hash_label) - 1);
	crypto_generichash_update(&st, (const unsigned char *)key, len);
	crypto_generichash_final(&st, hash, PARTNER_KEY_HASH_BYTES);
}

void partner_key_new(char key[PARTNER_KEY_MAX], uint8_t hash[PARTNER_KEY_HASH_BYTES],
		     char prefix[PARTNER_KEY_PREFIX_MAX])
{
	uint8_t raw[32];

	randombytes_buf(raw, sizeof(raw));
	memcpy(key, "sk_", 3);
	sodium_bin2base64(key + 3, PARTNER_KEY_MAX - 3, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	key_hash(key, strlen(key), hash);
	snprintf(prefix, PARTNER_KEY_PREFIX_MAX, "%.11s", key);
}

int partner_key_hash(const char *key, uint8_t hash[PARTNER_KEY_HASH_BYTES])
{
	size_t n = strlen(key);

	if (n != 46 || strncmp(key, "sk_", 3) != 0)
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
