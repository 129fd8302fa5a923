/*
 * signaal/client.h - check identifiers against a Signaal server without
 * showing it the identifiers.
 *
 * For each identifier the client normalises it (the same canonical form the
 * server stores), blinds `kind || 0x00 || canonical` (RFC 9497 VOPRF,
 * ristretto255-SHA512), has the server evaluate the blinded elements
 * (POST /v1/oprf/evaluate), verifies the server's DLEQ proof against the
 * server's public key, finalises to the identifier's pseudonym and looks the
 * pseudonyms up (POST /v1/lookup).  The server sees blinded elements and
 * pseudonyms, never a kind or a value.  What it does learn: how many
 * identifiers were checked, and, for an identifier it already has a record
 * of, that this record was looked up.
 *
 * Usage:
 *	struct signaal_client *c;
 *	struct signaal_client_error err;
 *	struct signaal_item items[] = { { "iban", "NL91 ABNA 0417 1643 00" } };
 *	struct signaal_result *res;
 *
 *	if (signaal_client_new(&c, "https://signaal.example", key, &err) != 0)
 *		die(err.message);
 *	if (signaal_client_check(c, items, 1, &res, &err) == 0) {
 *		printf("%s: %s\n", res[0].canonical, res[0].known ? "known" : "not known");
 *		signaal_results_free(res, 1);
 *	} else if (err.code == SIGNAAL_CLIENT_EHTTP && err.http_status == 429) {
 *		retry_in(err.retry_after);
 *	}
 *	signaal_client_free(c);
 *
 * Errors: every function that can fail returns SIGNAAL_CLIENT_OK (0) or one
 * of the negative codes below, and fills the `err` it was given (which may
 * be NULL) with the code, a one-line lower-case message and the details
 * that go with the code.  signaal_client_strerror() names a code.
 *
 * Threads and global state: a handle is used by one thread at a time; use a
 * handle per thread to check from several at once.  The library keeps no
 * global state of its own.  It calls sodium_init() (thread-safe, idempotent)
 * and relies on libcurl's global initialisation: a program that creates
 * handles from several threads calls curl_global_init() once before that,
 * as libcurl asks; otherwise the first handle does it.
 *
 * Transport: http and https only, no redirects followed (a 3xx is a
 * SIGNAAL_CLIENT_EHTTP error), a total time limit per request (30 s unless
 * set), and a cap on the size of an answer (4 MiB).  Proxies in the
 * environment (https_proxy, no_proxy) apply as libcurl reads them.  The
 * API key travels in an Authorization header, sent only with the
 * evaluation and the lookup, so use https for anything but loopback.
 */
#ifndef SIGNAAL_CLIENT_H
#define SIGNAAL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
enum signaal_client_code {
	SIGNAAL_CLIENT_OK = 0,
	/* A bad argument: NULL, a malformed URL, API key or public key. */
	SIGNAAL_CLIENT_EARG = -1,
	/* Out of memory. */
	SIGNAAL_CLIENT_ENOMEM = -2,
	/* Item err.item is not a valid identifier; nothing was sent. */
	SIGNAAL_CLIENT_EIDENT = -3,
	/* No answer: cannot connect, timeout, TLS failure, answer too big. */
	SIGNAAL_CLIENT_ETRANSPORT = -4,
	/* The server answered with an error status: err.http_status, err.problem,
	 * err.retry_after, and the problem's detail in the message. */
	SIGNAAL_CLIENT_EHTTP = -5,
	/* The server's answer does not follow the API. */
	SIGNAAL_CLIENT_EPROTOCOL = -6,
	/* PROOF_INVALID: the server's proof that it evaluated with its public
	 * key (or the pinned one) did not verify; nothing was looked up. */
	SIGNAAL_CLIENT_EPROOF = -7,
};

#define SIGNAAL_CLIENT_MESSAGE_MAX 256

/* What went wrong, filled by every function that takes one. */
struct signaal_client_error {
	int code; /* a SIGNAAL_CLIENT_* code; SIGNAAL_CLIENT_OK after success */
	/* One line, lower case, no trailing newline: what failed and why.  For
	 * SIGNAAL_CLIENT_EHTTP the server's problem+json detail is in it. */
	char message[SIGNAAL_CLIENT_MESSAGE_MAX];
	/* SIGNAAL_CLIENT_EIDENT: the index of the invalid item in `items`
	 * (the message says why: "invalid iban: checksum mismatch: ..."). */
	size_t item;
	long http_status; /* SIGNAAL_CLIENT_EHTTP: the status (401, 422, 429, ...), else 0 */
	/* SIGNAAL_CLIENT_EHTTP: seconds from the Retry-After header (429: when
	 * the partner's evaluation quota has room again), or -1 if none. */
	long retry_after;
	/* SIGNAAL_CLIENT_EHTTP: the problem type's last path segment
	 * ("quota-exceeded", "unauthorized", "validation"), or "" if none. */
	char problem[64];
};

