/*
 * audit.c - the audit log (see audit.h).
 */
#include "audit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keys.h"
#include "report.h"
#include "store/store.h"
#include "util/log.h"
#include "util/mem.h"

#define QUEUE_MAX    100000 /* events waiting for the writer */
#define FOLLOW_CHUNK 4096   /* leaves read from the table at once */
/*
 * Subjects wait beside their entries until the writer moves them into the
 * index in batches (store_audit_index_subjects): once INDEX_SUBJECTS wait,
 * or audit_index_interval seconds after the last move, whole entries until
 * INDEX_SUBJECTS at most a time (a lookup's entry adds up to 1,000).  One
 * insert a subject on the answer's path wrote a leaf page for each: a
 * lookup with 500 hits cost 2 MB of WAL.
 */
#define INDEX_SUBJECTS 262144
#define SIG_ED25519    0x01 /* the signed-note signature type */

static const char em_dash[] = "\xe2\x80\x94";

static void derive(uint8_t out[32], const uint8_t seed[KEY_SEED_BYTES], const char *purpose)
{
	crypto_generichash(out, 32, (const uint8_t *)purpose, strlen(purpose), seed,
			   KEY_SEED_BYTES);
}

/* A signed-note key name: non-empty, printable ASCII, no spaces and no '+'. */
static int origin_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '+')
			return 0;
	return 1;
}

int audit_keys_load(struct audit_keys *k, const char *data_dir, const char *origin, char *err,
		    size_t errsz)
{
	uint8_t seed[KEY_SEED_BYTES], sign_seed[32], h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	const uint8_t type = SIG_ED25519;

	memset(k, 0, sizeof(*k));
	if (!origin_ok(origin) || strlen(origin) >= sizeof(k->origin)) {
		snprintf(err, errsz,
			 "audit_origin '%s' must be 1 to %zu printable characters without spaces "
			 "or '+'",
			 origin, sizeof(k->origin) - 1);
		return -1;
	}
	if (keys_load_seed(data_dir, "audit", seed, err, errsz))
		return -1;
	snprintf(k->origin, sizeof(k->origin), "%s", origin);
	derive(sign_seed, seed, "signaal audit signing key");
	derive(k->commit_key, seed, "signaal audit commitments");
	sodium_memzero(seed, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, sign_seed);
	sodium_memzero(sign_seed, sizeof(sign_seed));
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)k->origin, strlen(k->origin));
	crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	crypto_hash_sha256_update(&st, &type, 1);
	crypto_hash_sha256_update(&st, k->pk, sizeof(k->pk));
	crypto_hash_sha256_final(&st, h);
	memcpy(k->key_id, h, sizeof(k->key_id));
	return 0;
}

void audit_keys_wipe(struct audit_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

void audit_vkey(const struct audit_keys *k, char *out, size_t outsz)
{
	uint8_t typed[33];
	char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];

	typed[0] = SIG_ED25519;
	memcpy(typed + 1, k->pk, 32);
	sodium_bin2base64(b64, sizeof(b64), typed, sizeof(typed), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, outsz, "%s+%02x%02x%02x%02x+%s", k->origin, k->key_id[0], k->key_id[1],
		 k->key_id[2], k->key_id[3], b64);
}

static void commit(const struct audit_keys *k, uint8_t tag, const uint8_t *data, size_t len,
		   uint8_t out[AUDIT_COMMIT_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, k->commit_key, sizeof(k->commit_key), AUDIT_COMMIT_BYTES);
	crypto_generichash_update(&st, &tag, 1);
	crypto_generichash_update(&st, data, len);
	crypto_generichash_final(&st, out, AUDIT_COMMIT_BYTES);
}

void audit_commit_identifier(const struct audit_keys *k, const uint8_t *pseudonym,
			     uint8_t out[AUDIT_COMMIT_BYTES])
{
	commit(k, 'i', pseudonym, 64, out);
}

void audit_commit_case(const struct audit_keys *k, const uint8_t *hash, size_t len,
		       uint8_t out[AUDIT_COMMIT_BYTES])
{
	commit(k, 'c', hash, len, out);
}

