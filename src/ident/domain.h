/*
 * domain.h - host and domain-name handling shared by the url, domain and
 * email kinds.  Internal to src/ident/; other modules use ident.h.
 *
 * Nothing here allocates through the caller: results go into caller-owned
 * buffers of the sizes given below.  libidn2 allocates internally (with its
 * own allocator) and frees before returning.
 */
#ifndef SIGNAAL_IDENT_DOMAIN_H
#define SIGNAAL_IDENT_DOMAIN_H

#include <stddef.h>

#define DOMAIN_MAX	 253 /* octets in a DNS name without the trailing dot */
#define DOMAIN_LABEL_MAX 63
#define DOMAIN_IPV4_MAX	 16 /* "255.255.255.255" plus terminator */

/*
 * Parse `len` bytes at `s` as an IPv4 address the way Safe Browsing does:
 * one to four parts, each decimal, octal (leading 0) or hex (0x); the last
 * part fills the remaining bytes ("1.2.3" is 1.2.0.3, "3279880203" is
 * 195.127.0.11); "a.b.c.d <rubbish>" of at most 15 octets counts as a.b.c.d.
 * Writes dotted decimal into `out` and returns 0, or returns -1 if `s` is
 * not an IPv4 address in any of these forms.
 */
int domain_ipv4_parse(const char *s, size_t len, char out[DOMAIN_IPV4_MAX]);

/*
 * Convert the NUL-terminated UTF-8 host name `in` to A-labels (IDNA2008,
 * UTS #46 non-transitional mapping, so also lower case) into `out`.
 * Returns IDENT_OK, IDENT_EINVAL with a message, or IDENT_ENOMEM.
 */
int domain_to_alabels(const char *in, char *out, size_t outsz, char *err, size_t errsz);

/*
 * Normalise `len` bytes at `in` as a registrable DNS name: A-labels, lower
 * case, no trailing dot, letters/digits/hyphens, label and total lengths
 * checked, not an IP address, not a bare public suffix.  `what` names the
 * field in messages ("domain", "email domain").  `out` gets the canonical
 * name.  Returns IDENT_OK, IDENT_EINVAL with a message, or IDENT_ENOMEM.
 */
int domain_canonicalize(const char *in, size_t len, const char *what, char out[DOMAIN_MAX + 1],
			char *err, size_t errsz);

/*
 * The registrable domain ("example.co.uk") and public suffix ("co.uk") of a
 * canonical lower-case name, from the Public Suffix List built into libpsl.
 * Both return a pointer into `name` (borrowed, valid as long as `name`), or
 * NULL if the name has none (it is itself a public suffix).
 */
const char *domain_registrable(const char *name);
const char *domain_public_suffix(const char *name);

/*
 * Octets (2..4) of the well-formed non-ASCII UTF-8 character at `s`, or 0
 * if there is none (ASCII, overlong forms, surrogates, cut sequences).
 */
size_t domain_utf8_char(const char *s, size_t len);

/*
 * Copy `len` bytes of `s` into `out` (`outsz` >= 4) for quoting in an
 * error message: control octets and invalid UTF-8 become '?', and if it
 * does not fit it is cut between characters and ends in "...".  Always
 * terminates `out`.
 */
void domain_quote(const char *s, size_t len, char *out, size_t outsz);

#endif
