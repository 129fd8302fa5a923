/*
 * lookup_index.c - the registry's facts in memory (see lookup_index.h).
 */
#define _GNU_SOURCE /* pthread_rwlockattr_setkind_np: the follower must not starve */

#include "lookup_index.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ident/ident.h"
#include "pseudonym.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

#define TYPES_MAX      64 /* bits of slot.fraud_types */
#define RULES_MAX_BITS 32 /* bits of slot.fired */
#define NAME_BYTES     48
#define INITIAL_SLOTS  1024
#define FOLLOW_POLL_MS 250    /* for writers in other processes */
#define CHANGES_BATCH  512    /* changes read at once */
#define CHANGES_KEEP   100000 /* applied changes left for other processes, then pruned */
#define SYNC_WAIT_MS   2000   /* a reader waits this long for the follower at most */

static const char *const status_names[] = { "reported", "confirmed", "disputed", "cleared" };
#define NSTATUS (sizeof(status_names) / sizeof(status_names[0]))

/* One identifier: one cache line. */
struct slot {
	uint8_t key[LOOKUP_INDEX_KEY_BYTES];
	uint32_t first_seen, last_seen; /* seconds since 1970, UTC */
	uint32_t reports, signals;
	uint64_t fraud_types; /* bits of lookup_index.types */
	uint32_t fired;	      /* bits of lookup_index.rules */
	uint8_t kind;	      /* enum ident_kind + 1; 0: the slot is empty */
	uint8_t status;	      /* index into status_names */
	uint16_t spare;
};
_Static_assert(sizeof(struct slot) == 64, "a slot is one cache line");

/* Interned names, append-only; order[] lists them sorted, for output in name order. */
struct names {
	size_t n, max;
	bool warned;
	char name[TYPES_MAX][NAME_BYTES];
	uint8_t order[TYPES_MAX];
};

struct lookup_index {
	pthread_rwlock_t lock; /* slots, cap, count and names */
	struct slot *slots;
	size_t cap, count;
	struct names types, rules;

	/* Following the store (lookup_index_start()). */
	struct store *st;
	pthread_t thread;
	bool started, stop;	    /* under mu */
	pthread_mutex_t mu;	    /* with the two conditions */
	pthread_cond_t wake;	    /* to the follower: something was committed, or stop */
	pthread_cond_t caught_up;   /* from the follower: synced moved */
	_Atomic uint64_t committed; /* commits this process made */
	_Atomic uint64_t synced;    /* of those, the ones whose changes are applied */
	_Atomic bool failing;	    /* the follower cannot read the store: do not wait */
	int64_t seq, pruned;	    /* last change applied, and pruned (follower only) */
	struct identifier_change *changes;
	struct identifier_facts *facts;
	const uint8_t **changed; /* the distinct pseudonyms of one batch */
};

/* Where a key belongs: its first 32 bits scaled to the table (keys are uniform). */
static size_t home(const uint8_t *key, size_t cap)
{
	uint32_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)(((uint64_t)h * cap) >> 32);
}

static size_t dist(size_t pos, size_t from, size_t cap)
{
	return pos >= from ? pos - from : pos + cap - from;
}

static struct slot *find(struct slot *slots, size_t cap, const uint8_t *key)
{
	size_t pos = home(key, cap);

	for (size_t d = 0;; d++) {
		struct slot *t = &slots[pos];

		/* Robin Hood: past a slot nearer its home than we are, the key cannot be. */
		if (!t->kind || dist(pos, home(t->key, cap), cap) < d)
			return NULL;
		if (memcmp(t->key, key, LOOKUP_INDEX_KEY_BYTES) == 0)
			return t;
		pos = pos + 1 == cap ? 0 : pos + 1;
	}
}

