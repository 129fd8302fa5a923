/*
 * ratelimit.h - token buckets per client, in memory.
 *
 * A limiter holds a fixed table of buckets; a key (a client address, a
 * partner) is hashed to a slot, so memory stays bounded whatever the
 * traffic (two keys that share a slot share a bucket: the limit errs on
 * the strict side).  Thread-safe.
 */
#ifndef SIGNAAL_RATELIMIT_H
#define SIGNAAL_RATELIMIT_H

#include <stddef.h>

struct ratelimit;

/* `burst` tokens at most, refilled at `per_minute` a minute.  NULL if out of memory. */
struct ratelimit *ratelimit_new(double per_minute, double burst);
void ratelimit_free(struct ratelimit *rl);

/*
 * Takes one token for `key`.  Returns 0, or -1 when the bucket is empty
 * with the seconds until a token is back in *retry_after (at least 1).
 */
int ratelimit_take(struct ratelimit *rl, const char *key, int *retry_after);

/*
 * Takes n tokens at once, or none: -1 when fewer than n are there, with the
 * seconds until they are in *retry_after (n over the burst never fits; the
 * wait is then until the bucket is full).
 */
int ratelimit_take_n(struct ratelimit *rl, const char *key, unsigned n, int *retry_after);

/* Whether a token is there, without taking it (same return as ratelimit_take). */
int ratelimit_peek(struct ratelimit *rl, const char *key, int *retry_after);

#endif
