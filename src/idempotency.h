/*
 * idempotency.h - safe retries of POST requests (the Idempotency-Key header).
 *
 * A client that did not get an answer (a dropped connection, a time-out)
 * sends the same request again with the same key, and gets the first
 * answer instead of a second report with a second case code.  Answers are
 * kept in memory for a limited time and number, scoped by the caller's key
 * (the client's address plus its Idempotency-Key), and bound to a hash of
 * the request body: the same key with another body is refused.
 *
 * Answers hold case codes, so they live only in memory and expire; after a
 * restart a retry makes a new report.  Thread-safe.
 */
#ifndef SIGNAAL_IDEMPOTENCY_H
#define SIGNAAL_IDEMPOTENCY_H

#include <stddef.h>
#include <stdint.h>

#define IDEM_KEY_MAX 128 /* longest Idempotency-Key accepted */

struct idem;

enum idem_state {
	IDEM_NEW,	  /* first time: the key is reserved; finish with idem_complete/abandon */
	IDEM_REPLAY,	  /* answered before: *status and *body (caller frees) hold the answer */
	IDEM_IN_PROGRESS, /* the first request with this key has not been answered yet */
	IDEM_MISMATCH,	  /* the key was used with a different request body */
	IDEM_FULL,	  /* no room for a new key now */
};

/* At most `capacity` answers, each kept `ttl` seconds.  NULL when out of memory. */
struct idem *idem_new(size_t capacity, int ttl);
void idem_free(struct idem *id);

enum idem_state idem_begin(struct idem *id, const char *scope, const void *body, size_t len,
			   int *status, char **answer, size_t *answer_len);

/* Stores the answer for a key idem_begin() reserved (copies it). */
void idem_complete(struct idem *id, const char *scope, int status, const char *answer, size_t len);

/* Releases a reserved key without an answer, so that a retry is processed anew. */
void idem_abandon(struct idem *id, const char *scope);

/* Whether a header value is an acceptable key: 1 to IDEM_KEY_MAX printable ASCII characters. */
int idem_key_valid(const char *key);

#endif