/* Adds a slot whose key is not in the table (which has room). */
static void insert(struct slot *slots, size_t cap, struct slot s)
{
	size_t pos = home(s.key, cap);

	for (size_t d = 0;; d++) {
		struct slot *t = &slots[pos], tmp;
		size_t td;

		if (!t->kind) {
			*t = s;
			return;
		}
		td = dist(pos, home(t->key, cap), cap);
		if (td < d) { /* take the place of the richer slot and carry it on */
			tmp = *t;
			*t = s;
			s = tmp;
			d = td;
		}
		pos = pos + 1 == cap ? 0 : pos + 1;
	}
}

/* Removes slot t, shifting back the run behind it. */
static void erase(struct slot *slots, size_t cap, struct slot *t)
{
	size_t pos = (size_t)(t - slots);

	for (;;) {
		size_t next = pos + 1 == cap ? 0 : pos + 1;

		if (!slots[next].kind || dist(next, home(slots[next].key, cap), cap) == 0)
			break;
		slots[pos] = slots[next];
		pos = next;
	}
	memset(&slots[pos], 0, sizeof(slots[pos]));
}

/*
 * Makes room for `more` new identifiers: past 80% full, a table half as
 * big again is built beside the old one (only the single writer changes
 * the table, so it may read it unlocked) and swapped in under the lock.
 */
static int reserve(struct lookup_index *ix, size_t more)
{
	size_t cap = ix->cap, need = ix->count + more;
	struct slot *slots, *old;

	if (need * 5 <= ix->cap * 4)
		return 0;
	while (need * 5 > cap * 4)
		cap += cap / 2;
	slots = mem_calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < ix->cap; i++)
		if (ix->slots[i].kind)
			insert(slots, cap, ix->slots[i]);
	pthread_rwlock_wrlock(&ix->lock);
	old = ix->slots;
	ix->slots = slots;
	ix->cap = cap;
	pthread_rwlock_unlock(&ix->lock);
	mem_free(old);
	return 0;
}

/* The bit of a name, interned on first sight (under the write lock); -1 when full. */
static int intern(struct names *t, const char *name, size_t len, const char *what)
{
	size_t i, at;

	for (i = 0; i < t->n; i++)
		if (strncmp(t->name[i], name, len) == 0 && t->name[i][len] == '\0')
			return (int)i;
	if (t->n == t->max || len >= NAME_BYTES) {
		if (!t->warned)
			log_warn("lookup index: a name is left out of lookups", "what", what,
				 "reason", len >= NAME_BYTES ? "too long" : "too many distinct");
		t->warned = true;
		return -1;
	}
	memcpy(t->name[t->n], name, len);
	t->name[t->n][len] = '\0';
	for (at = t->n; at > 0 && strcmp(t->name[t->order[at - 1]], t->name[t->n]) > 0; at--)
		t->order[at] = t->order[at - 1];
	t->order[at] = (uint8_t)t->n;
	return (int)t->n++;
}

static uint64_t intern_list(struct names *t, const char *list, const char *what)
{
	uint64_t bits = 0;

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		int b = n ? intern(t, p, n, what) : -1;

		if (b >= 0)
			bits |= UINT64_C(1) << b;
		p += n + (p[n] == ',');
	}
	return bits;
}

static void names_list(const struct names *t, uint64_t bits, char *out, size_t outsz)
{
	size_t pos = 0;

	out[0] = '\0';
	for (size_t i = 0; i < t->n && bits; i++) {
		uint8_t b = t->order[i];
		int w;

		if (!(bits & (UINT64_C(1) << b)))
			continue;
		w = snprintf(out + pos, outsz - pos, "%s%s", pos ? "," : "", t->name[b]);
		if (w < 0 || (size_t)w >= outsz - pos)
			break;
		pos += (size_t)w;
	}
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, size_t n, unsigned *out)
{
	*out = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (unsigned)(s[i] - '0');
	}
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ" to seconds since 1970; 0 for anything else. */
static uint32_t time_parse(const char *s)
{
	unsigned y, mo, d, h, mi, sec;
	int64_t t;

	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) ||
	    digits(s + 17, 2, &sec) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return 0;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return t > 0 && t <= UINT32_MAX ? (uint32_t)t : 0;
}

