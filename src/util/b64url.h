/*
 * b64url.h - base64url without padding (RFC 4648 section 5), decoding of
 * public values in variable time.
 *
 * libsodium's sodium_base642bin() works in constant time, a character at a
 * time, which made it a fifth of the server's time in a batch lookup of
 * 1,000 pseudonyms.  Pseudonyms in a partner's request are not secret from
 * the server, so this table-driven decoder is safe there.  Never use it
 * for keys or anything else secret.
 */
#ifndef SIGNAAL_B64URL_H
#define SIGNAAL_B64URL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes exactly n bytes from the len characters at s.  Returns 0, or -1
 * unless len is the unpadded length of n bytes and every character is in
 * the URL-safe alphabet, with the unused low bits of the last one zero:
 * the same inputs that sodium_base642bin() accepts with
 * sodium_base64_VARIANT_URLSAFE_NO_PADDING, no characters to ignore, and
 * an exact length check.  out is unspecified after -1.
 */
int b64url_decode_exact(uint8_t *out, size_t n, const char *s, size_t len);

#endif
