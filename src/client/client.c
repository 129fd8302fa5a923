/*
 * client.c - the blind check client; see include/signaal/client.h.
 *
 * One check is three phases, each finished before the next starts:
 * normalise every item (nothing is sent if one is invalid), blind and
 * evaluate in batches and verify every batch's proof (nothing is looked up
 * unless all verified), then look the pseudonyms up.  Blinds and VOPRF
 * inputs (which hold the identifiers) are wiped before they are freed.
 */
#include "signaal/client.h"

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>

#include "ident/ident.h"
#include "pseudonym.h"
#include "util/b64url.h"
#include "util/buf.h"
#include "util/mem.h"

#define EVALUATE_BATCH 1000 /* the server's limit per POST /v1/oprf/evaluate */
/*
 * The server takes up to 1,000 lookups at once.  A pseudonym item is about
 * 100 bytes of JSON, so a full batch (about 104 KB) is over max_body; the
 * server admits it with a partner key, up to max_batch_body (1 MiB).
 */
#define LOOKUP_BATCH	    1000
#define ANSWER_MAX	    (4L * 1024 * 1024) /* the largest answer read from the server */
#define REQUEST_MAX	    (256L * 1024)
#define URL_MAX		    2048
#define KEY_MAX		    256
#define TIMEOUT_DEFAULT_MS  30000L
#define CONNECT_TIMEOUT_MAX 10000L
#define SUITE		    "ristretto255-SHA512"
#define B64_VARIANT	    sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define B64_LEN(n)	    sodium_base64_ENCODED_LEN(n, B64_VARIANT)

struct signaal_client {
	CURL *curl;
	char *base; /* the server URL without a trailing slash */
	char *auth; /* "Authorization: Bearer KEY"; wiped on free */
	uint8_t pk[VOPRF_ELEMENT_BYTES];
	bool have_pk; /* fetched or pinned */
	bool pinned;
	long timeout_ms;
	char *ca_file; /* PEM file of the CAs to trust for https; NULL: the system's */
};

/* One HTTP answer as read. */
struct answer {
	struct buf body;
	long status;
	long retry_after; /* -1 if no Retry-After in seconds */
	bool too_big;
};

/* The state of one check, freed (and wiped) by work_release(). */
struct work {
	size_t n;
	enum ident_kind *kinds;
	char **canon;
	uint8_t **inputs; /* kind || 0x00 || canonical */
	size_t *inlens;
	uint8_t (*blinds)[VOPRF_SCALAR_BYTES];
	uint8_t (*blinded)[VOPRF_ELEMENT_BYTES];
	uint8_t (*evaluated)[VOPRF_ELEMENT_BYTES];
	uint8_t (*outputs)[VOPRF_OUTPUT_BYTES];
};

/* ---- errors ---- */

const char *signaal_client_strerror(int code)
{
	switch (code) {
	case SIGNAAL_CLIENT_OK: return "success";
	case SIGNAAL_CLIENT_EARG: return "invalid argument";
	case SIGNAAL_CLIENT_ENOMEM: return "out of memory";
	case SIGNAAL_CLIENT_EIDENT: return "invalid identifier";
	case SIGNAAL_CLIENT_ETRANSPORT: return "no answer from the server";
	case SIGNAAL_CLIENT_EHTTP: return "the server answered with an error";
	case SIGNAAL_CLIENT_EPROTOCOL: return "the server's answer does not follow the API";
	case SIGNAAL_CLIENT_EPROOF: return "the server's proof did not verify";
	default: return "unknown error";
	}
}

static void error_clear(struct signaal_client_error *err)
{
	if (err) {
		memset(err, 0, sizeof(*err));
		err->retry_after = -1;
	}
}

static int fail(struct signaal_client_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records `code` with a message in err (if any) and returns the code. */
static int fail(struct signaal_client_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

static int oom(struct signaal_client_error *err)
{
	return fail(err, SIGNAAL_CLIENT_ENOMEM, "out of memory");
}

/* ---- the handle ---- */

/* Whether `url` is an http(s) URL without credentials, query or fragment. */
static int url_check(const char *url, struct signaal_client_error *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *part = NULL;
	int rc = SIGNAAL_CLIENT_OK;

	if (!u)
		return oom(err);
	if (strlen(url) > URL_MAX ||
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		rc = fail(err, SIGNAAL_CLIENT_EARG, "server url '%.64s' is not a valid url", url);
	} else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		rc = fail(err, SIGNAAL_CLIENT_EARG, "server url must be http or https, not '%.16s'",
			  scheme);
	} else if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
		rc = fail(err, SIGNAAL_CLIENT_EARG, "server url must not hold credentials");
	} else if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
		   curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		rc = fail(err, SIGNAAL_CLIENT_EARG, "server url must not have a query or fragment");
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(part);
	curl_url_cleanup(u);
	return rc;
}