static void time_format(uint32_t t, char *out, size_t outsz)
{
	unsigned m, d, s = t % 86400;
	int y;

	if (!t) {
		out[0] = '\0';
		return;
	}
	civil_from_days(t / 86400, &y, &m, &d);
	snprintf(out, outsz, "%04d-%02u-%02uT%02u:%02u:%02uZ", y, m, d, s / 3600, s / 60 % 60,
		 s % 60);
}

static int to_slot(struct lookup_index *ix, const uint8_t *pseudonym,
		   const struct identifier_facts *f, struct slot *s)
{
	enum ident_kind kind;

	memset(s, 0, sizeof(*s));
	if (ident_kind_parse(f->kind, &kind))
		return -1;
	memcpy(s->key, pseudonym, sizeof(s->key));
	s->kind = (uint8_t)(kind + 1);
	for (size_t i = 0; i < NSTATUS; i++)
		if (strcmp(f->status, status_names[i]) == 0)
			s->status = (uint8_t)i;
	s->first_seen = time_parse(f->first_seen);
	s->last_seen = time_parse(f->last_seen);
	s->reports = f->reports > 0 ? (uint32_t)f->reports : 0;
	s->signals = f->signals > 0 ? (uint32_t)f->signals : 0;
	s->fraud_types = intern_list(&ix->types, f->fraud_types, "fraud type");
	s->fired = (uint32_t)intern_list(&ix->rules, f->fired, "rule");
	return 0;
}

static void to_facts(const struct lookup_index *ix, const struct slot *s,
		     struct identifier_facts *f)
{
	snprintf(f->kind, sizeof(f->kind), "%s", ident_kind_name((enum ident_kind)(s->kind - 1)));
	snprintf(f->status, sizeof(f->status), "%s", status_names[s->status]);
	time_format(s->first_seen, f->first_seen, sizeof(f->first_seen));
	time_format(s->last_seen, f->last_seen, sizeof(f->last_seen));
	f->reports = s->reports > INT32_MAX ? INT32_MAX : (int)s->reports;
	f->signals = s->signals > INT32_MAX ? INT32_MAX : (int)s->signals;
	names_list(&ix->types, s->fraud_types, f->fraud_types, sizeof(f->fraud_types));
	names_list(&ix->rules, s->fired, f->fired, sizeof(f->fired));
}

struct lookup_index *lookup_index_new(void)
{
	struct lookup_index *ix = mem_calloc(1, sizeof(*ix));
	pthread_rwlockattr_t attr;

	if (!ix)
		return NULL;
	ix->slots = mem_calloc(INITIAL_SLOTS, sizeof(*ix->slots));
	if (!ix->slots) {
		mem_free(ix);
		return NULL;
	}
	ix->cap = INITIAL_SLOTS;
	ix->types.max = TYPES_MAX;
	ix->rules.max = RULES_MAX_BITS;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&ix->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&ix->mu, NULL);
	pthread_cond_init(&ix->wake, NULL);
	pthread_cond_init(&ix->caught_up, NULL);
	return ix;
}

/* Applies n puts at once: one reservation, one hold of the lock. */
static int put_many(struct lookup_index *ix, const uint8_t *const *pseudonyms,
		    const struct identifier_facts *const *facts, size_t n)
{
	if (reserve(ix, n))
		return -1;
	pthread_rwlock_wrlock(&ix->lock);
	for (size_t i = 0; i < n; i++) {
		struct slot *t = find(ix->slots, ix->cap, pseudonyms[i]), s;

		if (!facts[i] || to_slot(ix, pseudonyms[i], facts[i], &s)) {
			if (t) {
				erase(ix->slots, ix->cap, t);
				ix->count--;
			}
		} else if (t) {
			*t = s;
		} else {
			insert(ix->slots, ix->cap, s);
			ix->count++;
		}
	}
	pthread_rwlock_unlock(&ix->lock);
	return 0;
}

