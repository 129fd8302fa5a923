/* idempotency.c - kept answers for retried requests; see idempotency.h. */
#include "idempotency.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "util/mem.h"

#define HASH_BYTES 32

struct entry {
	uint8_t scope[HASH_BYTES]; /* hash of the scope key */
	uint8_t body[HASH_BYTES];  /* hash of the request body */
	time_t expires;		   /* 0: free slot */
	int status;		   /* 0 while in progress */
	char *answer;
	size_t len;
};

struct idem {
	pthread_mutex_t lock;
	size_t capacity;
	int ttl;
	struct entry *e;
};

struct idem *idem_new(size_t capacity, int ttl)
{
	struct idem *id = mem_calloc(1, sizeof(*id));

	if (!id)
		return NULL;
	id->e = mem_calloc(capacity, sizeof(*id->e));
	if (!id->e) {
		mem_free(id);
		return NULL;
	}
	pthread_mutex_init(&id->lock, NULL);
	id->capacity = capacity;
	id->ttl = ttl;
	return id;
}

static void entry_clear(struct entry *e)
{
	if (e->answer) {
		sodium_memzero(e->answer, e->len);
		mem_free(e->answer);
	}
	memset(e, 0, sizeof(*e));
}

void idem_free(struct idem *id)
{
	if (!id)
		return;
	for (size_t i = 0; i < id->capacity; i++)
		entry_clear(&id->e[i]);
	pthread_mutex_destroy(&id->lock);
	mem_free(id->e);
	mem_free(id);
}

int idem_key_valid(const char *key)
{
	size_t n = strlen(key);

	if (n == 0 || n > IDEM_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (key[i] < 0x21 || key[i] > 0x7e)
			return 0;
	return 1;
}

static void hash(uint8_t out[HASH_BYTES], const void *p, size_t n)
{
	crypto_generichash(out, HASH_BYTES, p, n, NULL, 0);
}

/* The slot of this scope, or NULL; expired slots are freed on the way. */
static struct entry *find(struct idem *id, const uint8_t scope[HASH_BYTES], time_t now)
{
	struct entry *hit = NULL;

	for (size_t i = 0; i < id->capacity; i++) {
		struct entry *e = &id->e[i];

		if (e->expires && e->expires <= now && e->status)
			entry_clear(e);
		if (e->expires && !hit && memcmp(e->scope, scope, HASH_BYTES) == 0)
			hit = e;
	}
	return hit;
}

enum idem_state idem_begin(struct idem *id, const char *scope, const void *body, size_t len,
			   int *status, char **answer, size_t *answer_len)
{
	uint8_t sh[HASH_BYTES], bh[HASH_BYTES];
	time_t now = time(NULL);
	enum idem_state st = IDEM_FULL;
	struct entry *e;

	hash(sh, scope, strlen(scope));
	hash(bh, body, len);
	pthread_mutex_lock(&id->lock);
	e = find(id, sh, now);
	if (e && memcmp(e->body, bh, HASH_BYTES) != 0) {
		st = IDEM_MISMATCH;
	} else if (e && !e->status) {
		st = IDEM_IN_PROGRESS;
	} else if (e) {
		*answer = mem_alloc(e->len + 1);
		if (*answer) {
			memcpy(*answer, e->answer, e->len);
			(*answer)[e->len] = '\0';
			*answer_len = e->len;
			*status = e->status;
			st = IDEM_REPLAY;
		}
	} else {
		for (size_t i = 0; i < id->capacity; i++) {
			if (id->e[i].expires)
				continue;
			e = &id->e[i];
			memcpy(e->scope, sh, HASH_BYTES);
			memcpy(e->body, bh, HASH_BYTES);
			e->expires = now + id->ttl;
			st = IDEM_NEW;
			break;
		}
	}
	pthread_mutex_unlock(&id->lock);
	return st;
}

static struct entry *find_scope(struct idem *id, const char *scope)
{
	uint8_t sh[HASH_BYTES];

	hash(sh, scope, strlen(scope));
	for (size_t i = 0; i < id->capacity; i++)
		if (id->e[i].expires && memcmp(id->e[i].scope, sh, HASH_BYTES) == 0)
			return &id->e[i];
	return NULL;
}

void idem_complete(struct idem *id, const char *scope, int status, const char *answer, size_t len)
{
	struct entry *e;

	pthread_mutex_lock(&id->lock);
	e = find_scope(id, scope);
	if (e && !e->status) {
		e->answer = mem_alloc(len ? len : 1);
		if (e->answer) {
			memcpy(e->answer, answer, len);
			e->len = len;
			e->status = status;
			e->expires = time(NULL) + id->ttl;
		} else {
			entry_clear(e); /* no answer to keep: a retry is processed anew */
		}
	}
	pthread_mutex_unlock(&id->lock);
}

void idem_abandon(struct idem *id, const char *scope)
{
	struct entry *e;

	pthread_mutex_lock(&id->lock);
	e = find_scope(id, scope);
	if (e && !e->status)
		entry_clear(e);
	pthread_mutex_unlock(&id->lock);
}