/* Partner keys are printable ASCII without spaces: anything else would break the header. */
static int key_check(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > KEY_MAX)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (key[i] <= ' ' || key[i] > '~')
			return -1;
	return 0;
}

int signaal_client_new(struct signaal_client **out, const char *server_url, const char *api_key,
		       struct signaal_client_error *err)
{
	struct signaal_client *c;
	struct buf auth = BUF_INIT(KEY_MAX + 32);
	size_t len;
	int rc;

	error_clear(err);
	if (!out)
		return fail(err, SIGNAAL_CLIENT_EARG, "no place for the handle");
	*out = NULL;
	if (!server_url || !api_key)
		return fail(err, SIGNAAL_CLIENT_EARG, "a server url and an api key are needed");
	rc = url_check(server_url, err);
	if (rc)
		return rc;
	if (key_check(api_key))
		return fail(err, SIGNAAL_CLIENT_EARG,
			    "the api key must be 1 to %d printable characters without spaces",
			    KEY_MAX);
	if (sodium_init() < 0)
		return fail(err, SIGNAAL_CLIENT_ENOMEM, "cannot initialise libsodium");
	c = mem_calloc(1, sizeof(*c));
	if (!c)
		return oom(err);
	c->timeout_ms = TIMEOUT_DEFAULT_MS;
	len = strlen(server_url);
	while (len > 0 && server_url[len - 1] == '/')
		len--;
	c->base = mem_strndup(server_url, len);
	if (buf_addf(&auth, "Authorization: Bearer %s", api_key) == BUF_OK)
		c->auth = auth.data;
	else
		buf_release(&auth);
	c->curl = curl_easy_init();
	if (!c->base || !c->auth || !c->curl) {
		signaal_client_free(c);
		return fail(err, SIGNAAL_CLIENT_ENOMEM, "out of memory or cannot start libcurl");
	}
	*out = c;
	return SIGNAAL_CLIENT_OK;
}

void signaal_client_free(struct signaal_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	if (c->auth) {
		sodium_memzero(c->auth, strlen(c->auth));
		mem_free(c->auth);
	}
	mem_free(c->base);
	mem_free(c->ca_file);
	sodium_memzero(c, sizeof(*c));
	mem_free(c);
}

/* Decodes the base64url (no padding) of exactly `n` bytes; 0 or -1. */
static int b64_exact(uint8_t *out, size_t n, const char *s)
{
	/* The server's answers are public: the strict variable-time decoder serves. */
	return s ? b64url_decode_exact(out, n, s, strlen(s)) : -1;
}

int signaal_client_pin_key(struct signaal_client *c, const char *public_key,
			   struct signaal_client_error *err)
{
	uint8_t pk[VOPRF_ELEMENT_BYTES];

	error_clear(err);
	if (!c || !public_key)
		return fail(err, SIGNAAL_CLIENT_EARG, "no handle or no public key");
	if (b64_exact(pk, sizeof(pk), public_key) || !crypto_core_ristretto255_is_valid_point(pk))
		return fail(err, SIGNAAL_CLIENT_EARG,
			    "the public key must be the base64url of a 32-byte ristretto255 "
			    "element");
	memcpy(c->pk, pk, sizeof(pk));
	c->have_pk = true;
	c->pinned = true;
	return SIGNAAL_CLIENT_OK;
}

int signaal_client_set_timeout(struct signaal_client *c, long timeout_ms,
			       struct signaal_client_error *err)
{
	error_clear(err);
	if (!c || timeout_ms <= 0)
		return fail(err, SIGNAAL_CLIENT_EARG, "the timeout must be more than 0 ms");
	c->timeout_ms = timeout_ms;
	return SIGNAAL_CLIENT_OK;
}

int signaal_client_set_ca_file(struct signaal_client *c, const char *path,
			       struct signaal_client_error *err)
{
	char *copy;

