/*
 * webhook.h - outbound webhooks signed the Standard Webhooks way
 * (https://www.standardwebhooks.com, specification 1.0.0, symmetric scheme).
 *
 * A message is POSTed with three headers:
 *
 *	webhook-id:        the message id, the same on every retry (an idempotency key)
 *	webhook-timestamp: the time of this attempt, integer Unix seconds
 *	webhook-signature: "v1," base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
 *
 * The signature header may carry several space-separated signatures (for key
 * rotation); a receiver accepts the message when any "v1" one matches.  A
 * secret is written "whsec_" + base64 (standard alphabet, padded) of the key
 * bytes; this module accepts keys of 24 to 64 bytes (the specification asks
 * for at least 24) and makes new ones of 32 bytes.
 *
 * Nothing here prints, exits, or writes a secret into an error message.
 */
#ifndef SIGNAAL_DELIVER_WEBHOOK_H
#define SIGNAAL_DELIVER_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

/* "whsec_" + 44 base64 characters for 32 key bytes, plus the NUL. */
#define WEBHOOK_SECRET_SIZE 51
/* "v1," + 44 base64 characters, plus the NUL. */
#define WEBHOOK_SIG_SIZE 48
#define WEBHOOK_KEY_MIN	 24
#define WEBHOOK_KEY_MAX	 64
/* A message id: 1 to this many printable ASCII characters, no '.', no space. */
#define WEBHOOK_ID_MAX 255
/* Verification rejects timestamps further than this from the receiver's clock. */
#define WEBHOOK_TOLERANCE_SECONDS 300
/* Response bodies are read and thrown away; a longer one ends the transfer. */
#define WEBHOOK_RESPONSE_MAX 65536
/* Deliveries per message, the first one included; after the last the message is dead-lettered. */
#define WEBHOOK_MAX_ATTEMPTS 12
/* The longest wait between two attempts. */
#define WEBHOOK_BACKOFF_CAP 3600L

/*
 * Writes a new random secret into out (at least WEBHOOK_SECRET_SIZE bytes).
 * Returns 0, or -1 when out is too small or libsodium cannot start.
 */
int webhook_secret_new(char *out, size_t outsz);

/*
 * Writes "v1,<base64 signature>" of (id, ts, body) into sig (at least
 * WEBHOOK_SIG_SIZE bytes).  Returns 0, or -1 on a malformed secret, an id that
 * is not 1..WEBHOOK_ID_MAX printable characters without '.' or space, a
 * negative ts, or a too small buffer.  body may be NULL when len is 0.
 */
int webhook_sign(const char *secret, const char *id, long long ts, const char *body, size_t len,
		 char *sig, size_t sigsz);

/*
 * Checks a received message: the header values as received (NULL when the
 * header was missing), the raw body, and the receiver's clock `now`.
 * Returns 0 when the timestamp is within WEBHOOK_TOLERANCE_SECONDS of now and
 * a v1 signature in sig_header matches (compared in constant time); otherwise
 * -1 with a one-line reason in err (err may be NULL).
 */
int webhook_verify(const char *secret, const char *id, const char *ts_header,
		   const char *sig_header, const char *body, size_t len, long long now, char *err,
		   size_t errsz);

struct webhook_result {
	long status;	 /* HTTP status of the response, 0 when none came */
	int curl_error;	 /* CURLE_OK, or why the transfer failed */
	char error[160]; /* empty after a 2xx; otherwise why the delivery failed */
	double seconds;	 /* time the transfer took */
};

struct webhook_opts {
	long timeout_ms; /* whole transfer; at most 10 s of it for connecting */
	/*
	 * Use the proxy named by the environment (https_proxy and friends).  When
	 * false no proxy is used and every address the host name resolves to is
	 * checked before connecting (see allow_loopback); with a proxy that check
	 * is the proxy's job.
	 */
	bool allow_proxy;
	/*
	 * Let direct connections reach loopback addresses (tests).  Private,
	 * link-local, multicast and unspecified addresses are always refused.
	 */
	bool allow_loopback;
};

/*
 * POSTs body (application/json) to url with the Standard Webhooks headers for
 * (id, ts), signed with secret.  Redirects are not followed, only http and
 * https are spoken, and the response body is discarded (a body longer than
 * WEBHOOK_RESPONSE_MAX ends the transfer; its status still counts).
 *
 * curl is the caller's handle, reused between calls so that connections are
 * kept alive; this function sets the options it needs on it and, before it
 * returns, clears every option that would point into its own memory.  Other
 * options the caller set (a CA file, say) stay in force.
 *
 * The url must already have passed webhook_url_allowed().  Returns 0 when a
 * 2xx response came back, -1 otherwise with res saying why.
 */
int webhook_send_opts(CURL *curl, const char *url, const char *secret, const char *id, long long ts,
		      const char *body, size_t len, const struct webhook_opts *opts,
		      struct webhook_result *res);

/*
 * webhook_send_opts() with no proxy and loopback addresses allowed, i.e.
 * { timeout_ms, .allow_proxy = false, .allow_loopback = true }.  Production
 * delivery should call webhook_send_opts() with allow_loopback from the
 * configuration, so that a name resolving to 127.0.0.1 is refused too.
 */
int webhook_send(CURL *curl, const char *url, const char *secret, const char *id, long long ts,
		 const char *body, size_t len, long timeout_ms, struct webhook_result *res);

/*
 * Decides whether url may be registered as a webhook endpoint: https only, or
 * http/https to a loopback host (127.0.0.0/8, [::1], localhost) when
 * allow_loopback; no user name or password; no literal address that is
 * private, link-local, multicast, reserved or unspecified; no single-label or
 * .local/.internal host names.  Returns 0 when allowed, else -1 with the reason
 * in err (err may be NULL).
 *
 * Known gap: a public-looking host name may resolve to an internal address.
 * This check cannot see that; webhook_send_opts() without a proxy re-checks
 * every resolved address when it connects.
 */
int webhook_url_allowed(const char *url, bool allow_loopback, char *err, size_t errsz);

/*
 * Seconds to wait before retry number `attempt` (1 = the first retry, made
 * after the first delivery failed).  base = min(2^attempt, WEBHOOK_BACKOFF_CAP);
 * the wait is base/2 + random % (base/2 + 1), so it lies in [base/2, base]:
 *
 *	retry    1    2    3    4     5     6     7      8      9     10     11
 *	base     2s   4s   8s   16s   32s   64s   128s   256s   512s  1024s  2048s
 *
 * With WEBHOOK_MAX_ATTEMPTS deliveries there are 11 retries, spread over 34 to
 * 68 minutes in total.  attempt < 1 is treated as 1; from retry 12 on the base
 * is the cap (3600 s).  `random` should be uniform (randombytes_random()).
 */
long webhook_backoff(int attempt, uint32_t random);

#endif
