/*
 * url.c - the `url` kind: Google Safe Browsing canonicalisation ("URLs and
 * Hashing" in the Safe Browsing API v4 documentation) and the host-suffix /
 * path-prefix expressions that a listed URL is matched by.
 *
 * The canonical value is scheme://host/path[?query].  Choices where the
 * documentation leaves room, matching the reference client (google/
 * safebrowsing, urls.go) unless said otherwise:
 * - the fragment is cut at the first raw '#', before any unescaping, so an
 *   escaped "%23" stays part of the URL;
 * - the whole URL is unescaped until nothing changes, then escaped once
 *   (octets <= 0x20, >= 0x7f, '#' and '%', with lower-case hex); only after
 *   that are scheme, host, path and query split, as browsers of old did;
 * - schemes: http, https and ftp (Safe Browsing lists ftp URLs too); no
 *   scheme means http; the scheme is written in lower case.  Unlike the
 *   reference client, "example.nl:8080/x" is read as host and port, not as
 *   the scheme "example.nl" (a scheme never contains a dot);
 * - user information ("user:pass@") is dropped: it does not change which
 *   site is visited, and phishing URLs use it to disguise the host;
 * - the port is dropped, as in the documentation's own examples; a port
 *   that is not all digits is rejected;
 * - hosts with non-ASCII characters become A-labels (domain.h).  As in the
 *   reference client a lone 0x80 octet does not count as non-ASCII, so
 *   "\x01\x80.com" stays percent-escaped instead of failing;
 * - IPv6 literals are checked and written in the RFC 5952 text form;
 * - the query is kept (the reference client's canonicalURL drops it), and
 *   "?" with an empty query too, as in the documentation's examples.
 *
 * Expressions, in this order: for each host (the exact host, then up to
 * four suffixes formed from the last five labels, longest first, never the
 * last label alone, none for an IP address), the paths: the exact path with
 * the query (when not empty), the exact path, then "/" and up to three more
 * prefixes from the root, each ending in '/'.  Duplicates are left out.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ident/domain.h"
#include "ident/ident.h"
#include "util/mem.h"

#define URL_HOSTS_MAX	      5
#define URL_PATHS_MAX	      6
#define URL_PREFIX_COMPONENTS 4 /* "/" plus three more */
#define URL_SUFFIX_LABELS     5

struct url_parts {
	char scheme[16];
	char host[DOMAIN_MAX + 1];
	int host_is_ip;
	char *path;  /* owned; cleaned, escaped, starts with '/' */
	char *query; /* owned; escaped; NULL if the URL has no '?' */
};

static void url_parts_release(struct url_parts *u)
{
	mem_free(u->path);
	mem_free(u->query);
	u->path = NULL;
	u->query = NULL;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One pass of percent-decoding in place; returns the new length. */
static size_t unescape_once(char *s, size_t len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			s[o++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			s[o++] = s[i++];
		}
	}
	return o;
}

static int needs_escape(unsigned char c)
{
	return c <= 0x20 || c >= 0x7f || c == '#' || c == '%';
}

/* Escape `len` bytes of `s` into a new string; NULL when out of memory. */
static char *escape_dup(const char *s, size_t len, size_t *outlen)
{
	static const char hex[] = "0123456789abcdef";
	char *e = mem_alloc(len * 3 + 1);
	size_t o = 0;

	if (!e)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (needs_escape(c)) {
			e[o++] = '%';
			e[o++] = hex[c >> 4];
			e[o++] = hex[c & 15];
		} else {
			e[o++] = (char)c;
		}
	}
	e[o] = '\0';
	*outlen = o;
	return e;
}

/* Collapse runs of dots and drop leading and trailing dots, in place. */
static size_t squeeze_dots(char *s, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && (o == 0 || s[o - 1] == '.'))
			continue;
		s[o++] = s[i];
	}
	if (o && s[o - 1] == '.')
		o--;
	return o;
}