int lookup_index_put(struct lookup_index *ix, const uint8_t *pseudonym,
		     const struct identifier_facts *f)
{
	return put_many(ix, &pseudonym, &f, 1);
}

/* Waits until what this process committed before the call is applied (or gives up). */
static void sync_wait(struct lookup_index *ix)
{
	uint64_t target = atomic_load(&ix->committed);
	struct timespec until;

	if (!ix->st || atomic_load(&ix->synced) >= target || atomic_load(&ix->failing))
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SYNC_WAIT_MS / 1000;
	until.tv_nsec += (long)(SYNC_WAIT_MS % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&ix->mu);
	while (atomic_load(&ix->synced) < target && !atomic_load(&ix->failing))
		if (pthread_cond_timedwait(&ix->caught_up, &ix->mu, &until))
			break;
	pthread_mutex_unlock(&ix->mu);
}

size_t lookup_index_get(struct lookup_index *ix, const uint8_t *pseudonyms, size_t n,
			struct identifier_facts *out, bool *found)
{
	size_t hits = 0;

	sync_wait(ix);
	pthread_rwlock_rdlock(&ix->lock);
	for (size_t i = 0; i < n; i++) {
		const struct slot *s = find(ix->slots, ix->cap, pseudonyms + i * PSEUDONYM_BYTES);

		found[i] = s != NULL;
		if (s) {
			to_facts(ix, s, &out[i]);
			hits++;
		}
	}
	pthread_rwlock_unlock(&ix->lock);
	return hits;
}

size_t lookup_index_count(struct lookup_index *ix)
{
	size_t n;

	pthread_rwlock_rdlock(&ix->lock);
	n = ix->count;
	pthread_rwlock_unlock(&ix->lock);
	return n;
}

size_t lookup_index_memory(struct lookup_index *ix)
{
	size_t n;

	pthread_rwlock_rdlock(&ix->lock);
	n = sizeof(*ix) + ix->cap * sizeof(struct slot);
	pthread_rwlock_unlock(&ix->lock);
	return n;
}

/* Following the store. */

static void on_commit(void *arg)
{
	struct lookup_index *ix = arg;

	atomic_fetch_add(&ix->committed, 1);
	pthread_mutex_lock(&ix->mu);
	pthread_cond_signal(&ix->wake);
	pthread_mutex_unlock(&ix->mu);
}

static int load_one(void *arg, const uint8_t *pseudonym, const struct identifier_facts *f)
{
	return lookup_index_put(arg, pseudonym, f) ? STORE_ENOMEM : STORE_OK;
}

static int change_cmp(const void *a, const void *b)
{
	return memcmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b, PSEUDONYM_BYTES);
}

