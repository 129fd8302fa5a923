/*
 * email.c - the `email` kind: local@domain.
 *
 * The local part is kept exactly as given: RFC 5321 leaves its meaning to
 * the receiving server, so "Jan.Jansen" and "jan.jansen" may be different
 * mailboxes, and provider-specific folding (dots and "+tags" at some large
 * providers) would merge addresses that are not the same.  It must be a
 * dot-atom or a quoted string (RFC 5321 section 4.1.2), with UTF-8 allowed
 * as in RFC 6531, at most 64 octets.  The domain is normalised as the
 * `domain` kind; address literals ("[192.0.2.1]") are not accepted.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ident/domain.h"
#include "ident/ident.h"
#include "util/mem.h"

#define LOCAL_MAX 64

static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static int bad_char(const char *s, size_t i, const char *q, const char *allowed, char *err,
		    size_t errsz)
{
	char cq[8];

	domain_quote(s + i, 1, cq, sizeof(cq));
	return ident_error(err, errsz, "invalid character '%s' in the local part of '%s': %s", cq,
			   q, allowed);
}

static int check_quoted(const char *s, size_t n, const char *q, char *err, size_t errsz)
{
	static const char allowed[] = "a quoted local part allows printable characters, "
				      "with '\"' and '\\' escaped by '\\'";

	if (n < 2 || s[n - 1] != '"')
		return ident_error(err, errsz, "unterminated quoted local part in '%s'", q);
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t u;

		if (c == '\\') {
			/* a '\' before the closing quote escapes it */
			if (i + 2 >= n)
				return ident_error(err, errsz,
						   "unterminated quoted local part in "
						   "'%s'",
						   q);
			if ((unsigned char)s[i + 1] < 0x20 || (unsigned char)s[i + 1] > 0x7e)
				return bad_char(s, i + 1, q, allowed, err, errsz);
			i++;
		} else if (c == '"') {
			return bad_char(s, i, q, allowed, err, errsz);
		} else if (c >= 0x80) {
			u = domain_utf8_char(s + i, n - 1 - i);
			if (!u)
				return ident_error(err, errsz,
						   "local part of '%s' is not valid utf-8", q);
			i += u - 1;
		} else if (c < 0x20 || c == 0x7f) {
			return bad_char(s, i, q, allowed, err, errsz);
		}
	}
	return IDENT_OK;
}

static int check_dot_atom(const char *s, size_t n, const char *q, char *err, size_t errsz)
{
	static const char allowed[] = "only letters, digits, '.' and !#$%&'*+-/=?^_`{|}~ "
				      "are allowed unquoted";

	if (s[0] == '.' || s[n - 1] == '.')
		return ident_error(err, errsz, "local part of '%s' starts or ends with '.'", q);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t u;

		if (c == '.') {
			if (s[i + 1] == '.')
				return ident_error(err, errsz, "local part of '%s' has '..'", q);
		} else if (c >= 0x80) {
			u = domain_utf8_char(s + i, n - i);
			if (!u)
				return ident_error(err, errsz,
						   "local part of '%s' is not valid utf-8", q);
			i += u - 1;
		} else if (!is_atext(c)) {
			return bad_char(s, i, q, allowed, err, errsz);
		}
	}
	return IDENT_OK;
}

int ident_email_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	char q[48], dom[DOMAIN_MAX + 1];
	const char *reg;
	char *c;
	size_t at, clen;
	int rc;

	ident_trim(&in, &len);
	domain_quote(in, len, q, sizeof(q));
	if (len == 0)
		return ident_error(err, errsz, "empty email address");
	if (len >= 7 && strncasecmp(in, "mailto:", 7) == 0)
		return ident_error(err, errsz, "remove 'mailto:' from '%s': give the address only",
				   q);
	/* the last '@': a quoted local part may contain one */
	for (at = len; at > 0 && in[at - 1] != '@'; at--)
		;
	if (at == 0)
		return ident_error(err, errsz, "no '@' in '%s': an email address is local@domain",
				   q);
	at--;
	if (at == 0)
		return ident_error(err, errsz, "empty local part in '%s'", q);
	if (at > LOCAL_MAX)
		return ident_error(err, errsz,
				   "local part of '%s' too long: %zu octets, at most %d "
				   "allowed",
				   q, at, LOCAL_MAX);
	rc = in[0] == '"' ? check_quoted(in, at, q, err, errsz)
			  : check_dot_atom(in, at, q, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	if (at + 1 == len)
		return ident_error(err, errsz, "empty domain in '%s'", q);
	if (in[at + 1] == '[')
		return ident_error(err, errsz,
				   "address literal in '%s' not accepted: give the "
				   "domain name",
				   q);
	rc = domain_canonicalize(in + at + 1, len - at - 1, "email domain", dom, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	clen = at + 1 + strlen(dom);
	c = mem_alloc(clen + 1);
	if (!c)
		return IDENT_ENOMEM;
	memcpy(c, in, at + 1);
	memcpy(c + at + 1, dom, strlen(dom) + 1);
	rc = ident_set_canonical(out, c, clen);
	mem_free(c);
	if (rc != IDENT_OK)
		return rc;
	reg = domain_registrable(dom);
	/* a value too long for an attribute is left out: the canonical value has it all */
	if ((strlen(dom) < IDENT_ATTR_VALUE_MAX && ident_attr_set(out, "domain", dom) < 0) ||
	    (reg && strlen(reg) < IDENT_ATTR_VALUE_MAX &&
	     ident_attr_set(out, "registrable_domain", reg) < 0))
		return ident_error(err, errsz, "too many attributes");
	return IDENT_OK;
}