	error_clear(err);
	if (!c || !path || !path[0])
		return fail(err, SIGNAAL_CLIENT_EARG, "the CA file name is empty");
	if (access(path, R_OK) != 0)
		return fail(err, SIGNAAL_CLIENT_EARG, "cannot read the CA file");
	copy = mem_strdup(path);
	if (!copy)
		return oom(err);
	mem_free(c->ca_file);
	c->ca_file = copy;
	return SIGNAAL_CLIENT_OK;
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct answer *a = userp;
	size_t n = size * nmemb;
	int rc = buf_add(&a->body, data, n);

	if (rc == BUF_ETOOBIG)
		a->too_big = true;
	return rc == BUF_OK ? n : 0;
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userp)
{
	struct answer *a = userp;
	size_t n = size * nitems;
	static const char name[] = "retry-after:";

	if (n > sizeof(name) - 1 && strncasecmp(data, name, sizeof(name) - 1) == 0) {
		char v[32], *end;
		size_t i = sizeof(name) - 1, len;
		long secs;

		while (i < n && (data[i] == ' ' || data[i] == '\t'))
			i++;
		len = n - i;
		while (len > 0 && (data[i + len - 1] == '\r' || data[i + len - 1] == '\n' ||
				   data[i + len - 1] == ' '))
			len--;
		if (len > 0 && len < sizeof(v)) {
			memcpy(v, data + i, len);
			v[len] = '\0';
			secs = strtol(v, &end, 10);
			/* Only delta-seconds: the server sends no dates. */
			a->retry_after = *end == '\0' && secs >= 0 ? secs : -1;
		}
	}
	return n;
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

/* The headers of a request; the API key only on the partner routes (POST). */
static struct curl_slist *request_headers(const struct signaal_client *c, bool post)
{
	const char *lines[] = {
		"Accept: application/json, application/problem+json",
		post ? "Content-Type: application/json" : NULL,
		post ? "Expect:" : NULL, /* no 100-continue round trip */
		post ? c->auth : NULL,
	};
	struct curl_slist *list = NULL, *next;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (!lines[i])
			continue;
		next = curl_slist_append(list, lines[i]);
		if (!next) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

/* Frees the headers, wiping them first: one holds the API key. */
static void headers_free(struct curl_slist *list)
{
	for (struct curl_slist *l = list; l; l = l->next)
		sodium_memzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

/* The last segment of a problem type: "urn:signaal:problem:quota-exceeded" -> "quota-exceeded". */
static const char *problem_slug(const char *type)
{
	const char *p;

	if (!type)
		return "";
	p = strrchr(type, ':');
	if (!p || (strrchr(type, '/') && strrchr(type, '/') > p))
		p = strrchr(type, '/');
	return p ? p + 1 : type;
}

/* Turns an error answer into SIGNAAL_CLIENT_EHTTP with the problem's detail. */
static int http_error(const struct answer *a, const char *what, struct signaal_client_error *err)
{
	json_t *doc = json_loadb(a->body.data ? a->body.data : "", a->body.len, 0, NULL);
	const char *title = json_string_value(json_object_get(doc, "title"));
	const char *detail = json_string_value(json_object_get(doc, "detail"));
	json_t *first = json_array_get(json_object_get(doc, "errors"), 0);
	const char *field = json_string_value(json_object_get(first, "field"));
	const char *msg = json_string_value(json_object_get(first, "message"));
	char more[160] = "", retry[48] = "";

	if (field && msg)
		snprintf(more, sizeof(more), " (%s: %s)", field, msg);
	if (a->retry_after >= 0)
		snprintf(retry, sizeof(retry), "; retry after %ld s", a->retry_after);
	fail(err, SIGNAAL_CLIENT_EHTTP, "%s: http status %ld%s%s%s%s%s", what, a->status,
	     title ? " " : "", title ? title : "", detail ? ": " : "", detail ? detail : "", more);
	if (err) {
		size_t len = strlen(err->message);

		/* The retry hint matters most; it goes in even if the detail was cut short. */
		if (retry[0] && len + strlen(retry) >= sizeof(err->message))
			len = sizeof(err->message) - 1 - strlen(retry);
		snprintf(err->message + len, sizeof(err->message) - len, "%s", retry);
		err->http_status = a->status;
		err->retry_after = a->retry_after;
		snprintf(err->problem, sizeof(err->problem), "%s",
			 problem_slug(json_string_value(json_object_get(doc, "type"))));
	}
	json_decref(doc);
	return SIGNAAL_CLIENT_EHTTP;
}

/*
 * One request to `path` under the server URL: GET when `body` is NULL, else
 * POST of the JSON in `body`.  On a 2xx answer with a JSON object, *doc is
 * that object (the caller decrefs it).  `what` names the step for messages.
 */
static int request(struct signaal_client *c, const char *path, const struct buf *body,
		   const char *what, json_t **doc, struct signaal_client_error *err)
{
	struct answer a = { BUF_INIT(ANSWER_MAX), 0, -1, false };
	struct buf url = BUF_INIT(URL_MAX + 64);
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	json_error_t jerr;
	CURL *curl = c->curl;
	CURLcode cc;
	int rc = SIGNAAL_CLIENT_OK;

	*doc = NULL;
	if (buf_addf(&url, "%s%s", c->base, path) != BUF_OK)
		return oom(err);
	headers = request_headers(c, body != NULL);
	if (!headers) {
		buf_release(&url);
		return oom(err);
	}
	errbuf[0] = '\0';
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url.data);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	} else {
		curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "signaal-client/" SIGNAAL_VERSION);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	set_protocols(curl);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 c->timeout_ms < CONNECT_TIMEOUT_MAX ? c->timeout_ms : CONNECT_TIMEOUT_MAX);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (c->ca_file)
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ANSWER_MAX);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

	cc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
	/* The handle outlives this call: leave it no pointer into this frame. */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, NULL);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL);
	headers_free(headers);

	if (a.too_big || cc == CURLE_FILESIZE_EXCEEDED)
		rc = fail(err, SIGNAAL_CLIENT_ETRANSPORT, "%s: the answer is larger than %ld bytes",
			  what, ANSWER_MAX);
	else if (cc != CURLE_OK)
		rc = fail(err, SIGNAAL_CLIENT_ETRANSPORT, "%s: %s: %s", what, url.data,
			  errbuf[0] ? errbuf : curl_easy_strerror(cc));
	else if (a.status < 200 || a.status > 299)
		rc = http_error(&a, what, err);
	else if (!(*doc = json_loadb(a.body.data ? a.body.data : "", a.body.len, 0, &jerr)) ||
		 !json_is_object(*doc))
		rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL, "%s: the answer is not a JSON object",
			  what);
	if (rc) {
		json_decref(*doc);
		*doc = NULL;
	}
	buf_release(&url);
	buf_release(&a.body);
	return rc;
}

