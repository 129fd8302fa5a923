/* pseudonym.c - pseudonyms and sealed raw values; see pseudonym.h. */
#include "pseudonym.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

/* A different hash and label from DeriveKeyPair, so the two keys are independent. */
static const char seal_label[] = "signaal pseudonym sealing key v1";

int pseudonym_key_from_seed(struct pseudonym_key *key, const uint8_t seed[PSEUDONYM_SEED_BYTES])
{
	memmove(key->seed, seed, PSEUDONYM_SEED_BYTES);
	if (voprf_derive_key_pair(PSEUDONYM_MODE, key->sk, key->pk, key->seed,
				  (const uint8_t *)PSEUDONYM_KEY_INFO,
				  sizeof(PSEUDONYM_KEY_INFO) - 1) != 0 ||
	    crypto_generichash(key->seal_key, sizeof(key->seal_key), (const uint8_t *)seal_label,
			       sizeof(seal_label) - 1, key->seed, sizeof(key->seed)) != 0) {
		pseudonym_key_clear(key);
		return -1;
	}
	return 0;
}

int pseudonym_key_generate(struct pseudonym_key *key)
{
	uint8_t seed[PSEUDONYM_SEED_BYTES];
	int rc;

	randombytes_buf(seed, sizeof(seed));
	rc = pseudonym_key_from_seed(key, seed);
	sodium_memzero(seed, sizeof(seed));
	return rc;
}

void pseudonym_key_clear(struct pseudonym_key *key)
{
	sodium_memzero(key, sizeof(*key));
}

static int kind_ok(const char *kind, size_t *len)
{
	size_t n = 0;

	if (!kind)
		return 0;
	for (; kind[n]; n++) {
		char c = kind[n];

		if (n >= PSEUDONYM_KIND_MAX ||
		    !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	*len = n;
	return n > 0;
}

int pseudonym_input(const char *kind_name, const char *canonical, size_t canonical_len,
		    uint8_t *buf, size_t cap, size_t *out_len)
{
	size_t klen;

	if (!kind_ok(kind_name, &klen) || (canonical_len && !canonical) ||
	    canonical_len > VOPRF_INPUT_MAX - klen - 1 || cap < klen + 1 + canonical_len)
		return -1;
	memcpy(buf, kind_name, klen);
	buf[klen] = 0x00;
	if (canonical_len)
		memcpy(buf + klen + 1, canonical, canonical_len);
	*out_len = klen + 1 + canonical_len;
	return 0;
}

int pseudonym_compute(const struct pseudonym_key *key, const char *kind_name, const char *canonical,
		      size_t canonical_len, uint8_t out[PSEUDONYM_BYTES])
{
	static const uint8_t sep = 0x00;
	struct voprf_part parts[3];
	size_t klen;

	if (!kind_ok(kind_name, &klen) || (canonical_len && !canonical))
		return -1;
	parts[0].data = (const uint8_t *)kind_name;
	parts[0].len = klen;
	parts[1].data = &sep;
	parts[1].len = 1;
	parts[2].data = (const uint8_t *)canonical;
	parts[2].len = canonical_len;
	return voprf_evaluate_v(PSEUDONYM_MODE, key->sk, parts, 3, out);
}

int pseudonym_seal(const struct pseudonym_key *key, const uint8_t pseudonym[PSEUDONYM_BYTES],
		   const uint8_t *plaintext, size_t len, uint8_t *out, size_t outcap,
		   size_t *out_len)
{
	unsigned long long clen = 0;

	if ((len && !plaintext) || len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
	    outcap < PSEUDONYM_SEAL_OVERHEAD || outcap - PSEUDONYM_SEAL_OVERHEAD < len)
		return -1;
	randombytes_buf(out, PSEUDONYM_NONCE_BYTES);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + PSEUDONYM_NONCE_BYTES, &clen,
						       plaintext, len, pseudonym, PSEUDONYM_BYTES,
						       NULL, out, key->seal_key) != 0)
		return -1;
	*out_len = PSEUDONYM_NONCE_BYTES + (size_t)clen;
	return 0;
}

int pseudonym_open(const struct pseudonym_key *key, const uint8_t pseudonym[PSEUDONYM_BYTES],
		   const uint8_t *sealed, size_t len, uint8_t *out, size_t outcap, size_t *out_len)
{
	unsigned long long mlen = 0;

	if (!sealed || len < PSEUDONYM_SEAL_OVERHEAD || outcap < len - PSEUDONYM_SEAL_OVERHEAD)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, &mlen, NULL, sealed + PSEUDONYM_NONCE_BYTES, len - PSEUDONYM_NONCE_BYTES,
		    pseudonym, PSEUDONYM_BYTES, sealed, key->seal_key) != 0)
		return -1;
	*out_len = (size_t)mlen;
	return 0;
}
