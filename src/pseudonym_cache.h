/*
 * pseudonym_cache.h - recent pseudonyms of the public check, so that the
 * identifiers many people check (the IBAN of a running scam) cost one
 * scalar multiplication, not one per check.
 *
 * A fixed table of slots (80 bytes each), direct-mapped by a keyed digest
 * of "kind || 0x00 || canonical" under a key made at random when the cache
 * is made: it holds digests and pseudonyms, never an identifier, and a new
 * entry simply replaces what its slot held.  Thread-safe (striped locks).
 *
 * A hit answers faster than a miss, so the timing of a check shows whether
 * the same identifier was checked lately; only the public check uses the
 * cache, where that is no secret worth keeping (docs/THREAT_MODEL.md).
 */
#ifndef SIGNAAL_PSEUDONYM_CACHE_H
#define SIGNAAL_PSEUDONYM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pseudonym.h"

struct pseudonym_cache;

/* A cache of `slots` entries (rounded up to a power of two); NULL if out of memory. */
struct pseudonym_cache *pseudonym_cache_new(size_t slots);
void pseudonym_cache_free(struct pseudonym_cache *c);

/* pseudonym_compute() through the cache; c may be NULL (no cache).  Same return. */
int pseudonym_cached(struct pseudonym_cache *c, const struct pseudonym_key *key,
		     const char *kind_name, const char *canonical, size_t canonical_len,
		     uint8_t out[PSEUDONYM_BYTES]);

#endif
