/*
 * casecode.h - the victim's case code: 128 random bits, written for people.
 *
 * The code is 26 symbols of Crockford's base32 (digits and upper-case
 * letters without I, L, O and U) and one check symbol (Luhn mod 32), in
 * groups of four: "7K3M-Q9TZ-2HXN-W4RA-CVEJ-8BPD-F6G".  Reading it back
 * ignores case, spaces and dashes and takes I and L for 1 and O for 0;
 * the check symbol catches every single mistyped symbol and most swaps of
 * two neighbours.  Only a hash of the code is stored.
 */
#ifndef SIGNAAL_CASECODE_H
#define SIGNAAL_CASECODE_H

#include <stddef.h>
#include <stdint.h>

#define CASECODE_BYTES	    16
#define CASECODE_HASH_BYTES 32
#define CASECODE_TEXT_MAX   40 /* 27 symbols, 6 dashes, NUL: 34 */

/* A new random code: its text and its hash. */
void casecode_new(char text[CASECODE_TEXT_MAX], uint8_t hash[CASECODE_HASH_BYTES]);

/*
 * Reads a code as a person typed it.  Returns 0 and its hash, or -1 when
 * the text cannot be a case code (wrong length or symbols, failed check).
 */
int casecode_parse(const char *text, uint8_t hash[CASECODE_HASH_BYTES]);

/* The hash of raw code bytes (exposed for tests). */
void casecode_hash(const uint8_t raw[CASECODE_BYTES], uint8_t hash[CASECODE_HASH_BYTES]);

#endif
