/*
 * pseudonym.h - pseudonyms of identifiers and the sealed raw values.
 *
 * Identifiers of suspects are stored and matched by pseudonym, never in the
 * clear:
 *	pseudonym = VOPRF-Evaluate(skS, kind || 0x00 || canonical)
 * with RFC 9497's VOPRF(ristretto255, SHA-512) (see voprf.h), so a partner
 * can compute the same 64 bytes blindly against the published key.  The raw
 * value is kept only sealed with XChaCha20-Poly1305 under a separate key,
 * with the pseudonym as associated data, so a sealed value cannot be moved
 * to another pseudonym's record.
 *
 * Everything derives from one random 32-byte seed: the VOPRF key pair with
 * DeriveKeyPair(seed, "signaal pseudonym key v1"), the sealing key with
 * keyed BLAKE2b of a distinct label.  The seed is kept in the key file
 * DATA_DIR/keys/pseudonym.key (see keys.h), which the caller reads.
 *
 * sodium_init() must have succeeded before any call.  Nothing here
 * allocates.  Functions return 0 on success and -1 on failure.
 */
#ifndef SIGNAAL_PSEUDONYM_H
#define SIGNAAL_PSEUDONYM_H

#include <stddef.h>
#include <stdint.h>

#include "voprf.h"

#define PSEUDONYM_BYTES		 VOPRF_OUTPUT_BYTES
#define PSEUDONYM_SEED_BYTES	 VOPRF_SEED_BYTES
#define PSEUDONYM_SEAL_KEY_BYTES 32
#define PSEUDONYM_NONCE_BYTES	 24
#define PSEUDONYM_SEAL_OVERHEAD	 (PSEUDONYM_NONCE_BYTES + 16) /* nonce || ciphertext || tag */
#define PSEUDONYM_KIND_MAX	 32 /* kind names are 1..32 of [a-z0-9_] */
#define PSEUDONYM_MODE		 VOPRF_MODE_VOPRF
#define PSEUDONYM_KEY_INFO	 "signaal pseudonym key v1"

/*
 * Secret key material; wipe with pseudonym_key_clear().  Fields are filled
 * by the functions below and read-only to others (pk is the public key that
 * partners verify proofs against).
 */
struct pseudonym_key {
	uint8_t seed[PSEUDONYM_SEED_BYTES];
	uint8_t sk[VOPRF_SCALAR_BYTES];
	uint8_t pk[VOPRF_ELEMENT_BYTES];
	uint8_t seal_key[PSEUDONYM_SEAL_KEY_BYTES];
};

/* A new key from a fresh random seed. */
int pseudonym_key_generate(struct pseudonym_key *key);

/* The key that `seed` determines. */
int pseudonym_key_from_seed(struct pseudonym_key *key, const uint8_t seed[PSEUDONYM_SEED_BYTES]);

/* Wipes the key; safe to call more than once. */
void pseudonym_key_clear(struct pseudonym_key *key);

/*
 * The VOPRF input kind || 0x00 || canonical, for partners that blind it.
 * Writes *out_len bytes to `buf`; fails if `cap` is too small or the kind
 * name is not allowed.
 */
int pseudonym_input(const char *kind_name, const char *canonical, size_t canonical_len,
		    uint8_t *buf, size_t cap, size_t *out_len);

/* The pseudonym of the identifier (kind_name, canonical) under `key`. */
int pseudonym_compute(const struct pseudonym_key *key, const char *kind_name, const char *canonical,
		      size_t canonical_len, uint8_t out[PSEUDONYM_BYTES]);

/*
 * Seals `len` bytes of `plaintext` for `pseudonym` into `out` (which must
 * not overlap the plaintext): a random nonce, then the ciphertext and tag,
 * len + PSEUDONYM_SEAL_OVERHEAD bytes in all, written to *out_len.
 */
int pseudonym_seal(const struct pseudonym_key *key, const uint8_t pseudonym[PSEUDONYM_BYTES],
		   const uint8_t *plaintext, size_t len, uint8_t *out, size_t outcap,
		   size_t *out_len);

/*
 * Opens what pseudonym_seal() made for the same pseudonym, writing
 * len - PSEUDONYM_SEAL_OVERHEAD bytes to `out` (no overlap with `sealed`).
 * Fails, leaving nothing in `out`, if anything was changed or the
 * pseudonym or key differ.
 */
int pseudonym_open(const struct pseudonym_key *key, const uint8_t pseudonym[PSEUDONYM_BYTES],
		   const uint8_t *sealed, size_t len, uint8_t *out, size_t outcap,
		   size_t *out_len) VOPRF_WARN_UNUSED;

#endif