/* ---- the protocol ---- */

/* GET /v1/oprf/key, once per handle. */
static int fetch_key(struct signaal_client *c, struct signaal_client_error *err)
{
	json_t *doc;
	const char *suite;
	int rc;

	if (c->have_pk)
		return SIGNAAL_CLIENT_OK;
	rc = request(c, "/v1/oprf/key", NULL, "fetching the public key", &doc, err);
	if (rc)
		return rc;
	suite = json_string_value(json_object_get(doc, "suite"));
	if (!suite || strcmp(suite, SUITE) != 0) {
		rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL,
			  "the server's suite is '%.40s', not " SUITE, suite ? suite : "(none)");
	} else if (b64_exact(c->pk, sizeof(c->pk),
			     json_string_value(json_object_get(doc, "public_key"))) ||
		   !crypto_core_ristretto255_is_valid_point(c->pk)) {
		rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL,
			  "the server's public key is not a ristretto255 element");
	} else {
		c->have_pk = true;
	}
	json_decref(doc);
	return rc;
}

static void work_release(struct work *w)
{
	for (size_t i = 0; i < w->n; i++) {
		if (w->inputs && w->inputs[i]) {
			sodium_memzero(w->inputs[i], w->inlens[i]);
			mem_free(w->inputs[i]);
		}
		if (w->canon)
			mem_free(w->canon[i]);
	}
	if (w->blinds)
		sodium_memzero(w->blinds, w->n * sizeof(*w->blinds));
	if (w->outputs)
		sodium_memzero(w->outputs, w->n * sizeof(*w->outputs));
	mem_free(w->kinds);
	mem_free(w->canon);
	mem_free(w->inputs);
	mem_free(w->inlens);
	mem_free(w->blinds);
	mem_free(w->blinded);
	mem_free(w->evaluated);
	mem_free(w->outputs);
	memset(w, 0, sizeof(*w));
}