/* Reads the facts of every identifier changed after ix->seq and applies them. */
static int catch_up(struct lookup_index *ix)
{
	const struct identifier_facts *facts[CHANGES_BATCH];
	size_t n, m;
	int rc;

	do {
		rc = store_identifier_changes(ix->st, ix->seq, ix->changes, CHANGES_BATCH, &n);
		if (rc || n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			ix->changed[i] = ix->changes[i].pseudonym;
		qsort(ix->changed, n, sizeof(*ix->changed), change_cmp);
		m = 0;
		for (size_t i = 0; i < n; i++)
			if (m == 0 || memcmp(ix->changed[m - 1], ix->changed[i], PSEUDONYM_BYTES))
				ix->changed[m++] = ix->changed[i];
		for (size_t i = 0; i < m && rc == STORE_OK; i++) {
			rc = store_identifier_facts(ix->st, ix->changed[i], &ix->facts[i]);
			facts[i] = rc == STORE_OK ? &ix->facts[i] : NULL;
			if (rc == STORE_ENOTFOUND)
				rc = STORE_OK; /* gone: purged */
		}
		if (rc == STORE_OK && put_many(ix, ix->changed, facts, m))
			rc = STORE_ENOMEM;
		if (rc == STORE_OK)
			ix->seq = ix->changes[n - 1].seq;
	} while (rc == STORE_OK && n == CHANGES_BATCH);
	if (rc == STORE_OK && ix->seq - ix->pruned >= 2 * CHANGES_KEEP) {
		if (store_identifier_changes_prune(ix->st, ix->seq - CHANGES_KEEP) == STORE_OK)
			ix->pruned = ix->seq - CHANGES_KEEP;
	}
	return rc;
}

static void *follow_main(void *arg)
{
	struct lookup_index *ix = arg;
	bool failing = false;

	pthread_mutex_lock(&ix->mu);
	while (!ix->stop) {
		uint64_t target = atomic_load(&ix->committed);
		struct timespec until;
		int rc;

		pthread_mutex_unlock(&ix->mu);
		rc = catch_up(ix);
		if (rc && !failing)
			log_error("lookup index: cannot read the changes; lookups may be stale",
				  "error", store_strerror(rc));
		else if (!rc && failing)
			log_info("lookup index: following the changes again");
		failing = rc != STORE_OK;
		atomic_store(&ix->failing, failing);
		pthread_mutex_lock(&ix->mu);
		if (failing)
			pthread_cond_broadcast(&ix->caught_up); /* waiting readers give up */
		if (!failing) {
			atomic_store(&ix->synced, target);
			pthread_cond_broadcast(&ix->caught_up);
		}
		if (ix->stop || atomic_load(&ix->committed) != target)
			continue;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)(failing ? 1000 : FOLLOW_POLL_MS) * 1000000L;
		until.tv_sec += until.tv_nsec / 1000000000L;
		until.tv_nsec %= 1000000000L;
		pthread_cond_timedwait(&ix->wake, &ix->mu, &until);
	}
	pthread_mutex_unlock(&ix->mu);
	return NULL;
}

int lookup_index_start(struct lookup_index *ix, struct store *st, char *err, size_t errsz)
{
	int rc;

	ix->changes = mem_calloc(CHANGES_BATCH, sizeof(*ix->changes));
	ix->facts = mem_calloc(CHANGES_BATCH, sizeof(*ix->facts));
	ix->changed = mem_calloc(CHANGES_BATCH, sizeof(*ix->changed));
	if (!ix->changes || !ix->facts || !ix->changed) {
		snprintf(err, errsz, "lookup index: out of memory");
		return -1;
	}
	/* Count commits from now on, so that none made during the load goes unseen. */
	ix->st = st;
	store_set_commit_hook(st, on_commit, ix);
	rc = store_identifier_scan(st, load_one, ix, &ix->seq);
	if (rc) {
		store_set_commit_hook(st, NULL, NULL);
		ix->st = NULL;
		snprintf(err, errsz, "lookup index: cannot load the identifiers: %s",
			 store_strerror(rc));
		return -1;
	}
	ix->pruned = 0;
	if (pthread_create(&ix->thread, NULL, follow_main, ix)) {
		store_set_commit_hook(st, NULL, NULL);
		ix->st = NULL;
		snprintf(err, errsz, "lookup index: cannot start its thread");
		return -1;
	}
	ix->started = true;
	return 0;
}

void lookup_index_free(struct lookup_index *ix)
{
	if (!ix)
		return;
	if (ix->started) {
		store_set_commit_hook(ix->st, NULL, NULL);
		pthread_mutex_lock(&ix->mu);
		ix->stop = true;
		pthread_cond_signal(&ix->wake);
		pthread_mutex_unlock(&ix->mu);
		pthread_join(ix->thread, NULL);
	}
	pthread_rwlock_destroy(&ix->lock);
	pthread_mutex_destroy(&ix->mu);
	pthread_cond_destroy(&ix->wake);
	pthread_cond_destroy(&ix->caught_up);
	mem_free(ix->changes);
	mem_free(ix->facts);
	mem_free(ix->changed);
	mem_free(ix->slots);
	mem_free(ix);
}
