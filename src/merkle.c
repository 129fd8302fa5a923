/*
 * merkle.c - RFC 6962 Merkle trees and RFC 9162 proofs (see merkle.h).
 */
#include "merkle.h"

#include <sodium.h>
#include <string.h>

#include "util/mem.h"

void merkle_leaf_hash(uint8_t out[MERKLE_HASH_BYTES], const void *entry, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, entry, len);
	crypto_hash_sha256_final(&st, out);
}

void merkle_hash_children(uint8_t out[MERKLE_HASH_BYTES], const void *left, size_t left_len,
			  const void *right, size_t right_len)
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, left, left_len);
	crypto_hash_sha256_update(&st, right, right_len);
	crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(uint8_t out[MERKLE_HASH_BYTES], const uint8_t left[MERKLE_HASH_BYTES],
		      const uint8_t right[MERKLE_HASH_BYTES])
{
	merkle_hash_children(out, left, MERKLE_HASH_BYTES, right, MERKLE_HASH_BYTES);
}

void merkle_init(struct merkle_tree *t)
{
	memset(t, 0, sizeof(*t));
}

void merkle_free(struct merkle_tree *t)
{
	for (size_t k = 0; k < 64; k++) {
		for (size_t c = 0; c < t->nchunks[k]; c++)
			mem_free(t->chunk[k][c]);
		mem_free(t->chunk[k]);
	}
	merkle_init(t);
}

const uint8_t *merkle_node(const struct merkle_tree *t, size_t level, uint64_t index)
{
	return t->chunk[level][index / MERKLE_CHUNK] + (index % MERKLE_CHUNK) * MERKLE_HASH_BYTES;
}

size_t merkle_memory(const struct merkle_tree *t)
{
	size_t bytes = 0;

	for (size_t k = 0; k < 64; k++)
		bytes += t->nchunks[k] * (size_t)MERKLE_CHUNK * MERKLE_HASH_BYTES +
			 t->chunks_room[k] * sizeof(*t->chunk[k]);
	return bytes;
}

static int level_push(struct merkle_tree *t, size_t k, const uint8_t h[MERKLE_HASH_BYTES])
{
	uint64_t i = (t->size >> k) - 1; /* this hash's index at level k */
	size_t c = (size_t)(i / MERKLE_CHUNK);

	if (c == t->nchunks[k]) {
		uint8_t *chunk;

		if (t->nchunks[k] == t->chunks_room[k]) {
			size_t room = t->chunks_room[k] ? t->chunks_room[k] * 2 : 8;
			uint8_t **p = mem_realloc(t->chunk[k], room * sizeof(*p));

			if (!p)
				return -1;
			t->chunk[k] = p;
			t->chunks_room[k] = room;
		}
		chunk = mem_alloc((size_t)MERKLE_CHUNK * MERKLE_HASH_BYTES);
		if (!chunk)
			return -1;
		t->chunk[k][t->nchunks[k]++] = chunk;
	}
	memcpy(t->chunk[k][c] + (i % MERKLE_CHUNK) * MERKLE_HASH_BYTES, h, MERKLE_HASH_BYTES);
	if (k + 1 > t->nlevels)
		t->nlevels = k + 1;
	return 0;
}

int merkle_append(struct merkle_tree *t, const uint8_t leaf[MERKLE_HASH_BYTES])
{
	uint8_t h[MERKLE_HASH_BYTES];

	if (t->size == UINT64_MAX >> 1)
		return -1;
	t->size++;
	if (level_push(t, 0, leaf)) {
		t->size--;
		return -1;
	}
	/* Each level whose count became even completes a subtree one level up. */
	memcpy(h, leaf, sizeof(h));
	for (size_t k = 0; k < 63 && ((t->size >> k) & 1) == 0; k++) {
		const uint8_t *left = merkle_node(t, k, (t->size >> k) - 2);

		merkle_node_hash(h, left, h);
		if (level_push(t, k + 1, h))
			return -1; /* the lower levels hold it; only a root past here is lost */
	}
	return 0;
}