/* Phase 1: every item normalised and turned into its VOPRF input. */
static int normalise_all(struct work *w, const struct signaal_item *items,
			 struct signaal_client_error *err)
{
	for (size_t i = 0; i < w->n; i++) {
		struct ident id = IDENT_INIT;
		char why[IDENT_ERR_MAX];
		const char *kname;
		size_t clen, cap;
		int rc;

		if (!items[i].kind || ident_kind_parse(items[i].kind, &w->kinds[i])) {
			if (err)
				err->item = i;
			return fail(err, SIGNAAL_CLIENT_EIDENT,
				    "unknown kind '%.32s'; expected iban, phone, url, domain, "
				    "email, crypto or handle",
				    items[i].kind ? items[i].kind : "(none)");
		}
		kname = ident_kind_name(w->kinds[i]);
		if (!items[i].value) {
			if (err)
				err->item = i;
			return fail(err, SIGNAAL_CLIENT_EIDENT, "no %s given", kname);
		}
		rc = ident_normalize(&id, w->kinds[i], items[i].value, strlen(items[i].value), why,
				     sizeof(why));
		if (rc == IDENT_ENOMEM) {
			ident_release(&id);
			return oom(err);
		}
		if (rc != IDENT_OK) {
			ident_release(&id);
			if (err)
				err->item = i;
			return fail(err, SIGNAAL_CLIENT_EIDENT, "invalid %s: %s", kname, why);
		}
		clen = strlen(id.canonical);
		cap = strlen(kname) + 1 + clen;
		w->canon[i] = mem_strdup(id.canonical);
		w->inputs[i] = mem_alloc(cap);
		if (!w->canon[i] || !w->inputs[i]) {
			ident_release(&id);
			return oom(err);
		}
		rc = pseudonym_input(kname, id.canonical, clen, w->inputs[i], cap, &w->inlens[i]);
		ident_release(&id);
		if (rc) {
			if (err)
				err->item = i;
			return fail(err, SIGNAAL_CLIENT_EIDENT, "invalid %s: too long", kname);
		}
	}
	return SIGNAAL_CLIENT_OK;
}

/* Phase 2, one batch: blind, evaluate, verify the proof and finalise items [off, off+cnt). */
static int evaluate_batch(struct signaal_client *c, struct work *w, size_t off, size_t cnt,
			  struct signaal_client_error *err)
{
	struct buf body = BUF_INIT(REQUEST_MAX);
	uint8_t proof[VOPRF_PROOF_BYTES];
	json_t *doc = NULL, *list;
	int rc = SIGNAAL_CLIENT_OK;

	for (size_t i = off; i < off + cnt; i++) {
		char b64[B64_LEN(VOPRF_ELEMENT_BYTES)];

		if (voprf_blind(PSEUDONYM_MODE, w->inputs[i], w->inlens[i], w->blinds[i],
				w->blinded[i])) {
			if (err)
				err->item = i;
			rc = fail(err, SIGNAAL_CLIENT_EIDENT, "invalid %s: cannot be blinded",
				  ident_kind_name(w->kinds[i]));
			goto out;
		}
		sodium_bin2base64(b64, sizeof(b64), w->blinded[i], VOPRF_ELEMENT_BYTES,
				  B64_VARIANT);
		if (buf_addf(&body, "%s\"%s\"", i == off ? "{\"blinded\":[" : ",", b64) != BUF_OK) {
			rc = oom(err);
			goto out;
		}
	}
	if (buf_adds(&body, "]}") != BUF_OK) {
		rc = oom(err);
		goto out;
	}
	rc = request(c, "/v1/oprf/evaluate", &body, "blind evaluation", &doc, err);
	if (rc)
		goto out;
	list = json_object_get(doc, "evaluated");
	if (!json_is_array(list) || json_array_size(list) != cnt) {
		rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL,
			  "blind evaluation: expected %zu evaluated elements, got %zu", cnt,
			  json_array_size(list));
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		if (b64_exact(w->evaluated[off + i], VOPRF_ELEMENT_BYTES,
			      json_string_value(json_array_get(list, i)))) {
			rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL,
				  "blind evaluation: evaluated[%zu] is not the base64url of 32 "
				  "bytes",
				  i);
			goto out;
		}
	}
	if (b64_exact(proof, sizeof(proof), json_string_value(json_object_get(doc, "proof")))) {
		rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL,
			  "blind evaluation: the proof is not the base64url of 64 bytes");
		goto out;
	}
	/* Verifies the proof first; outputs nothing unless it holds. */
	if (voprf_finalize(PSEUDONYM_MODE, c->pk, (const uint8_t *const *)w->inputs + off,
			   w->inlens + off, (const uint8_t(*)[VOPRF_SCALAR_BYTES])w->blinds + off,
			   (const uint8_t(*)[VOPRF_ELEMENT_BYTES])w->blinded + off,
			   (const uint8_t(*)[VOPRF_ELEMENT_BYTES])w->evaluated + off, cnt, proof,
			   w->outputs + off) != 0) {
		rc = fail(err, SIGNAAL_CLIENT_EPROOF,
			  "the server's proof did not verify against %s public key; nothing was "
			  "looked up",
			  c->pinned ? "the pinned" : "its");
		goto out;
	}
