/*
 * domain.c - the `domain` kind, and the host-name helpers that url.c and
 * email.c share (domain.h).
 *
 * A domain is stored as lower-case A-labels without the trailing dot, so
 * that "Bücher.NL." and "xn--bcher-kva.nl" are the same identifier.  IDNA
 * uses libidn2 with UTS #46 non-transitional processing: that is IDNA2008
 * as current browsers resolve it, so "faß.de" stays xn--fa-hia.de (the site
 * a victim actually saw) instead of being folded to "fass.de" as the
 * transitional mapping would.
 */
#include "ident/domain.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ident/ident.h"
#include "util/mem.h"

#define QUOTE_MAX 48

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hex_value(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void domain_quote(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i = 0, o = 0;

	if (outsz < 4) {
		if (outsz)
			out[0] = '\0';
		return;
	}
	/* invariant: o + 4 <= outsz, room for "..." and the terminator */
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : domain_utf8_char(s + i, len - i);
		size_t w = n ? n : 1;
		int last = i + w == len;

		if (o + w + 4 > outsz && !(last && o + w + 1 <= outsz)) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		/* messages must stay printable and valid UTF-8 */
		if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f)))
			out[o] = '?';
		else
			memcpy(out + o, s + i, n);
		o += n ? n : 1;
		i += w;
	}
	out[o] = '\0';
}

/*
 * Number of octets of the well-formed non-ASCII UTF-8 character at `s`
 * (2..4), or 0 if it is not one (overlong forms and surrogates included).
 */
size_t domain_utf8_char(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n;
	uint32_t cp;

	if (len == 0 || u[0] < 0x80)
		return 0;
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		n = 2;
		cp = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		n = 3;
		cp = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		n = 4;
		cp = u[0] & 0x07;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* "a.b.c.d " followed by anything, at most 15 octets: Windows resolves it as a.b.c.d. */
static size_t ipv4_space_prefix(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 15)
		return 0;
	for (int part = 0; part < 4; part++) {
		size_t start = i;

		while (i < len && i - start < 3 && is_digit((unsigned char)s[i]))
			i++;
		if (i == start || i >= len)
			return 0;
		if (s[i] != (part < 3 ? '.' : ' '))
			return 0;
		if (part < 3)
			i++;
	}
	return i;
}

