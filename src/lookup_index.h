/*
 * lookup_index.h - the registry's facts in memory, so that no check or
 * lookup touches the disk.
 *
 * One hash table of fixed 64-byte slots keyed by the first 32 bytes of the
 * pseudonym (pseudonyms are PRF outputs: uniform, so the key is its own
 * hash, and 256 bits do not collide).  Robin Hood linear probing keeps a
 * miss, the common case for a lookup, to a few neighbouring slots; the
 * table grows by half when it is 80% full, so it stays between 53% and 80%
 * full and costs at most 121 bytes per identifier.  Fraud types and rule
 * ids are kept as bits of a small interned table (64 fraud types, 32
 * rules); one beyond that is dropped with a warning.  Times are seconds.
 *
 * The index follows the store: lookup_index_start() loads every identifier
 * (store_identifier_scan()) and starts a thread that applies the store's
 * identifier changes after each commit (store_set_commit_hook()) and at
 * least every FOLLOW_POLL_MS for writers in other processes.
 * lookup_index_get() first waits until every write committed before it was
 * called is applied, so a client reads its own writes.
 *
 * Many threads may call lookup_index_get() at once; lookup_index_put() is
 * for one writer at a time (the follower, or a test or benchmark).
 */
#ifndef SIGNAAL_LOOKUP_INDEX_H
#define SIGNAAL_LOOKUP_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct identifier_facts;
struct lookup_index;

#define LOOKUP_INDEX_KEY_BYTES 32

/* A new, empty index; NULL when out of memory. */
struct lookup_index *lookup_index_new(void);

/* Stops following (if started) and frees the index; NULL is allowed. */
void lookup_index_free(struct lookup_index *ix);

/*
 * Sets the facts of the identifier with this 64-byte pseudonym, or removes
 * it when f is NULL.  Returns 0, or -1 when out of memory (the index is
 * unchanged then).
 */
int lookup_index_put(struct lookup_index *ix, const uint8_t *pseudonym,
		     const struct identifier_facts *f);

/*
 * Looks up n pseudonyms (64 bytes each, contiguous) under one lock:
 * found[i] says whether pseudonyms[i] is known, and out[i] then has its
 * facts.  Returns how many were found.
 */
size_t lookup_index_get(struct lookup_index *ix, const uint8_t *pseudonyms, size_t n,
			struct identifier_facts *out, bool *found);

/* Identifiers held, and bytes of memory the table takes. */
size_t lookup_index_count(struct lookup_index *ix);
size_t lookup_index_memory(struct lookup_index *ix);

/*
 * Loads the store's identifiers and follows its changes from then on.
 * Returns 0, or -1 with a message in err.  Call once, before serving.
 */
int lookup_index_start(struct lookup_index *ix, struct store *st, char *err, size_t errsz);

#endif