out:
	/* The blinds have done their work (or never will); wipe them now. */
	sodium_memzero(w->blinds + off, cnt * sizeof(*w->blinds));
	json_decref(doc);
	buf_release(&body);
	return rc;
}

static char *dup_string(json_t *v)
{
	return mem_strndup(json_string_value(v), json_string_length(v));
}

/* A JSON array of strings as an owned char ** (count in *n); NULL array is empty. */
static int dup_strings(json_t *a, char ***out, size_t *n)
{
	size_t cnt = json_array_size(a);

	*out = NULL;
	*n = 0;
	if (a && !json_is_array(a))
		return SIGNAAL_CLIENT_EPROTOCOL;
	if (cnt == 0)
		return SIGNAAL_CLIENT_OK;
	*out = mem_calloc(cnt, sizeof(char *));
	if (!*out)
		return SIGNAAL_CLIENT_ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		json_t *s = json_array_get(a, i);

		if (!json_is_string(s))
			return SIGNAAL_CLIENT_EPROTOCOL;
		(*out)[i] = dup_string(s);
		*n = i + 1;
		if (!(*out)[i])
			return SIGNAAL_CLIENT_ENOMEM;
	}
	return SIGNAAL_CLIENT_OK;
}

/* Fills `r` from one item of a lookup answer. */
static int fill_result(struct signaal_result *r, json_t *it)
{
	json_t *known = json_object_get(it, "known"), *status = json_object_get(it, "status");
	json_t *reports = json_object_get(it, "reports"), *signals = json_object_get(it, "signals");
	json_t *first = json_object_get(it, "first_seen"), *last = json_object_get(it, "last_seen");
	int rc;

	if (!json_is_boolean(known))
		return SIGNAAL_CLIENT_EPROTOCOL;
	r->known = json_is_true(known);
	if (!r->known)
		return SIGNAAL_CLIENT_OK;
	if (!json_is_string(status) || !json_is_integer(reports) || !json_is_integer(signals) ||
	    !json_is_string(first) || !json_is_string(last))
		return SIGNAAL_CLIENT_EPROTOCOL;
	r->reports = (long)json_integer_value(reports);
	r->signals = (long)json_integer_value(signals);
	r->status = dup_string(status);
	r->first_seen = dup_string(first);
	r->last_seen = dup_string(last);
	if (!r->status || !r->first_seen || !r->last_seen)
		return SIGNAAL_CLIENT_ENOMEM;
	rc = dup_strings(json_object_get(it, "fraud_types"), &r->fraud_types, &r->nfraud_types);
	if (rc)
		return rc;
	return dup_strings(json_object_get(it, "rules_fired"), &r->rules_fired, &r->nrules_fired);
}

/* Phase 3, one batch: look up the pseudonyms of items [off, off+cnt). */
static int lookup_batch(struct signaal_client *c, struct work *w, size_t off, size_t cnt,
			struct signaal_result *res, struct signaal_client_error *err)
{
	struct buf body = BUF_INIT(REQUEST_MAX);
	json_t *doc = NULL, *list;
	int rc = SIGNAAL_CLIENT_OK;