char *audit_entry_text(const struct audit_event *ev, const char *now)
{
	json_t *doc = json_pack("{s:s,s:s,s:s}", "at", now, "actor", ev->actor, "act", ev->act);
	char *text, *copy = NULL;

	if (!doc)
		return NULL;
	if (ev->ref)
		json_object_set_new(doc, "ref", json_string(ev->ref));
	if (ev->nsubjects) {
		json_t *subjects = json_array();

		for (size_t i = 0; subjects && i < ev->nsubjects; i++) {
			char b64[sodium_base64_ENCODED_LEN(
				AUDIT_COMMIT_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

			sodium_bin2base64(b64, sizeof(b64), ev->subjects[i], AUDIT_COMMIT_BYTES,
					  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			json_array_append_new(subjects, json_string(b64));
		}
		json_object_set_new(doc, "subjects", subjects);
	}
	if (ev->detail)
		json_object_set(doc, "detail", ev->detail);
	/* The order above is the order written: jansson keeps insertion order. */
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text) {
		copy = mem_strdup(text);
		free(text);
	}
	return copy;
}

/* One event as a record for the store; the caller frees r->entry. */
static int record_of(const struct audit_event *ev, struct audit_record *r)
{
	char now[REPORT_TIME_MAX];

	report_now(now);
	memset(r, 0, sizeof(*r));
	r->entry = audit_entry_text(ev, now);
	if (!r->entry)
		return -1;
	merkle_leaf_hash(r->leaf, r->entry, strlen(r->entry));
	r->subjects = (const uint8_t(*)[STORE_AUDIT_COMMIT_BYTES])ev->subjects;
	r->nsubjects = ev->nsubjects;
	return 0;
}

int audit_append_now(struct store *st, const struct audit_event *ev)
{
	struct audit_record r;
	int64_t first;
	int rc;

	if (record_of(ev, &r))
		return STORE_ENOMEM;
	rc = store_audit_append(st, &r, 1, &first);
	mem_free((char *)r.entry);
	return rc;
}

int audit_note_sign(const struct audit_keys *k, uint64_t size, const uint8_t root[32], char *out,
		    size_t outsz)
{
	char root64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	char sig64[sodium_base64_ENCODED_LEN(68, sodium_base64_VARIANT_ORIGINAL)];
	uint8_t sig[68];
	int body, n;

	sodium_bin2base64(root64, sizeof(root64), root, 32, sodium_base64_VARIANT_ORIGINAL);
	body = snprintf(out, outsz, "%s\n%llu\n%s\n", k->origin, (unsigned long long)size, root64);
	if (body < 0 || (size_t)body >= outsz)
		return -1;
	memcpy(sig, k->key_id, 4);
	crypto_sign_detached(sig + 4, NULL, (const uint8_t *)out, (unsigned long long)body, k->sk);
	sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(out + body, outsz - (size_t)body, "\n%s %s %s\n", em_dash, k->origin, sig64);
	return n < 0 || (size_t)n >= outsz - (size_t)body ? -1 : 0;
}

int audit_note_verify(const struct audit_keys *k, const char *note, uint64_t *size,
		      uint8_t root[32], char *err, size_t errsz)
{
	const char *sep = strstr(note, "\n\n"), *line, *nl;
	char prefix[AUDIT_NAME_MAX + 8], *end;
	uint8_t sig[68];
	size_t body, got = 0, plen;
	int ok = 0;

	if (!sep) {
		snprintf(err, errsz, "not a signed note: no blank line before the signatures");
		return -1;
	}
	body = (size_t)(sep - note) + 1;
	/* The text: origin, size, root, then any extension lines. */
	nl = strchr(note, '\n');
	if ((size_t)(nl - note) != strlen(k->origin) ||
	    strncmp(note, k->origin, strlen(k->origin)) != 0) {
		snprintf(err, errsz, "the checkpoint is of another log (origin)");
		return -1;
	}
	line = nl + 1;
	if (*line < '0' || *line > '9') {
		snprintf(err, errsz, "the checkpoint has no tree size");
		return -1;
	}
	*size = strtoull(line, &end, 10);
	if (*end != '\n' || (line[0] == '0' && end - line > 1)) {
		snprintf(err, errsz, "the checkpoint's tree size is malformed");
		return -1;
	}
	line = end + 1;
	nl = strchr(line, '\n');
	if (!nl ||
	    sodium_base642bin(root, 32, line, (size_t)(nl - line), NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    got != 32) {
		snprintf(err, errsz, "the checkpoint's root hash is malformed");
		return -1;
	}
	/* The signature lines: the first by our name and key ID decides. */
	snprintf(prefix, sizeof(prefix), "%s %s ", em_dash, k->origin);
	plen = strlen(prefix);
	for (line = sep + 2; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		if (strncmp(line, prefix, plen) != 0)
			continue;
		if (sodium_base642bin(sig, sizeof(sig), line + plen, (size_t)(nl - line) - plen,
				      NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
		    got != sizeof(sig) || memcmp(sig, k->key_id, 4) != 0)
			continue;
		ok = crypto_sign_verify_detached(sig + 4, (const uint8_t *)note,
						 (unsigned long long)body, k->pk) == 0;
		break;
	}
	if (!ok) {
		snprintf(err, errsz, "the checkpoint's signature does not verify with the key");
		return -1;
	}
	return 0;
}

/* ---- the server's log ---- */

struct job {
	struct audit_record r;
	uint8_t (*subjects)[AUDIT_COMMIT_BYTES]; /* owned copy */
	audit_done_fn done;
	void *arg;
	struct job *next;
};

struct audit {
	struct store *st;
	struct audit_keys keys;
	int interval, index_interval;

	pthread_t thread;
	pthread_mutex_t lock; /* the queue, stop, and the checkpoint below */
	pthread_cond_t work;
	struct job *queue, **tail;
	size_t queued;
	int stop, running;
	/*
	 * The writer's: subjects that may wait (those it appended, or at least
	 * 1 once it reads any new entry), and when it last moved some.
	 */
	size_t unindexed;
	time_t indexed_at; /* CLOCK_MONOTONIC seconds */
	int index_failed;  /* the last move failed: the next waits the whole interval */
	char note[AUDIT_NOTE_MAX];
	uint64_t note_size;
	int has_note;
	time_t note_at;

	pthread_rwlock_t tree_lock;
	struct merkle_tree tree;
};

const struct audit_keys *audit_keys_of(const struct audit *a)
{
	return &a->keys;
}

/* Reads the leaves the tree does not have yet (from this process or others). */
static int follow(struct audit *a)
{
	uint8_t(*leaves)[32] = mem_calloc(FOLLOW_CHUNK, 32);
	size_t n;
	int rc = leaves ? STORE_OK : STORE_ENOMEM;

	while (rc == STORE_OK) {
		rc = store_audit_leaves(a->st, (int64_t)a->tree.size, FOLLOW_CHUNK, leaves, &n);
		if (rc || n == 0)
			break;
		pthread_rwlock_wrlock(&a->tree_lock);
		for (size_t i = 0; i < n && rc == STORE_OK; i++)
			if (merkle_append(&a->tree, leaves[i]))
				rc = STORE_ENOMEM;
		pthread_rwlock_unlock(&a->tree_lock);
		if (n < FOLLOW_CHUNK)
			break;
	}
	mem_free(leaves);
	return rc;
}

/* Signs and keeps a checkpoint of the whole tree. */
static int checkpoint(struct audit *a)
{
	uint8_t root[32];
	char note[AUDIT_NOTE_MAX], now[REPORT_TIME_MAX];
	uint64_t size;
	int rc;

	pthread_rwlock_rdlock(&a->tree_lock);
	size = a->tree.size;
	rc = merkle_root(&a->tree, size, root);
	pthread_rwlock_unlock(&a->tree_lock);
	if (rc || audit_note_sign(&a->keys, size, root, note, sizeof(note)))
		return STORE_EINVAL;
	report_now(now);
	rc = store_audit_checkpoint_add(a->st, (int64_t)size, root, note, now);
	if (rc == STORE_EEXISTS) /* another process signed this size first */
		rc = store_audit_checkpoint_latest(a->st, &(int64_t){ 0 }, note, sizeof(note));
	if (rc)
		return rc;
	pthread_mutex_lock(&a->lock);
	snprintf(a->note, sizeof(a->note), "%s", note);
	a->note_size = size;
	a->has_note = 1;
	a->note_at = time(NULL);
	pthread_mutex_unlock(&a->lock);
	return STORE_OK;
}

/* Appends a batch of jobs and tells each of them; gives the subjects appended. */
static size_t write_batch(struct audit *a, struct job *batch)
{
	struct audit_record *rs;
	struct job *j, *next;
	size_t n = 0, i = 0, subjects = 0;
	int64_t first;
	int rc;

	for (j = batch; j; j = j->next) {
		subjects += j->r.nsubjects;
		n++;
	}
	rs = mem_calloc(n, sizeof(*rs));
	for (j = batch; rs && j; j = j->next)
		rs[i++] = j->r;
	rc = rs ? store_audit_append(a->st, rs, n, &first) : STORE_ENOMEM;
	if (rc) {
		log_error("audit: cannot append entries", "entries", n > 1 ? "several" : "one",
			  "error", store_strerror(rc));
		subjects = 0;
	}
	mem_free(rs);
	for (j = batch; j; j = next) {
		next = j->next;
		if (j->done)
			j->done(j->arg, rc);
		mem_free((char *)j->r.entry);
		mem_free(j->subjects);
		mem_free(j);
	}
	return subjects;
}

static time_t monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Moves a batch of waiting subjects into the index; non-zero if there may
 * be more (a full batch moved), so that the writer goes on without waiting.
 */
static int index_subjects(struct audit *a)
{
	size_t entries, subjects;
	int rc = store_audit_index_subjects(a->st, INDEX_SUBJECTS, &entries, &subjects);

	a->indexed_at = monotonic_s();
	a->index_failed = rc != STORE_OK;
	if (rc) {
		log_error("audit: cannot index the subjects of entries", "error",
			  store_strerror(rc));
		return 0;
	}
	if (subjects < INDEX_SUBJECTS) { /* none were left */
		a->unindexed = 0;
		return 0;
	}
	a->unindexed =
		a->unindexed > subjects + INDEX_SUBJECTS ? a->unindexed - subjects : INDEX_SUBJECTS;
	return 1;
}

/*
 * Whether a move is due: enough waiting, the interval passed, or stopping;
 * after a failed move, only once the interval has passed.
 */
static int index_due(const struct audit *a, int stopping)
{
	int waited = monotonic_s() - a->indexed_at >= a->index_interval;

	if (!a->unindexed)
		return 0;
	if (a->index_failed)
		return waited;
	return a->unindexed >= INDEX_SUBJECTS || stopping || waited;
}

static void *writer_main(void *arg)
{
	struct audit *a = arg;
	int stopping, more = 0;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		struct job *batch;
		struct timespec until;
		uint64_t signed_size, seen;
		time_t signed_at;
		int has, rc;

		if (!a->queue && !a->stop && !more) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&a->work, &a->lock, &until);
		}
		batch = a->queue;
		a->queue = NULL;
		a->tail = &a->queue;
		a->queued = 0;
		stopping = a->stop;
		signed_size = a->note_size;
		signed_at = a->note_at;
		has = a->has_note;
		pthread_mutex_unlock(&a->lock);
		if (batch)
			a->unindexed += write_batch(a, batch);
		more = index_due(a, stopping) && index_subjects(a);
		/*
		 * Entries that others appended (commands, other nodes) are read
		 * here too, and theirs may have subjects waiting: any new entry
		 * makes a move due, which finds nothing if none has subjects.
		 */
		seen = a->tree.size;
		rc = follow(a);
		if (a->tree.size > seen && !a->unindexed)
			a->unindexed = 1;
		if (rc == STORE_OK &&
		    (!has || (a->tree.size > signed_size &&
			      (stopping || time(NULL) - signed_at >= a->interval))))
			checkpoint(a);
		pthread_mutex_lock(&a->lock);
		if (stopping && !a->queue)
			break;
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

struct audit *audit_start(struct store *st, const struct audit_keys *keys, int interval_s,
			  int index_interval_s, char *err, size_t errsz)
{
	struct audit *a = mem_calloc(1, sizeof(*a));
	char note[AUDIT_NOTE_MAX];
	int64_t size = 0;
	int rc;

	if (!a) {
		snprintf(err, errsz, "audit: out of memory");
		return NULL;
	}
	a->st = st;
	a->keys = *keys;
	a->interval = interval_s > 0 ? interval_s : 5;
	a->index_interval = index_interval_s > 0 ? index_interval_s : 1;
	a->indexed_at = monotonic_s() - a->index_interval; /* the first turn moves */
	a->tail = &a->queue;
	a->unindexed = 1; /* subjects an earlier run or a command left waiting, if any */
	merkle_init(&a->tree);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->work, NULL);
	pthread_rwlock_init(&a->tree_lock, NULL);
	rc = follow(a);
	if (rc == STORE_OK) {
		rc = store_audit_checkpoint_latest(st, &size, note, sizeof(note));
		if (rc == STORE_OK && (uint64_t)size > a->tree.size) {
			snprintf(err, errsz,
				 "audit: a checkpoint covers %lld entries but only %llu are there "
				 "in order; run `signaal audit verify`",
				 (long long)size, (unsigned long long)a->tree.size);
			audit_stop(a);
			return NULL;
		}
		if (rc == STORE_OK && (uint64_t)size == a->tree.size) {
			snprintf(a->note, sizeof(a->note), "%s", note);
			a->note_size = (uint64_t)size;
			a->has_note = 1;
			a->note_at = time(NULL);
		}
		rc = rc == STORE_ENOTFOUND ? STORE_OK : rc;
	}
	if (rc == STORE_OK && !a->has_note)
		rc = checkpoint(a);
	if (rc) {
		snprintf(err, errsz, "audit: cannot load the log: %s", store_strerror(rc));
		audit_stop(a);
		return NULL;
	}
	if (pthread_create(&a->thread, NULL, writer_main, a)) {
		snprintf(err, errsz, "audit: cannot start its thread");
		audit_stop(a);
		return NULL;
	}
	a->running = 1;
	return a;
}

void audit_stop(struct audit *a)
{
	if (!a)
		return;
	if (a->running) {
		pthread_mutex_lock(&a->lock);
		a->stop = 1;
		pthread_cond_signal(&a->work);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
	}
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->work);
	pthread_rwlock_destroy(&a->tree_lock);
	merkle_free(&a->tree);
	audit_keys_wipe(&a->keys);
	mem_free(a);
}

int audit_record(struct audit *a, const struct audit_event *ev, audit_done_fn done, void *arg)
{
	struct job *j = mem_calloc(1, sizeof(*j));

	if (!j)
		return -1;
	if (ev->nsubjects) {
		j->subjects = mem_calloc(ev->nsubjects, AUDIT_COMMIT_BYTES);
		if (!j->subjects) {
			mem_free(j);
			return -1;
		}
		memcpy(j->subjects, ev->subjects, ev->nsubjects * AUDIT_COMMIT_BYTES);
	}
	if (record_of(ev, &j->r)) {
		mem_free(j->subjects);
		mem_free(j);
		return -1;
	}
	j->r.subjects = (const uint8_t(*)[STORE_AUDIT_COMMIT_BYTES])j->subjects;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&a->lock);
	if (a->queued >= QUEUE_MAX || a->stop) {
		pthread_mutex_unlock(&a->lock);
		mem_free((char *)j->r.entry);
		mem_free(j->subjects);
		mem_free(j);
		return -1;
	}
	*a->tail = j;
	a->tail = &j->next;
	a->queued++;
	pthread_cond_signal(&a->work);
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int audit_checkpoint(struct audit *a, char *note, size_t notesz, uint64_t *size)
{
	int rc = -1;

	pthread_mutex_lock(&a->lock);
	if (a->has_note) {
		snprintf(note, notesz, "%s", a->note);
		*size = a->note_size;
		rc = 0;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int audit_inclusion(struct audit *a, uint64_t index, uint64_t size,
		    uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n)
{
	int rc;

	pthread_rwlock_rdlock(&a->tree_lock);
	rc = merkle_inclusion_proof(&a->tree, index, size, proof, n);
	pthread_rwlock_unlock(&a->tree_lock);
	return rc;
}

int audit_consistency(struct audit *a, uint64_t from, uint64_t to,
		      uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n)
{
	int rc;

	pthread_rwlock_rdlock(&a->tree_lock);
	rc = merkle_consistency_proof(&a->tree, from, to, proof, n);
	pthread_rwlock_unlock(&a->tree_lock);
	return rc;
}

uint64_t audit_size(struct audit *a)
{
	uint64_t n;

	pthread_rwlock_rdlock(&a->tree_lock);
	n = a->tree.size;
	pthread_rwlock_unlock(&a->tree_lock);
	return n;
}

int audit_root(struct audit *a, uint64_t size, uint8_t out[MERKLE_HASH_BYTES])
{
	int rc;

	pthread_rwlock_rdlock(&a->tree_lock);
	rc = merkle_root(&a->tree, size, out);
	pthread_rwlock_unlock(&a->tree_lock);
	return rc;
}

int audit_leaf(struct audit *a, uint64_t index, uint8_t out[MERKLE_HASH_BYTES])
{
	int rc = -1;

	pthread_rwlock_rdlock(&a->tree_lock);
	if (index < a->tree.size) {
		memcpy(out, merkle_node(&a->tree, 0, index), MERKLE_HASH_BYTES);
		rc = 0;
	}
	pthread_rwlock_unlock(&a->tree_lock);
	return rc;
}