static int host_ipv6(const char *h, size_t n, struct url_parts *u, const char *q, char *err,
		     size_t errsz)
{
	char lit[64], text[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	size_t close = n, i;

	for (i = n; i > 0; i--) {
		if (h[i - 1] == ']') {
			close = i - 1;
			break;
		}
	}
	if (close == n)
		return ident_error(err, errsz, "missing ']' after the ipv6 address in '%s'", q);
	if (close + 1 < n) {
		if (h[close + 1] != ':')
			return ident_error(err, errsz, "unexpected text after ']' in '%s'", q);
		for (i = close + 2; i < n; i++)
			if (h[i] < '0' || h[i] > '9')
				return ident_error(err, errsz,
						   "invalid port in '%s': only digits "
						   "are allowed",
						   q);
	}
	if (close - 1 >= sizeof(lit))
		return ident_error(err, errsz, "invalid ipv6 address in '%s'", q);
	memcpy(lit, h + 1, close - 1);
	lit[close - 1] = '\0';
	if (inet_pton(AF_INET6, lit, addr) != 1 || !inet_ntop(AF_INET6, addr, text, sizeof(text)))
		return ident_error(err, errsz, "invalid ipv6 address '[%s]' in '%s'", lit, q);
	snprintf(u->host, sizeof(u->host), "[%s]", text);
	u->host_is_ip = 1;
	return IDENT_OK;
}

/*
 * The canonical host from the escaped `h` (user information already cut):
 * port dropped, IDN converted, dots squeezed, IPv4 in dotted decimal, lower
 * case.
 */
static int host_canonicalize(const char *h, size_t n, struct url_parts *u, const char *q, char *err,
			     size_t errsz)
{
	char abuf[DOMAIN_MAX + 2];
	char ip[DOMAIN_IPV4_MAX];
	char *raw, *host = NULL;
	size_t rawlen, hlen = 0, i;
	int unicode = 0, rc = IDENT_OK;

	if (n && h[0] == '[')
		return host_ipv6(h, n, u, q, err, errsz);
	for (i = n; i > 0 && h[i - 1] >= '0' && h[i - 1] <= '9'; i--)
		;
	if (i > 0 && h[i - 1] == ':') {
		n = i - 1;
	} else if (memchr(h, ':', n)) {
		return ident_error(err, errsz, "invalid port in '%s': only digits are allowed", q);
	}
	if (memchr(h, ':', n))
		return ident_error(err, errsz, "host of '%s' contains ':'", q);

	raw = mem_strndup(h, n);
	if (!raw)
		return IDENT_ENOMEM;
	rawlen = unescape_once(raw, n);
	for (i = 0; i < rawlen; i++)
		if ((unsigned char)raw[i] > 0x80)
			unicode = 1;
	if (unicode) {
		if (memchr(raw, '\0', rawlen)) {
			rc = ident_error(err, errsz, "host of '%s' contains a NUL byte", q);
			goto out;
		}
		rawlen = squeeze_dots(raw, rawlen);
		raw[rawlen] = '\0';
		rc = domain_to_alabels(raw, abuf, sizeof(abuf), err, errsz);
		if (rc != IDENT_OK)
			goto out;
		/*
		 * UTS #46 maps fullwidth '%', '/', ':' ... to ASCII, and removes
		 * soft hyphens between "%2" and "5": either would make a host
		 * that parses differently the next time.
		 */
		if (strpbrk(abuf, "%/?#@:[]\\ \x7f")) {
			char aq[48];

			domain_quote(abuf, strlen(abuf), aq, sizeof(aq));
			rc = ident_error(err, errsz,
					 "host of '%s' becomes '%s' as a-labels, "
					 "which is not a host name",
					 q, aq);
			goto out;
		}
		host = escape_dup(abuf, strlen(abuf), &hlen);
	} else {
		host = mem_strndup(h, n);
		hlen = n;
	}
	if (!host) {
		rc = IDENT_ENOMEM;
		goto out;
	}
	hlen = squeeze_dots(host, hlen);
	if (hlen == 0) {
		rc = ident_error(err, errsz, "no host in '%s'", q);
		goto out;
	}
	if (memchr(host, '[', hlen) || memchr(host, ']', hlen)) {
		rc = ident_error(err, errsz,
				 "'[' or ']' in the host of '%s': only an ipv6 address "
				 "is written in brackets",
				 q);
		goto out;
	}
	if (hlen > DOMAIN_MAX) {
		rc = ident_error(err, errsz,
				 "host of '%s' too long: %zu octets, at most %d allowed", q, hlen,
				 DOMAIN_MAX);
		goto out;
	}
	if (domain_ipv4_parse(host, hlen, ip) == 0) {
		snprintf(u->host, sizeof(u->host), "%s", ip);
		u->host_is_ip = 1;
	} else {
		for (i = 0; i < hlen; i++) {
			char c = host[i];

			u->host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
		}
		u->host[hlen] = '\0';
	}
out:
	mem_free(raw);
	mem_free(host);
	return rc;
}

/*
 * Resolve "." and ".." segments and empty segments of the rooted (or empty)
 * path `p`, as Go's path.Clean, keeping a trailing slash.  NULL when out of
 * memory.
 */
static char *path_clean(const char *p, size_t n)
{
	char *o = mem_alloc(n + 2);
	size_t len = 0, i = 0;

	if (!o)
		return NULL;
	o[len++] = '/';
	while (i < n) {
		size_t start, seg;

		while (i < n && p[i] == '/')
			i++;
		start = i;
		while (i < n && p[i] != '/')
			i++;
		seg = i - start;
		if (seg == 0 || (seg == 1 && p[start] == '.'))
			continue;
		if (seg == 2 && p[start] == '.' && p[start + 1] == '.') {
			/* drop the last segment; at the root ".." stays at the root */
			if (len > 1) {
				len--;
				while (len > 1 && o[len - 1] != '/')
					len--;
			}
			continue;
		}
		memcpy(o + len, p + start, seg);
		len += seg;
		o[len++] = '/';
	}
	if (len > 1 && !(n > 0 && p[n - 1] == '/'))
		len--;
	o[len] = '\0';
	return o;
}

/*
 * Split an escaped URL.  A scheme is letters, then letters, digits, '+', '-'
 * up to ':'.
 */
static int url_split(const char *e, size_t n, struct url_parts *u, const char *q, char *err,
		     size_t errsz)
{
	size_t i = 0, rest, end, host_end, at;
	const char *qm;
	int rc;

	snprintf(u->scheme, sizeof(u->scheme), "http");
	if (n && ((e[0] >= 'a' && e[0] <= 'z') || (e[0] >= 'A' && e[0] <= 'Z'))) {
		while (i < n && ((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= 'A' && e[i] <= 'Z') ||
				 (e[i] >= '0' && e[i] <= '9') || e[i] == '+' || e[i] == '-'))
			i++;
	}
	if (i > 0 && i < n && e[i] == ':') {
		char sch[16];
		size_t k;

		if (i >= sizeof(sch))
			return ident_error(err, errsz,
					   "unsupported scheme in '%s': only http, "
					   "https and ftp urls are accepted",
					   q);
		for (k = 0; k < i; k++)
			sch[k] = (e[k] >= 'A' && e[k] <= 'Z') ? (char)(e[k] - 'A' + 'a') : e[k];
		sch[i] = '\0';
		if (strcmp(sch, "http") && strcmp(sch, "https") && strcmp(sch, "ftp"))
			return ident_error(err, errsz,
					   "unsupported scheme '%s' in '%s': only "
					   "http, https and ftp urls are accepted",
					   sch, q);
		snprintf(u->scheme, sizeof(u->scheme), "%s", sch);
		rest = i + 1;
		if (n - rest < 2 || e[rest] != '/' || e[rest + 1] != '/')
			return ident_error(err, errsz, "expected '//' after '%s:' in '%s'", sch, q);
		rest += 2;
	} else {
		rest = 0;
	}
	qm = memchr(e + rest, '?', n - rest);
	end = qm ? (size_t)(qm - e) : n;
	if (qm) {
		u->query = mem_strndup(qm + 1, n - end - 1);
		if (!u->query)
			return IDENT_ENOMEM;
	}
	for (host_end = rest; host_end < end && e[host_end] != '/'; host_end++)
		;
	for (at = host_end; at > rest && e[at - 1] != '@'; at--)
		;
	if (at == host_end)
		return ident_error(err, errsz, "no host in '%s'", q);
	rc = host_canonicalize(e + at, host_end - at, u, q, err, errsz);
	if (rc != IDENT_OK)
		return rc;
	u->path = path_clean(e + host_end, end - host_end);
	return u->path ? IDENT_OK : IDENT_ENOMEM;
}

static int url_parse(struct url_parts *u, const char *in, size_t len, char *err, size_t errsz)
{
	char q[48];
	const char *hash;
	char *raw, *esc;
	size_t n, o = 0, elen;
	int rc;

	domain_quote(in, len, q, sizeof(q));
	hash = memchr(in, '#', len);
	if (hash)
		len = (size_t)(hash - in);
	ident_trim(&in, &len);
	if (len == 0)
		return ident_error(err, errsz, "no url in '%s'", q);
	raw = mem_alloc(len + 1);
	if (!raw)
		return IDENT_ENOMEM;
	for (size_t i = 0; i < len; i++)
		if (in[i] != '\t' && in[i] != '\r' && in[i] != '\n')
			raw[o++] = in[i];
	/* every pass that changes anything shortens the string, so this ends */
	do {
		n = o;
		o = unescape_once(raw, n);
	} while (o != n);
	esc = escape_dup(raw, o, &elen);
	mem_free(raw);
	if (!esc)
		return IDENT_ENOMEM;
	rc = url_split(esc, elen, u, q, err, errsz);
	mem_free(esc);
	return rc;
}

/* A tiny growable string for assembling the canonical URL and expressions. */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = mem_realloc(b->p, cap);

		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

struct span {
	const char *s;
	size_t n;
};

static size_t lookup_hosts(const struct url_parts *u, struct span hosts[URL_HOSTS_MAX])
{
	size_t len = strlen(u->host), nlabels = 1, first, count = 0, label = 0;

	hosts[count++] = (struct span){ u->host, len };
	if (u->host_is_ip)
		return count;
	for (size_t i = 0; i < len; i++)
		if (u->host[i] == '.')
			nlabels++;
	first = nlabels > URL_SUFFIX_LABELS ? nlabels - URL_SUFFIX_LABELS : 1;
	for (size_t i = 0; i < len && count < URL_HOSTS_MAX; i++) {
		if (u->host[i] != '.')
			continue;
		label++;
		if (label >= first && label + 1 < nlabels)
			hosts[count++] = (struct span){ u->host + i + 1, len - i - 1 };
	}
	return count;
}

static size_t lookup_paths(const struct url_parts *u, struct span paths[URL_PATHS_MAX],
			   struct sbuf *withq)
{
	size_t plen = strlen(u->path), count = 0, ncomp = 0, k;
	const char *p = u->path;

	if (u->query && u->query[0]) {
		sb_puts(withq, p);
		sb_puts(withq, "?");
		sb_puts(withq, u->query);
		if (withq->oom)
			return 0;
		paths[count++] = (struct span){ withq->p, withq->len };
	}
	paths[count++] = (struct span){ p, plen };
	for (size_t i = 0; i < plen; i++)
		if (p[i] != '/' && (i == 0 || p[i - 1] == '/'))
			ncomp++;
	if (ncomp > URL_PREFIX_COMPONENTS)
		ncomp = URL_PREFIX_COMPONENTS;
	if (ncomp == 0)
		ncomp = 1;
	/*
	 * The cleaned path has no empty segments, so its (k+1)-th '/' ends the
	 * prefix of k components; k = 0 is the root.
	 */
	k = 0;
	for (size_t i = 0; i < plen && k < ncomp; i++) {
		if (p[i] != '/')
			continue;
		paths[count++] = (struct span){ p, i + 1 };
		k++;
	}
	return count;
}

static int span_seen(const struct span *a, size_t n, struct span x)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].n == x.n && memcmp(a[i].s, x.s, x.n) == 0)
			return 1;
	return 0;
}

static int add_exprs(struct ident *out, const struct url_parts *u)
{
	struct span hosts[URL_HOSTS_MAX], paths[URL_PATHS_MAX];
	struct sbuf withq = { 0 }, e = { 0 };
	size_t nh, np, uniq = 0;
	int rc = IDENT_OK;

	nh = lookup_hosts(u, hosts);
	np = lookup_paths(u, paths, &withq);
	if (withq.oom)
		return IDENT_ENOMEM;
	/* drop repeated paths (the path "/" is also the root prefix), keeping the first */
	for (size_t i = 0; i < np; i++)
		if (!span_seen(paths, uniq, paths[i]))
			paths[uniq++] = paths[i];
	for (size_t h = 0; h < nh && rc == IDENT_OK; h++) {
		for (size_t p = 0; p < uniq && rc == IDENT_OK; p++) {
			e.len = 0;
			sb_put(&e, hosts[h].s, hosts[h].n);
			sb_put(&e, paths[p].s, paths[p].n);
			if (e.oom) {
				rc = IDENT_ENOMEM;
				break;
			}
			rc = ident_add_expr(out, e.p, e.len);
		}
	}
	mem_free(withq.p);
	mem_free(e.p);
	return rc;
}

int ident_url_normalize(struct ident *out, const char *in, size_t len, char *err, size_t errsz)
{
	struct url_parts u = { 0 };
	struct sbuf c = { 0 };
	const char *reg;
	int rc;

	rc = url_parse(&u, in, len, err, errsz);
	if (rc != IDENT_OK)
		goto out;
	sb_puts(&c, u.scheme);
	sb_puts(&c, "://");
	sb_puts(&c, u.host);
	sb_puts(&c, u.path);
	if (u.query) {
		sb_puts(&c, "?");
		sb_puts(&c, u.query);
	}
	if (c.oom) {
		rc = IDENT_ENOMEM;
		goto out;
	}
	rc = ident_set_canonical(out, c.p, c.len);
	if (rc != IDENT_OK)
		goto out;
	rc = add_exprs(out, &u);
	if (rc != IDENT_OK)
		goto out;
	reg = u.host_is_ip ? NULL : domain_registrable(u.host);
	/* a value too long for an attribute is left out: the canonical URL has it all */
	if (ident_attr_set(out, "scheme", u.scheme) < 0 ||
	    (strlen(u.host) < IDENT_ATTR_VALUE_MAX && ident_attr_set(out, "host", u.host) < 0) ||
	    (reg && strlen(reg) < IDENT_ATTR_VALUE_MAX &&
	     ident_attr_set(out, "registrable_domain", reg) < 0))
		rc = ident_error(err, errsz, "too many attributes");
out:
	url_parts_release(&u);
	mem_free(c.p);
	return rc;
}