	for (size_t i = off; i < off + cnt; i++) {
		char b64[B64_LEN(VOPRF_OUTPUT_BYTES)];

		sodium_bin2base64(b64, sizeof(b64), w->outputs[i], VOPRF_OUTPUT_BYTES, B64_VARIANT);
		if (buf_addf(&body, "%s{\"pseudonym\":\"%s\"}", i == off ? "{\"items\":[" : ",",
			     b64) != BUF_OK) {
			rc = oom(err);
			goto out;
		}
	}
	if (buf_adds(&body, "]}") != BUF_OK) {
		rc = oom(err);
		goto out;
	}
	rc = request(c, "/v1/lookup", &body, "lookup", &doc, err);
	if (rc)
		goto out;
	list = json_object_get(doc, "items");
	if (!json_is_array(list) || json_array_size(list) != cnt) {
		rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL, "lookup: expected %zu items, got %zu", cnt,
			  json_array_size(list));
		goto out;
	}
	for (size_t i = 0; i < cnt; i++) {
		rc = fill_result(&res[off + i], json_array_get(list, i));
		if (rc == SIGNAAL_CLIENT_ENOMEM) {
			rc = oom(err);
			goto out;
		}
		if (rc) {
			rc = fail(err, SIGNAAL_CLIENT_EPROTOCOL,
				  "lookup: items[%zu] does not follow the api", i);
			goto out;
		}
	}
out:
	json_decref(doc);
	buf_release(&body);
	return rc;
}

int signaal_client_check(struct signaal_client *c, const struct signaal_item *items, size_t n,
			 struct signaal_result **results, struct signaal_client_error *err)
{
	struct work w = { 0 };
	struct signaal_result *res = NULL;
	int rc;

	error_clear(err);
	if (results)
		*results = NULL;
	if (!c || !results || (n && !items))
		return fail(err, SIGNAAL_CLIENT_EARG, "no handle, items or place for the results");
	if (n == 0)
		return SIGNAAL_CLIENT_OK;
	w.n = n;
	w.kinds = mem_calloc(n, sizeof(*w.kinds));
	w.canon = mem_calloc(n, sizeof(*w.canon));
	w.inputs = mem_calloc(n, sizeof(*w.inputs));
	w.inlens = mem_calloc(n, sizeof(*w.inlens));
	w.blinds = mem_calloc(n, sizeof(*w.blinds));
	w.blinded = mem_calloc(n, sizeof(*w.blinded));
	w.evaluated = mem_calloc(n, sizeof(*w.evaluated));
	w.outputs = mem_calloc(n, sizeof(*w.outputs));
	res = mem_calloc(n, sizeof(*res));
	if (!w.kinds || !w.canon || !w.inputs || !w.inlens || !w.blinds || !w.blinded ||
	    !w.evaluated || !w.outputs || !res) {
		rc = oom(err);
		goto out;
	}
	rc = normalise_all(&w, items, err);
	if (!rc)
		rc = fetch_key(c, err);
	for (size_t off = 0; !rc && off < n; off += EVALUATE_BATCH)
		rc = evaluate_batch(c, &w, off, n - off < EVALUATE_BATCH ? n - off : EVALUATE_BATCH,
				    err);
	/* Only now, with every proof verified, does anything go to /v1/lookup. */
	for (size_t off = 0; !rc && off < n; off += LOOKUP_BATCH)
		rc = lookup_batch(c, &w, off, n - off < LOOKUP_BATCH ? n - off : LOOKUP_BATCH, res,
				  err);
	for (size_t i = 0; !rc && i < n; i++) {
		res[i].kind = ident_kind_name(w.kinds[i]);
		res[i].canonical = w.canon[i]; /* handed over */
		w.canon[i] = NULL;
	}
out:
	work_release(&w);
	if (rc) {
		signaal_results_free(res, n);
		return rc;
	}
	*results = res;
	return SIGNAAL_CLIENT_OK;
}

void signaal_results_free(struct signaal_result *results, size_t n)
{
	if (!results)
		return;
	for (size_t i = 0; i < n; i++) {
		struct signaal_result *r = &results[i];

		mem_free(r->canonical);
		mem_free(r->status);
		mem_free(r->first_seen);
		mem_free(r->last_seen);
		for (size_t j = 0; j < r->nfraud_types; j++)
			mem_free(r->fraud_types[j]);
		for (size_t j = 0; j < r->nrules_fired; j++)
			mem_free(r->rules_fired[j]);
		mem_free(r->fraud_types);
		mem_free(r->rules_fired);
	}
	mem_free(results);
}
