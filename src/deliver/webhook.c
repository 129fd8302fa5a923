/*
 * webhook.c - Standard Webhooks signing, verification, delivery with libcurl,
 * endpoint address rules and the retry schedule.
 */
#include "deliver/webhook.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <sodium.h>

#include "version.h"

#define SECRET_PREFIX	       "whsec_"
#define URL_MAX		       2048
#define CONNECT_TIMEOUT_MAX_MS 10000L

/* 32-byte HMAC in standard padded base64: 44 characters. */
#define SIG_B64_LEN 44
#define B64_CHARS   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="

static void set_err(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	/* A message cut short is still a message; truncation is acceptable here. */
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/*
 * Copies untrusted text for quoting in a message: at most 40 characters,
 * anything outside printable ASCII shown as '?', "..." when cut.
 */
static void quote(char *out, size_t outsz, const char *s)
{
	size_t i, n = 0;

	if (!outsz)
		return;
	for (i = 0; s[i] && n + 4 < outsz && i < 40; i++)
		out[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] && n + 3 < outsz) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/* ---- secrets, signing, verification ---- */

/* Decodes "whsec_<base64>" into key; returns the key length or -1 with err set. */
static int secret_decode(const char *secret, unsigned char key[WEBHOOK_KEY_MAX], char *err,
			 size_t errsz)
{
	/* Room for a too-long key, so that the message can say how long it was. */
	unsigned char buf[WEBHOOK_KEY_MAX * 2];
	const char *b64, *end = NULL;
	size_t b64len, keylen = 0;

	if (!secret || strncmp(secret, SECRET_PREFIX, strlen(SECRET_PREFIX)) != 0) {
		set_err(err, errsz, "malformed webhook secret: it must start with '%s'",
			SECRET_PREFIX);
		return -1;
	}
	b64 = secret + strlen(SECRET_PREFIX);
	b64len = strlen(b64);
	/* libsodium's decoder lets some bytes above 0x7f through; refuse them first. */
	if (strspn(b64, B64_CHARS) != b64len || b64len > sizeof(buf) / 3 * 4 + 4 ||
	    sodium_base642bin(buf, sizeof(buf), b64, b64len, NULL, &keylen, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + b64len) {
		sodium_memzero(buf, sizeof(buf));
		set_err(err, errsz,
			"malformed webhook secret: after '%s' it must be padded standard base64",
			SECRET_PREFIX);
		return -1;
	}
	if (keylen < WEBHOOK_KEY_MIN || keylen > WEBHOOK_KEY_MAX) {
		sodium_memzero(buf, sizeof(buf));
		set_err(err, errsz,
			"malformed webhook secret: the key is %zu bytes; %d to %d allowed", keylen,
			WEBHOOK_KEY_MIN, WEBHOOK_KEY_MAX);
		return -1;
	}
	memcpy(key, buf, keylen);
	sodium_memzero(buf, sizeof(buf));
	return (int)keylen;
}

/*
 * The id goes into the signed text and a request header: no '.', which would
 * make "{id}.{timestamp}.{body}" ambiguous, and nothing that could end a header.
 */
static bool id_valid(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++) {
		if (n >= WEBHOOK_ID_MAX || id[n] <= 0x20 || id[n] >= 0x7f || id[n] == '.')
			return false;
	}
	return n > 0;
}

static void hmac_message(const unsigned char *key, size_t keylen, const char *id, const char *ts,
			 const char *body, size_t len,
			 unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	if (len)
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

int webhook_secret_new(char *out, size_t outsz)
{
	unsigned char key[32];
	size_t plen = strlen(SECRET_PREFIX);

	if (!out || outsz < WEBHOOK_SECRET_SIZE || sodium_init() < 0)
		return -1;
	randombytes_buf(key, sizeof(key));
	memcpy(out, SECRET_PREFIX, plen);
	sodium_bin2base64(out + plen, outsz - plen, key, sizeof(key),
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(key, sizeof(key));
	return 0;
}

int webhook_sign(const char *secret, const char *id, long long ts, const char *body, size_t len,
		 char *sig, size_t sigsz)
{
	unsigned char key[WEBHOOK_KEY_MAX], mac[crypto_auth_hmacsha256_BYTES];
	char tsbuf[24];
	int keylen;

	if (!sig || sigsz < WEBHOOK_SIG_SIZE || !id_valid(id) || ts < 0 || (!body && len))
		return -1;
	keylen = secret_decode(secret, key, NULL, 0);
	if (keylen < 0)
		return -1;
	snprintf(tsbuf, sizeof(tsbuf), "%lld", ts);
	hmac_message(key, (size_t)keylen, id, tsbuf, body, len, mac);
	sodium_memzero(key, sizeof(key));
	memcpy(sig, "v1,", 3);
	sodium_bin2base64(sig + 3, sigsz - 3, mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

/*
 * Only canonical decimal: the signature covers the header text, and a sender
 * formats its integer without sign or leading zeros.
 */
static int parse_timestamp(const char *s, long long *out)
{
	size_t n = strlen(s);
	char *end;

	if (n == 0 || n > 18 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	errno = 0;
	*out = strtoll(s, &end, 10);
	return (errno || *end) ? -1 : 0;
}

/*
 * Does one "v1,<base64>" entry match?  The text is compared with the canonical
 * encoding of the expected MAC rather than decoded, so that no other spelling
 * of the same bytes is accepted (libsodium's decoder lets some through).
 */
static bool entry_matches(const char *e, size_t n, const char want[SIG_B64_LEN + 1])
{
	if (n != 3 + SIG_B64_LEN || memcmp(e, "v1,", 3) != 0)
		return false;
	return sodium_memcmp(e + 3, want, SIG_B64_LEN) == 0;
}

int webhook_verify(const char *secret, const char *id, const char *ts_header,
		   const char *sig_header, const char *body, size_t len, long long now, char *err,
		   size_t errsz)
{
	unsigned char key[WEBHOOK_KEY_MAX], mac[crypto_auth_hmacsha256_BYTES];
	char q[48], want[SIG_B64_LEN + 1];
	long long ts;
	int keylen, v1 = 0;
	bool match = false;
	const char *p;

	if (err && errsz)
		err[0] = '\0';
	keylen = secret_decode(secret, key, err, errsz);
	if (keylen < 0)
		return -1;
	sodium_memzero(key, sizeof(key));
	if (!id || !*id) {
		set_err(err, errsz, "missing webhook-id header");
		return -1;
	}
	if (!id_valid(id)) {
		quote(q, sizeof(q), id);
		set_err(err, errsz,
			"webhook-id '%s' is not 1 to %d printable characters without '.' or space",
			q, WEBHOOK_ID_MAX);
		return -1;
	}
	if (!ts_header) {
		set_err(err, errsz, "missing webhook-timestamp header");
		return -1;
	}
	if (parse_timestamp(ts_header, &ts) != 0) {
		quote(q, sizeof(q), ts_header);
		set_err(err, errsz,
			"webhook-timestamp '%s' is not an integer number of seconds since 1970", q);
		return -1;
	}
	/* Keeps the differences below from overflowing for a nonsensical clock. */
	if (now < LLONG_MIN / 2)
		now = LLONG_MIN / 2;
	if (now > LLONG_MAX / 2)
		now = LLONG_MAX / 2;
	if (ts < now - WEBHOOK_TOLERANCE_SECONDS) {
		set_err(err, errsz,
			"webhook-timestamp %lld is %lld seconds old; at most %d seconds allowed",
			ts, now - ts, WEBHOOK_TOLERANCE_SECONDS);
		return -1;
	}
	if (ts > now + WEBHOOK_TOLERANCE_SECONDS) {
		set_err(err, errsz,
			"webhook-timestamp %lld is %lld seconds in the future; at most %d seconds "
			"allowed",
			ts, ts - now, WEBHOOK_TOLERANCE_SECONDS);
		return -1;
	}
	if (!sig_header) {
		set_err(err, errsz, "missing webhook-signature header");
		return -1;
	}
	if (!body && len) {
		set_err(err, errsz, "missing body");
		return -1;
	}
	keylen = secret_decode(secret, key, NULL, 0);
	hmac_message(key, (size_t)keylen, id, ts_header, body, len, mac);
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(want, sizeof(want), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(mac, sizeof(mac));

	/* Every entry is compared, so the time taken does not depend on which one matched. */
	for (p = sig_header; *p;) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		if (n > 3 && memcmp(p, "v1,", 3) == 0)
			v1++;
		if (entry_matches(p, n, want))
			match = true;
		p += n;
	}
	sodium_memzero(want, sizeof(want));
	if (match)
		return 0;
	if (!v1)
		set_err(err, errsz, "webhook-signature holds no v1 signature");
	else
		set_err(err, errsz, "no v1 signature in webhook-signature matches (%d tried)", v1);
	return -1;
}

/* ---- address rules ---- */

enum addr_class { ADDR_PUBLIC, ADDR_LOOPBACK, ADDR_INTERNAL };

static enum addr_class classify_v4(const unsigned char a[4], const char **what)
{
	uint32_t x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	static const struct {
		uint32_t net, mask;
		const char *what;
	} nets[] = {
		/* 0/8 first: on Linux a connection to 0.0.0.0 reaches this host. */
		{ 0x00000000, 0xff000000, "an unspecified (0.0.0.0/8)" },
		{ 0x0a000000, 0xff000000, "a private (10.0.0.0/8)" },
		{ 0x64400000, 0xffc00000, "a shared (100.64.0.0/10)" },
		{ 0xa9fe0000, 0xffff0000, "a link-local (169.254.0.0/16)" },
		{ 0xac100000, 0xfff00000, "a private (172.16.0.0/12)" },
		{ 0xc0a80000, 0xffff0000, "a private (192.168.0.0/16)" },
		{ 0xe0000000, 0xf0000000, "a multicast (224.0.0.0/4)" },
		{ 0xf0000000, 0xf0000000, "a reserved (240.0.0.0/4)" },
	};

	if ((x & 0xff000000) == 0x7f000000) {
		*what = "a loopback (127.0.0.0/8)";
		return ADDR_LOOPBACK;
	}
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		if ((x & nets[i].mask) == nets[i].net) {
			*what = nets[i].what;
			return ADDR_INTERNAL;
		}
	}
	*what = "a public";
	return ADDR_PUBLIC;
}

static enum addr_class classify_v6(const unsigned char a[16], const char **what)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[16];

	if (memcmp(a, mapped, 12) == 0)
		return classify_v4(a + 12, what);
	if (memcmp(a, zero, 15) == 0 && a[15] == 1) {
		*what = "a loopback (::1)";
		return ADDR_LOOPBACK;
	}
	if (memcmp(a, zero, 16) == 0) {
		*what = "an unspecified (::)";
		return ADDR_INTERNAL;
	}
	if ((a[0] & 0xfe) == 0xfc) {
		*what = "a unique local (fc00::/7)";
		return ADDR_INTERNAL;
	}
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
		*what = "a link-local (fe80::/10)";
		return ADDR_INTERNAL;
	}
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) {
		*what = "a site-local (fec0::/10)";
		return ADDR_INTERNAL;
	}
	if (a[0] == 0xff) {
		*what = "a multicast (ff00::/8)";
		return ADDR_INTERNAL;
	}
	*what = "a public";
	return ADDR_PUBLIC;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

int webhook_url_allowed(const char *url, bool allow_loopback, char *err, size_t errsz)
{
	CURLU *u = NULL;
	CURLUcode uc;
	char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	char q[48], hostq[48];
	unsigned char addr[16];
	const char *what = NULL, *s;
	enum addr_class cls = ADDR_PUBLIC;
	bool is_ip = false, https;
	size_t n;
	int rc = -1;

	if (err && errsz)
		err[0] = '\0';
	if (!url || !*url) {
		set_err(err, errsz, "webhook url is empty; an https:// url is required");
		return -1;
	}
	quote(q, sizeof(q), url);
	if (strlen(url) > URL_MAX) {
		set_err(err, errsz, "webhook url '%s' is longer than %d characters", q, URL_MAX);
		return -1;
	}
	for (s = url; *s; s++) {
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
			set_err(err, errsz,
				"webhook url '%s' contains a space, control or non-ascii "
				"character; "
				"write international host names as xn-- a-labels",
				q);
			return -1;
		}
	}
	/*
	 * curl would read "https:/x" and "https:///x" as host x, and find a scheme
	 * after other text; insist on scheme "://" host at the start.
	 */
	n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	if (n == 0 || strncmp(url + n, "://", 3) != 0 || url[n + 3] == '/' || url[n + 3] == '\0') {
		set_err(err, errsz, "webhook url '%s' is not of the form https://host/path", q);
		return -1;
	}
	u = curl_url();
	if (!u) {
		set_err(err, errsz, "out of memory checking webhook url '%s'", q);
		return -1;
	}
	uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK) {
		set_err(err, errsz, "webhook url '%s' is not a valid url: %s", q,
			curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		set_err(err, errsz, "webhook url '%s' has no scheme or host", q);
		goto out;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		quote(hostq, sizeof(hostq), scheme);
		set_err(err, errsz, "webhook url scheme '%s' is not allowed; use https", hostq);
		goto out;
	}
	https = strcmp(scheme, "https") == 0;
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		set_err(err, errsz,
			"webhook url '%s' contains a user name or password; put credentials in "
			"the path or query, or rely on the signature",
			q);
		goto out;
	}
	quote(hostq, sizeof(hostq), host);
	n = strlen(host);
	if (host[0] == '[') {
		char v6[64];

		if (n < 3 || n - 2 >= sizeof(v6) || host[n - 1] != ']')
			goto badhost;
		memcpy(v6, host + 1, n - 2);
		v6[n - 2] = '\0';
		if (inet_pton(AF_INET6, v6, addr) != 1)
			goto badhost;
		cls = classify_v6(addr, &what);
		is_ip = true;
	} else if (inet_pton(AF_INET, host, addr) == 1) {
		/* curl has already turned 2130706433, 0x7f.1 and 127.1 into dotted quads. */
		cls = classify_v4(addr, &what);
		is_ip = true;
	} else {
		if (n && host[n - 1] == '.')
			n--;
		if (ends_with(host, n, "localhost") &&
		    (n == strlen("localhost") || host[n - strlen("localhost") - 1] == '.')) {
			cls = ADDR_LOOPBACK;
			what = "a loopback";
		} else if (!memchr(host, '.', n)) {
			set_err(err, errsz,
				"webhook url host '%s' is a single-label name; use a fully "
				"qualified public host name",
				hostq);
			goto out;
		} else if (ends_with(host, n, ".local") || ends_with(host, n, ".internal") ||
			   ends_with(host, n, ".home.arpa")) {
			set_err(err, errsz,
				"webhook url host '%s' is a local-network name; use a public host "
				"name",
				hostq);
			goto out;
		}
	}
	if (cls == ADDR_INTERNAL) {
		set_err(err, errsz,
			"webhook url host '%s' is %s address; webhooks go to public hosts only",
			hostq, what);
		goto out;
	}
	if (cls == ADDR_LOOPBACK) {
		if (!allow_loopback) {
			set_err(err, errsz,
				"webhook url host '%s' is %s %s; loopback is allowed only in tests",
				hostq, what, is_ip ? "address" : "name");
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (!https) {
		set_err(err, errsz,
			"webhook url '%s' uses http; public webhook urls must use https", q);
		goto out;
	}
	rc = 0;
	goto out;
badhost:
	set_err(err, errsz, "webhook url host '%s' is not a valid address", hostq);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return rc;
}

/* ---- delivery ---- */

struct send_ctx {
	size_t received;
	bool too_long;
	bool refused;
	bool allow_loopback;
	char refused_addr[INET6_ADDRSTRLEN];
	const char *refused_what;
};

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct send_ctx *ctx = userdata;
	size_t n = size * nmemb;

	(void)ptr;
	if (ctx->received + n > WEBHOOK_RESPONSE_MAX) {
		ctx->too_long = true;
		return 0; /* ends the transfer with CURLE_WRITE_ERROR */
	}
	ctx->received += n;
	return n;
}

/*
 * Runs before every connect with the address the name resolved to: this is
 * where a public-looking name that resolves to an internal host is stopped.
 */
static curl_socket_t guard_socket(void *clientp, curlsocktype purpose,
				  struct curl_sockaddr *address)
{
	struct send_ctx *ctx = clientp;
	enum addr_class cls = ADDR_INTERNAL;
	const char *what = "an unknown kind of";

	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKET_BAD;
	if (address->family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&address->addr;

		cls = classify_v4((const unsigned char *)&sin->sin_addr, &what);
		inet_ntop(AF_INET, &sin->sin_addr, ctx->refused_addr, sizeof(ctx->refused_addr));
	} else if (address->family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&address->addr;

		cls = classify_v6((const unsigned char *)&sin6->sin6_addr, &what);
		inet_ntop(AF_INET6, &sin6->sin6_addr, ctx->refused_addr, sizeof(ctx->refused_addr));
	}
	if (cls == ADDR_PUBLIC || (cls == ADDR_LOOPBACK && ctx->allow_loopback))
		return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
	ctx->refused = true;
	ctx->refused_what = what;
	return CURL_SOCKET_BAD;
}

static void set_protocols(CURL *curl)
{
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
	curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
}

static struct curl_slist *build_headers(const char *id, long long ts, const char *sig)
{
	struct curl_slist *list = NULL, *next;
	char line[3][WEBHOOK_ID_MAX + 64];
	static const char *const fixed[] = {
		"Content-Type: application/json",
		"Expect:", /* no 100-continue round trip before the body */
	};

	snprintf(line[0], sizeof(line[0]), "webhook-id: %s", id);
	snprintf(line[1], sizeof(line[1]), "webhook-timestamp: %lld", ts);
	snprintf(line[2], sizeof(line[2]), "webhook-signature: %s", sig);
	for (size_t i = 0; i < 5; i++) {
		next = curl_slist_append(list, i < 2 ? fixed[i] : line[i - 2]);
		if (!next) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

static void result_error(struct webhook_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void result_error(struct webhook_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
}

int webhook_send_opts(CURL *curl, const char *url, const char *secret, const char *id, long long ts,
		      const char *body, size_t len, const struct webhook_opts *opts,
		      struct webhook_result *res)
{
	char sig[WEBHOOK_SIG_SIZE], errbuf[CURL_ERROR_SIZE];
	struct send_ctx ctx = { 0 };
	struct curl_slist *headers;
	CURLcode cc;
	long timeout_ms, connect_ms;

	memset(res, 0, sizeof(*res));
	if (!curl || !url || !opts) {
		result_error(res, "webhook delivery called without a handle, url or options");
		return -1;
	}
	if (webhook_sign(secret, id, ts, body, len, sig, sizeof(sig)) != 0) {
		result_error(res, "cannot sign: malformed webhook secret, message id or timestamp");
		return -1;
	}
	headers = build_headers(id, ts, sig);
	sodium_memzero(sig, sizeof(sig));
	if (!headers) {
		result_error(res, "out of memory building webhook headers");
		return -1;
	}
	timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 30000;
	connect_ms = timeout_ms < CONNECT_TIMEOUT_MAX_MS ? timeout_ms : CONNECT_TIMEOUT_MAX_MS;
	ctx.allow_loopback = opts->allow_loopback;
	errbuf[0] = '\0';

	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, len ? body : "");
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "Signaal-Webhooks/" SIGNAAL_VERSION);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	set_protocols(curl);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ctx);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (opts->allow_proxy) {
		/* The proxy is the peer; checking its address would refuse an internal proxy. */
		curl_easy_setopt(curl, CURLOPT_PROXY, NULL);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, NULL);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, NULL);
	} else {
		curl_easy_setopt(curl, CURLOPT_PROXY, "");
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, guard_socket);
		curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &ctx);
	}

	cc = curl_easy_perform(curl);

	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &res->seconds);
	/* The handle outlives this call: leave it no pointer into this frame. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, NULL);
	curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, NULL);
	curl_slist_free_all(headers);

	res->curl_error = (int)cc;
	if (cc == CURLE_WRITE_ERROR && ctx.too_long && res->status >= 200 && res->status < 300)
		return 0; /* the receiver said yes; its chatter does not matter */
	if (cc != CURLE_OK) {
		if (ctx.refused)
			result_error(res, "refused to connect to %s address %s", ctx.refused_what,
				     ctx.refused_addr);
		else if (ctx.too_long)
			result_error(res, "http status %ld with a response longer than %d bytes",
				     res->status, WEBHOOK_RESPONSE_MAX);
		else
			result_error(res, "%s: %s", curl_easy_strerror(cc),
				     errbuf[0] ? errbuf : "no details");
		return -1;
	}
	if (res->status < 200 || res->status > 299) {
		result_error(res, "http status %ld; only 2xx counts as delivered", res->status);
		return -1;
	}
	return 0;
}

int webhook_send(CURL *curl, const char *url, const char *secret, const char *id, long long ts,
		 const char *body, size_t len, long timeout_ms, struct webhook_result *res)
{
	const struct webhook_opts opts = {
		.timeout_ms = timeout_ms,
		.allow_proxy = false,
		.allow_loopback = true,
	};

	return webhook_send_opts(curl, url, secret, id, ts, body, len, &opts, res);
}

/* ---- retry schedule ---- */

long webhook_backoff(int attempt, uint32_t random)
{
	long base;

	if (attempt < 1)
		attempt = 1;
	/* 2^12 = 4096 is already past the cap; larger shifts would overflow. */
	base = attempt >= 12 ? WEBHOOK_BACKOFF_CAP : 1L << attempt;
	if (base > WEBHOOK_BACKOFF_CAP)
		base = WEBHOOK_BACKOFF_CAP;
	return base / 2 + (long)(random % (uint32_t)(base / 2 + 1));
}
