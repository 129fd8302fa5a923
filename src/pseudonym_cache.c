/*
 * pseudonym_cache.c - recent pseudonyms of the public check (see pseudonym_cache.h).
 */
#include "pseudonym_cache.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "util/mem.h"

#define STRIPES	  64
#define TAG_BYTES 16

struct slot {
	uint8_t tag[TAG_BYTES]; /* all zero: empty */
	uint8_t pseudonym[PSEUDONYM_BYTES];
};

/*
 * The digest: SipHash-2-4 with 128-bit output of the input when it fits in
 * SHORT_INPUT bytes (every IBAN, phone number and most else: a tenth of the
 * cost of keyed BLAKE2b, which compresses a block for the key alone), else
 * keyed BLAKE2b.  Both under keys of their own, made at random.
 */
#define SHORT_INPUT 256
_Static_assert(crypto_shorthash_siphashx24_BYTES == TAG_BYTES, "SipHash-128 gives the tag");

struct pseudonym_cache {
	size_t mask;
	uint8_t sipkey[crypto_shorthash_siphashx24_KEYBYTES];
	uint8_t key[crypto_generichash_KEYBYTES];
	pthread_mutex_t stripe[STRIPES];
	struct slot *slots;
};

struct pseudonym_cache *pseudonym_cache_new(size_t slots)
{
	struct pseudonym_cache *c = mem_calloc(1, sizeof(*c));
	size_t n = 1;

	while (n < slots)
		n <<= 1;
	if (!c)
		return NULL;
	c->slots = mem_calloc(n, sizeof(*c->slots));
	if (!c->slots) {
		mem_free(c);
		return NULL;
	}
	c->mask = n - 1;
	crypto_generichash_keygen(c->key);
	randombytes_buf(c->sipkey, sizeof(c->sipkey));
	for (size_t i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->stripe[i], NULL);
	return c;
}

void pseudonym_cache_free(struct pseudonym_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->stripe[i]);
	sodium_memzero(c->slots, (c->mask + 1) * sizeof(*c->slots));
	sodium_memzero(c->key, sizeof(c->key));
	sodium_memzero(c->sipkey, sizeof(c->sipkey));
	mem_free(c->slots);
	mem_free(c);
}

/* The keyed digest of "kind || 0x00 || canonical". */
static void cache_digest(const struct pseudonym_cache *c, const char *kind_name,
			 const char *canonical, size_t canonical_len, uint8_t digest[TAG_BYTES])
{
	size_t k = strlen(kind_name);

	if (k + 1 + canonical_len <= SHORT_INPUT) {
		uint8_t in[SHORT_INPUT];

		memcpy(in, kind_name, k);
		in[k] = 0;
		memcpy(in + k + 1, canonical, canonical_len);
		crypto_shorthash_siphashx24(digest, in, k + 1 + canonical_len, c->sipkey);
		sodium_memzero(in, k + 1 + canonical_len);
	} else {
		crypto_generichash_state st;
		uint8_t zero = 0;

		crypto_generichash_init(&st, c->key, sizeof(c->key), TAG_BYTES);
		crypto_generichash_update(&st, (const uint8_t *)kind_name, k);
		crypto_generichash_update(&st, &zero, 1);
		crypto_generichash_update(&st, (const uint8_t *)canonical, canonical_len);
		crypto_generichash_final(&st, digest, TAG_BYTES);
	}
}

int pseudonym_cached(struct pseudonym_cache *c, const struct pseudonym_key *key,
		     const char *kind_name, const char *canonical, size_t canonical_len,
		     uint8_t out[PSEUDONYM_BYTES])
{
	uint8_t digest[TAG_BYTES];
	uint64_t h;
	size_t i;
	struct slot *s;
	pthread_mutex_t *m;
	int rc;

	if (!c)
		return pseudonym_compute(key, kind_name, canonical, canonical_len, out);
	cache_digest(c, kind_name, canonical, canonical_len, digest);
	/* The slot from the tag's first bits: a hit still needs all 128 to match. */
	memcpy(&h, digest, sizeof(h));
	i = (size_t)h & c->mask;
	s = &c->slots[i];
	m = &c->stripe[i % STRIPES];
	pthread_mutex_lock(m);
	if (memcmp(s->tag, digest, TAG_BYTES) == 0) {
		memcpy(out, s->pseudonym, PSEUDONYM_BYTES);
		pthread_mutex_unlock(m);
		return 0;
	}
	pthread_mutex_unlock(m);
	rc = pseudonym_compute(key, kind_name, canonical, canonical_len, out);
	if (rc == 0 && !sodium_is_zero(digest, TAG_BYTES)) {
		pthread_mutex_lock(m);
		memcpy(s->tag, digest, TAG_BYTES);
		memcpy(s->pseudonym, out, PSEUDONYM_BYTES);
		pthread_mutex_unlock(m);
	}
	return rc;
}