/* The "possible IP" test of the reference client: only digits, dots and 0x<hex> runs. */
static int ipv4_charset_ok(const char *s, size_t len)
{
	size_t i = 0;

	if (len == 0)
		return 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c == '0' && i + 2 < len && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
		    hex_value((unsigned char)s[i + 2]) >= 0) {
			i += 2;
			while (i < len && hex_value((unsigned char)s[i]) >= 0)
				i++;
		} else if (is_digit(c) || c == '.') {
			i++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* strtoul(s, 0) restricted to 32 bits and to the whole part, as Go's ParseUint(s, 0, 32). */
static int ipv4_part(const char *s, size_t len, uint32_t *v)
{
	unsigned base = 10;
	uint64_t acc = 0;
	size_t i = 0;

	if (len == 0)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (len == 2)
			return -1;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; i < len; i++) {
		int d = hex_value((unsigned char)s[i]);

		if (d < 0 || (unsigned)d >= base)
			return -1;
		acc = acc * base + (unsigned)d;
		if (acc > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)acc;
	return 0;
}

int domain_ipv4_parse(const char *s, size_t len, char out[DOMAIN_IPV4_MAX])
{
	unsigned char bytes[4];
	size_t nparts = 1, start = 0, nb = 0, pre;

	pre = ipv4_space_prefix(s, len);
	if (pre)
		len = pre;
	if (!ipv4_charset_ok(s, len))
		return -1;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '.')
			nparts++;
	if (nparts > 4)
		return -1;
	for (size_t part = 0; part < nparts; part++) {
		size_t end = start;
		uint32_t v;
		int n;

		while (end < len && s[end] != '.')
			end++;
		if (ipv4_part(s + start, end - start, &v) < 0)
			return -1;
		/*
		 * Earlier parts give one byte each (higher bits are dropped, so
		 * "276.2.3" is 20.2.0.3 as in the reference client); the last
		 * part fills all remaining bytes.
		 */
		n = part + 1 == nparts ? (int)(5 - nparts) : 1;
		for (int b = n - 1; b >= 0; b--) {
			bytes[nb + (size_t)b] = (unsigned char)(v & 0xff);
			v >>= 8;
		}
		nb += (size_t)n;
		start = end + 1;
	}
	snprintf(out, DOMAIN_IPV4_MAX, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
	return 0;
}

int domain_to_alabels(const char *in, char *out, size_t outsz, char *err, size_t errsz)
{
	char q[QUOTE_MAX], msg[64];
	char *a = NULL;
	size_t n;
	int rc;

	rc = idn2_to_ascii_8z(in, &a, IDN2_NONTRANSITIONAL);
	if (rc == IDN2_MALLOC)
		return IDENT_ENOMEM;
	domain_quote(in, strlen(in), q, sizeof(q));
	if (rc != IDN2_OK) {
		/* libidn2's messages start with a capital now and then; ours are lower case */
		snprintf(msg, sizeof(msg), "%s", idn2_strerror(rc));
		for (char *p = msg; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		return ident_error(err, errsz, "cannot convert '%s' to an ascii (idna) name: %s", q,
				   msg);
	}
	n = strlen(a);
	if (n >= outsz) {
		idn2_free(a);
		return ident_error(err, errsz,
				   "name too long: '%s' is %zu octets as a-labels, "
				   "at most %d allowed",
				   q, n, DOMAIN_MAX);
	}
	memcpy(out, a, n + 1);
	idn2_free(a);
	return IDENT_OK;
}

const char *domain_registrable(const char *name)
{
	return psl_registrable_domain(psl_builtin(), name);
}

const char *domain_public_suffix(const char *name)
{
	const char *reg = domain_registrable(name);
	const char *dot;

	if (!reg)
		return NULL;
	dot = strchr(reg, '.');
	return dot ? dot + 1 : NULL;
}

/* Only a `domain` field can point to the url kind; in an email address that would not help. */
static const char *url_hint(const char *what)
{
	return strcmp(what, "domain") == 0 ? ": use kind url" : "";
}

/* Checks on the input as typed, so that messages can quote what the user wrote. */
static int check_typed(const char *s, size_t len, const char *what, char *err, size_t errsz)
{
	const char *hint = url_hint(what);
	char q[QUOTE_MAX], ip[DOMAIN_IPV4_MAX];
	size_t i;

	domain_quote(s, len, q, sizeof(q));
	if (memchr(s, '/', len) || memchr(s, '?', len) || memchr(s, '#', len))
		return ident_error(err, errsz, "'%s' looks like a url, not a domain name%s", q,
				   hint);
	if (memchr(s, '@', len))
		return ident_error(err, errsz,
				   "'%s' looks like an email address, not a domain "
				   "name: use kind email",
				   q);
	if (s[0] == '[' || domain_ipv4_parse(s, len, ip) == 0)
		return ident_error(err, errsz, "'%s' is an ip address, not a domain name%s", q,
				   hint);
	if (memchr(s, ':', len))
		return ident_error(err, errsz,
				   "':' is not allowed in %s '%s': only the name, "
				   "without port%s",
				   what, q, hint);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t n;

		if (c >= 0x80) {
			n = domain_utf8_char(s + i, len - i);
			if (!n)
				return ident_error(err, errsz, "%s '%s' is not valid utf-8", what,
						   q);
			i += n - 1;
		} else if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.') {
			char cq[8];

			domain_quote(s + i, 1, cq, sizeof(cq));
			return ident_error(err, errsz,
					   "invalid character '%s' in %s '%s': only "
					   "letters, digits, '-' and '.' are allowed",
					   cq, what, q);
		}
	}
	for (i = 0; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			break;
	if (s[0] == '.' || s[len - 1] == '.' || i + 1 < len)
		return ident_error(err, errsz, "empty label in %s '%s'", what, q);
	return IDENT_OK;
}

/* LDH and length rules on the A-label form. */
static int check_alabels(const char *name, const char *what, char *err, size_t errsz)
{
	char q[QUOTE_MAX], lq[QUOTE_MAX], ip[DOMAIN_IPV4_MAX];
	size_t len = strlen(name), start = 0, nlabels = 0;
	int all_digits = 1;

	domain_quote(name, len, q, sizeof(q));
	if (len > DOMAIN_MAX)
		return ident_error(err, errsz, "%s too long: %zu octets, at most %d allowed", what,
				   len, DOMAIN_MAX);
	if (domain_ipv4_parse(name, len, ip) == 0)
		return ident_error(err, errsz, "'%s' is an ip address, not a domain name%s", q,
				   url_hint(what));
	while (start <= len) {
		const char *dot = memchr(name + start, '.', len - start);
		size_t end = dot ? (size_t)(dot - name) : len;
		size_t n = end - start;

		domain_quote(name + start, n, lq, sizeof(lq));
		if (n == 0)
			return ident_error(err, errsz, "empty label in %s '%s'", what, q);
		if (n > DOMAIN_LABEL_MAX)
			return ident_error(err, errsz,
					   "label '%s' too long: %zu octets, at most %d "
					   "allowed",
					   lq, n, DOMAIN_LABEL_MAX);
		if (name[start] == '-' || name[end - 1] == '-')
			return ident_error(err, errsz,
					   "label '%s' of %s '%s' starts or ends with "
					   "'-'",
					   lq, what, q);
		all_digits = 1;
		for (size_t i = start; i < end; i++) {
			unsigned char c = (unsigned char)name[i];

			if (!is_digit(c))
				all_digits = 0;
			if (!(c >= 'a' && c <= 'z') && !is_digit(c) && c != '-')
				return ident_error(err, errsz,
						   "invalid character in label '%s' of "
						   "%s '%s'",
						   lq, what, q);
		}
		nlabels++;
		start = end + 1;
	}
	if (all_digits)
		return ident_error(err, errsz, "top-level label of %s '%s' is all digits", what, q);
	/* a listed suffix ("nl", "co.uk") first: its message is the more helpful one */
	if (nlabels == 1 &&
	    !psl_is_public_suffix2(psl_builtin(), name, PSL_TYPE_ANY | PSL_TYPE_NO_STAR_RULE))
		return ident_error(err, errsz,
				   "%s '%s' has a single label: give the full name, "
				   "such as example.nl",
				   what, q);
	if (psl_is_public_suffix(psl_builtin(), name))
		return ident_error(err, errsz,
				   "'%s' is a public suffix, not a registrable "
				   "domain: give the full name, such as example.%s",
				   q, q);
	return IDENT_OK;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

int domain_canonicalize(const char *in, size_t len, const char *what, char out[DOMAIN_MAX + 1],
			char *err, size_t errsz)
{
	char abuf[DOMAIN_MAX + 2];
	char *z;
	int rc;

	ident_trim(&in, &len);
	if (len == 0)
		return ident_error(err, errsz, "empty %s", what);
	/* a fully qualified name may end in one dot; it is not part of the identity */
	if (len > 1 && in[len - 1] == '.')
		len--;
	rc = check_typed(in, len, what, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	z = mem_strndup(in, len);
	if (!z)
		return IDENT_ENOMEM;
	if (is_ascii(z)) {
		/* our own messages on lengths and hyphens before libidn2's terser ones */
		for (char *p = z; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		rc = check_alabels(z, what, err, errsz);
		if (rc != IDENT_OK) {
			mem_free(z);
			return rc;
		}
	}
	/* one octet of slack in abuf, so that an over-long result is measured, not cut */
	rc = domain_to_alabels(z, abuf, sizeof(abuf), err, errsz);
	mem_free(z);
	if (rc != IDENT_OK)
		return rc;
	rc = check_alabels(abuf, what, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	memcpy(out, abuf, strlen(abuf) + 1);
	return IDENT_OK;
}

/* Attribute values longer than IDENT_ATTR_VALUE_MAX are left out; the canonical value rules. */
static int attr_set_optional(struct ident *out, const char *key, const char *value)
{
	if (value && strlen(value) < IDENT_ATTR_VALUE_MAX)
		return ident_attr_set(out, key, value);
	return 0;
}

int ident_domain_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	char name[DOMAIN_MAX + 1];
	int rc;

	rc = domain_canonicalize(in, len, "domain", name, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	rc = ident_set_canonical(out, name, strlen(name));
	if (rc != IDENT_OK)
		return rc;
	if (attr_set_optional(out, "registrable_domain", domain_registrable(name)) < 0 ||
	    attr_set_optional(out, "tld", domain_public_suffix(name)) < 0)
		return ident_error(err, errsz, "too many attributes");
	return IDENT_OK;
}