/* The largest power of two below n (n > 1). */
static uint64_t split(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/* MTH of leaves [start, end), end > start, end <= t->size. */
static void mth(const struct merkle_tree *t, uint64_t start, uint64_t end,
		uint8_t out[MERKLE_HASH_BYTES])
{
	uint64_t n = end - start, k;
	uint8_t l[MERKLE_HASH_BYTES], r[MERKLE_HASH_BYTES];

	if ((n & (n - 1)) == 0 && start % n == 0) { /* a complete subtree: stored */
		size_t level = (size_t)__builtin_ctzll(n);

		memcpy(out, merkle_node(t, level, start >> level), MERKLE_HASH_BYTES);
		return;
	}
	k = split(n);
	mth(t, start, start + k, l);
	mth(t, start + k, end, r);
	merkle_node_hash(out, l, r);
}

int merkle_root(const struct merkle_tree *t, uint64_t size, uint8_t out[MERKLE_HASH_BYTES])
{
	if (size > t->size)
		return -1;
	if (size == 0)
		crypto_hash_sha256(out, (const uint8_t *)"", 0);
	else
		mth(t, 0, size, out);
	return 0;
}

/* RFC 6962 2.1.1 PATH(m, D[start:start+n]), deepest first, appended at *len. */
static void path(const struct merkle_tree *t, uint64_t m, uint64_t start, uint64_t n,
		 uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *len)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = split(n);
	if (m < k) {
		path(t, m, start, k, proof, len);
		mth(t, start + k, start + n, proof[(*len)++]);
	} else {
		path(t, m - k, start + k, n - k, proof, len);
		mth(t, start, start + k, proof[(*len)++]);
	}
}

int merkle_inclusion_proof(const struct merkle_tree *t, uint64_t index, uint64_t size,
			   uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n)
{
	*n = 0;
	if (index >= size || size > t->size)
		return -1;
	path(t, index, 0, size, proof, n);
	return 0;
}

/* RFC 6962 2.1.2 SUBPROOF(m, D[start:start+n], whole). */
static void subproof(const struct merkle_tree *t, uint64_t m, uint64_t start, uint64_t n, int whole,
		     uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *len)
{
	uint64_t k;

	if (m == n) {
		if (!whole)
			mth(t, start, start + n, proof[(*len)++]);
		return;
	}
	k = split(n);
	if (m <= k) {
		subproof(t, m, start, k, whole, proof, len);
		mth(t, start + k, start + n, proof[(*len)++]);
	} else {
		subproof(t, m - k, start + k, n - k, 0, proof, len);
		mth(t, start, start + k, proof[(*len)++]);
	}
}

int merkle_consistency_proof(const struct merkle_tree *t, uint64_t from, uint64_t to,
			     uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n)
{
	*n = 0;
	if (from == 0 || from > to || to > t->size)
		return -1;
	subproof(t, from, 0, to, 1, proof, n);
	return 0;
}

int merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH_BYTES],
			    const uint8_t (*proof)[MERKLE_HASH_BYTES], size_t n,
			    const uint8_t root[MERKLE_HASH_BYTES])
{
	uint64_t fn = index, sn;
	uint8_t r[MERKLE_HASH_BYTES];

	if (index >= size || n > MERKLE_PROOF_MAX)
		return -1;
	sn = size - 1;
	memcpy(r, leaf, sizeof(r));
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(r, proof[i], r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH_BYTES) == 0 ? 0 : -1;
}

int merkle_verify_consistency(uint64_t from, uint64_t to, const uint8_t root1[MERKLE_HASH_BYTES],
			      const uint8_t root2[MERKLE_HASH_BYTES],
			      const uint8_t (*proof)[MERKLE_HASH_BYTES], size_t n)
{
	uint64_t fn, sn;
	uint8_t fr[MERKLE_HASH_BYTES], sr[MERKLE_HASH_BYTES];
	size_t i = 0;

	if (from > to || n > MERKLE_PROOF_MAX)
		return -1;
	if (from == to) /* the same tree: nothing to prove, the roots must agree */
		return n == 0 && sodium_memcmp(root1, root2, MERKLE_HASH_BYTES) == 0 ? 0 : -1;
	if (from == 0) /* the empty tree is a prefix of every tree */
		return n == 0 ? 0 : -1;
	if (n == 0)
		return -1;
	/* RFC 9162 2.1.4.2; a power-of-two first tree is its own first proof node. */
	if ((from & (from - 1)) == 0) {
		memcpy(fr, root1, sizeof(fr));
	} else {
		memcpy(fr, proof[0], sizeof(fr));
		i = 1;
	}
	memcpy(sr, fr, sizeof(sr));
	fn = from - 1;
	sn = to - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(fr, proof[i], fr);
			merkle_node_hash(sr, proof[i], sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH_BYTES) == 0 &&
			       sodium_memcmp(sr, root2, MERKLE_HASH_BYTES) == 0
		       ? 0
		       : -1;
}
