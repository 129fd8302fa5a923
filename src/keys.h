/*
 * keys.h - the server's secret keys, one file each in DATA_DIR/keys/.
 *
 * A key file holds one line, "signaal-key v1 <purpose> <seed>", the seed
 * being 32 random bytes in base64url; everything a purpose needs (a VOPRF
 * key pair, a signing key, a sealing key) is derived from its seed.  Files
 * are created with mode 0600 and never overwritten: losing or replacing
 * the pseudonym key would orphan every stored pseudonym.
 */
#ifndef SIGNAAL_KEYS_H
#define SIGNAAL_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEY_SEED_BYTES 32

/* The purposes, in the order keys_ensure() creates them; NULL-terminated. */
extern const char *const keys_purposes[];

/*
 * Creates every missing key file under data_dir.  *created receives how
 * many were made (may be NULL).  0, or -1 with err.  Call sodium_init() first.
 */
int keys_ensure(const char *data_dir, int *created, char *err, size_t errsz);

/* Reads the seed for `purpose`.  0, or -1 with err.  Wipe the seed after use. */
int keys_load_seed(const char *data_dir, const char *purpose, uint8_t seed[KEY_SEED_BYTES],
		   char *err, size_t errsz);

/*
 * A fingerprint of all key files: 32 hex digits, derived from every seed
 * by a keyed hash, so that it shows whether two places hold the same keys
 * and says nothing about them.  0, or -1 with err.
 */
#define KEYS_FINGERPRINT_HEX 33
int keys_fingerprint(const char *data_dir, char out[KEYS_FINGERPRINT_HEX], char *err, size_t errsz);

/* The file name of a key, into out; 0, or -1 if it does not fit. */
int keys_path(const char *data_dir, const char *purpose, char *out, size_t outsz);

#endif
