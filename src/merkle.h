/*
 * merkle.h - RFC 6962 Merkle trees (SHA-256) with the proofs of RFC 9162
 * section 2.1: leaf hash SHA-256(0x00 || entry), node hash
 * SHA-256(0x01 || left || right), the hash of the empty tree SHA-256("").
 *
 * A merkle_tree keeps every level in memory: level 0 holds the leaf
 * hashes, level k the hash of each complete subtree of 2^k leaves, so the
 * root of any size and any proof costs O(log n) hashes.  It only grows
 * (merkle_append()); memory is about 64 bytes a leaf.  One writer; readers
 * need the caller's lock.
 *
 * Proof verification stands alone (no tree needed), for clients and tests.
 * Functions return 0 on success and -1 on failure (bad arguments, out of
 * memory, a proof that does not verify).
 */
#ifndef SIGNAAL_MERKLE_H
#define SIGNAAL_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define MERKLE_HASH_BYTES 32
#define MERKLE_PROOF_MAX  64 /* hashes in a proof of a tree below 2^63 leaves */

void merkle_leaf_hash(uint8_t out[MERKLE_HASH_BYTES], const void *entry, size_t len);
/* SHA-256(0x01 || left || right) of children of any length (the RFC's vectors use short ones). */
void merkle_hash_children(uint8_t out[MERKLE_HASH_BYTES], const void *left, size_t left_len,
			  const void *right, size_t right_len);
void merkle_node_hash(uint8_t out[MERKLE_HASH_BYTES], const uint8_t left[MERKLE_HASH_BYTES],
		      const uint8_t right[MERKLE_HASH_BYTES]);

/*
 * Level k holds the size >> k hashes of the complete subtrees of 2^k
 * leaves, in chunks of MERKLE_CHUNK hashes: a level grows by a chunk and
 * is never copied, so a growing tree leaves no freed blocks behind it in
 * the heap (a doubling array left as much free as it held).
 */
#define MERKLE_CHUNK 1024

struct merkle_tree {
	uint64_t size;		/* leaves */
	size_t nlevels;		/* levels in use */
	uint8_t **chunk[64];	/* chunk[k][c]: hashes c * MERKLE_CHUNK ... of level k */
	size_t nchunks[64];	/* chunks allocated at level k */
	size_t chunks_room[64]; /* room in chunk[k] */
};

void merkle_init(struct merkle_tree *t);
void merkle_free(struct merkle_tree *t);

/* Hash `index` of level `level` (index < size >> level): a leaf hash at level 0. */
const uint8_t *merkle_node(const struct merkle_tree *t, size_t level, uint64_t index);

/* Bytes the tree has allocated. */
size_t merkle_memory(const struct merkle_tree *t);

/* Appends a leaf by its leaf hash. */
int merkle_append(struct merkle_tree *t, const uint8_t leaf[MERKLE_HASH_BYTES]);

/* The root of the first `size` leaves (size <= t->size). */
int merkle_root(const struct merkle_tree *t, uint64_t size, uint8_t out[MERKLE_HASH_BYTES]);

/* The inclusion proof of leaf `index` in the tree of `size` leaves; *n gets its length. */
int merkle_inclusion_proof(const struct merkle_tree *t, uint64_t index, uint64_t size,
			   uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n);

/* The consistency proof between sizes `from` and `to` (0 < from <= to <= t->size). */
int merkle_consistency_proof(const struct merkle_tree *t, uint64_t from, uint64_t to,
			     uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n);

/* RFC 9162 2.1.3.2: does `proof` show `leaf` at `index` in the tree of `size` with `root`? */
int merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH_BYTES],
			    const uint8_t (*proof)[MERKLE_HASH_BYTES], size_t n,
			    const uint8_t root[MERKLE_HASH_BYTES]);

/* RFC 9162 2.1.4.2: does `proof` show the tree `root1` of size `from` is a prefix of `root2`? */
int merkle_verify_consistency(uint64_t from, uint64_t to, const uint8_t root1[MERKLE_HASH_BYTES],
			      const uint8_t root2[MERKLE_HASH_BYTES],
			      const uint8_t (*proof)[MERKLE_HASH_BYTES], size_t n);

#endif
