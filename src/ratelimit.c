/* ratelimit.c - token buckets in a fixed table; see ratelimit.h. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "util/mem.h"

#define SLOTS 4096

struct bucket {
	uint64_t key; /* 0: unused */
	double tokens;
	double last; /* seconds, monotonic */
};

struct ratelimit {
	pthread_mutex_t lock;
	double rate; /* tokens a second */
	double burst;
	unsigned char hashkey[crypto_shorthash_KEYBYTES];
	struct bucket b[SLOTS];
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct ratelimit *ratelimit_new(double per_minute, double burst)
{
	struct ratelimit *rl = mem_calloc(1, sizeof(*rl));

	if (!rl)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = per_minute / 60.0;
	rl->burst = burst;
	/* A keyed hash, so that nobody can pick addresses that share a slot with a victim's. */
	crypto_shorthash_keygen(rl->hashkey);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	mem_free(rl);
}

static int bucket_use(struct ratelimit *rl, const char *key, double n, int take, int *retry_after)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t k;
	struct bucket *b;
	double t = now_s();
	int rc = 0;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hashkey);
	memcpy(&k, h, sizeof(k));
	k |= 1; /* never 0, which marks a free slot */
	pthread_mutex_lock(&rl->lock);
	b = &rl->b[k % SLOTS];
	if (b->key != k) {
		b->key = k;
		b->tokens = rl->burst;
		b->last = t;
	}
	b->tokens = fmin(rl->burst, b->tokens + (t - b->last) * rl->rate);
	b->last = t;
	if (b->tokens >= n) {
		if (take)
			b->tokens -= n;
	} else {
		/* More than the bucket holds never fits: wait for it to be full. */
		double need = fmin(n, rl->burst) - b->tokens;
		double wait = rl->rate > 0 ? need / rl->rate : 3600;

		*retry_after = wait < 1 ? 1 : (int)ceil(wait);
		rc = -1;
	}
	pthread_mutex_unlock(&rl->lock);
	return rc;
}

int ratelimit_take(struct ratelimit *rl, const char *key, int *retry_after)
{
	return bucket_use(rl, key, 1, 1, retry_after);
}

int ratelimit_take_n(struct ratelimit *rl, const char *key, unsigned n, int *retry_after)
{
	return bucket_use(rl, key, n, 1, retry_after);
}

int ratelimit_peek(struct ratelimit *rl, const char *key, int *retry_after)
{
	return bucket_use(rl, key, 1, 0, retry_after);
}