/* One identifier to check: kind "iban", "phone", "url", "domain", "email",
 * "crypto" or "handle", and the value as typed (NUL-terminated). */
struct signaal_item {
	const char *kind;
	const char *value;
};

/*
 * The answer for one identifier.  Every pointer is owned by the result
 * array and freed by signaal_results_free(); strings are NUL-terminated.
 * The fields after `known` are set only when `known` is true (otherwise
 * NULL or 0).
 */
struct signaal_result {
	const char *kind; /* the kind's name (static storage) */
	char *canonical;  /* the normalised form that was checked */
	bool known;	  /* whether the server has reports or signals on it */
	char *status;	  /* "reported", "confirmed", "disputed" or "cleared" */
	long reports;	  /* reports naming it */
	long signals;	  /* partner signals naming it */
	char *first_seen; /* RFC 3339 UTC */
	char *last_seen;
	char **fraud_types; /* taxonomy codes, nfraud_types of them */
	size_t nfraud_types;
	char **rules_fired; /* ids of published rules that fired, nrules_fired of them */
	size_t nrules_fired;
};

struct signaal_client; /* opaque */

/*
 * A handle for the server at `server_url` ("https://host[:port][/prefix]",
 * no query or fragment) with the partner API key `api_key`.  Both are
 * copied.  Nothing is sent until the first check.  On success *out is the
 * handle (free it with signaal_client_free()); on failure *out is NULL.
 */
int signaal_client_new(struct signaal_client **out, const char *server_url, const char *api_key,
		       struct signaal_client_error *err);

/* Wipes the key material and frees the handle; NULL is allowed. */
void signaal_client_free(struct signaal_client *c);

/*
 * Pins the server's VOPRF public key: `public_key` is the base64url (no
 * padding) of the 32-byte ristretto255 element that GET /v1/oprf/key
 * publishes.  The handle then never fetches the key, and a server that
 * evaluates with any other key fails the check with SIGNAAL_CLIENT_EPROOF.
 * Without a pin the key is fetched once, on the first check, and kept for
 * the life of the handle, trusting the server on first use.  A pin holds
 * the server to a key obtained another way: a server (or anyone in
 * between) that switches keys is refused, not trusted.
 */
int signaal_client_pin_key(struct signaal_client *c, const char *public_key,
			   struct signaal_client_error *err);

/* The time limit for one HTTP request, in milliseconds (default 30000, > 0). */
int signaal_client_set_timeout(struct signaal_client *c, long timeout_ms,
			       struct signaal_client_error *err);

/*
 * Trust the certificate authorities in the PEM file at `path` (instead of
 * the system's) for an https server: a private CA, or the server's own
 * certificate.  Certificates and host names are always verified.
 */
int signaal_client_set_ca_file(struct signaal_client *c, const char *path,
			       struct signaal_client_error *err);

/*
 * Checks `n` identifiers.  All are normalised first: if one is invalid the
 * call fails with SIGNAAL_CLIENT_EIDENT (err->item says which, the message
 * why) before anything is sent.  Then they are evaluated in batches of up
 * to 1,000, every batch's proof is verified, and only when all have
 * verified are the pseudonyms looked up (in batches small enough for the
 * server's default body limit).  So SIGNAAL_CLIENT_EPROOF means no lookup
 * was made at all.  Each identifier uses one of the partner's hourly blind
 * evaluations; past the quota the server answers 429 (SIGNAAL_CLIENT_EHTTP,
 * err->retry_after).
 *
 * On success *results is an array of `n` results in the order of `items`,
 * owned by the caller: free it with signaal_results_free(*results, n).  For
 * n == 0 it is NULL.  On failure *results is NULL.
 */
int signaal_client_check(struct signaal_client *c, const struct signaal_item *items, size_t n,
			 struct signaal_result **results, struct signaal_client_error *err);

/* Frees what signaal_client_check() returned; NULL is allowed. */
void signaal_results_free(struct signaal_result *results, size_t n);

/* A short description of a code ("the server's proof did not verify"). */
const char *signaal_client_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif
