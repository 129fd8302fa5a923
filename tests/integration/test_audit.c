/*
 * Black-box tests of the audit log: entries made through the real server
 * (partner lookups with hits), checked by a verifier written here, apart
 * from the server's code: the C2SP signed note with libsodium, the leaf
 * hashes and the tree root recomputed from the entries, and RFC 9162
 * section 2.1.3.2 and 2.1.4.2 for the proofs.  Then `signaal audit verify`
 * on the real database, and on copies of it changed behind its back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define PROOF_MAX 64

static struct server srv;
static char dir[64], data[128], key[64];
static int stopped;

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- the independent verifier ---- */

typedef uint8_t hash_t[32];

struct vkey {
	char name[128];
	uint8_t id[4];
	uint8_t pk[32];
};

static void node_hash(hash_t out, const hash_t l, const hash_t r)
{
	crypto_hash_sha256_state st;
	const uint8_t one = 0x01;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &one, 1);
	crypto_hash_sha256_update(&st, l, 32);
	crypto_hash_sha256_update(&st, r, 32);
	crypto_hash_sha256_final(&st, out);
}

static void leaf_hash(hash_t out, const char *entry, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t zero = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &zero, 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)entry, len);
	crypto_hash_sha256_final(&st, out);
}

/* RFC 6962 2.1 MTH, straight from the definition: the split is the largest power of 2 below n. */
static void mth(const hash_t *leaves, size_t n, hash_t out)
{
	size_t k = 1;
	hash_t l, r;

	if (n == 0) {
		crypto_hash_sha256(out, (const uint8_t *)"", 0);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(leaves, k, l);
	mth(leaves + k, n - k, r);
	node_hash(out, l, r);
}

/* RFC 9162 2.1.3.2. */
static int verify_inclusion(uint64_t index, uint64_t size, const hash_t leaf, const hash_t *proof,
			    size_t n, const hash_t root)
{
	uint64_t fn = index, sn = size - 1;
	hash_t r;

	if (index >= size)
		return 0;
	memcpy(r, leaf, 32);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			node_hash(r, proof[i], r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			node_hash(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(r, root, 32) == 0;
}

/* RFC 9162 2.1.4.2; equal sizes need an empty proof and equal roots. */
static int verify_consistency(uint64_t first, uint64_t second, const hash_t first_hash,
			      const hash_t second_hash, const hash_t *proof_in, size_t n_in)
{
	hash_t path[PROOF_MAX + 1], fr, sr;
	uint64_t fn, sn;
	size_t n = 0;

	if (first == 0 || first > second || n_in > PROOF_MAX)
		return 0;
	if (first == second)
		return n_in == 0 && memcmp(first_hash, second_hash, 32) == 0;
	if (n_in == 0)
		return 0;
	if ((first & (first - 1)) == 0)
		memcpy(path[n++], first_hash, 32);
	memcpy(path + n, proof_in, n_in * 32);
	n += n_in;
	fn = first - 1;
	sn = second - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, path[0], 32);
	memcpy(sr, path[0], 32);
	for (size_t i = 1; i < n; i++) {
		if (sn == 0)
			return 0;
		if ((fn & 1) || fn == sn) {
			node_hash(fr, path[i], fr);
			node_hash(sr, path[i], sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			node_hash(sr, sr, path[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(fr, first_hash, 32) == 0 && memcmp(sr, second_hash, 32) == 0;
}

static int b64_32(const char *s, size_t len, hash_t out)
{
	size_t got = 0;

	return sodium_base642bin(out, 32, s, len, NULL, &got, NULL,
				 sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       got == 32;
}

/* "<name>+<hex key ID>+<base64(0x01 || public key)>", with the key ID checked. */
static int vkey_parse(const char *text, struct vkey *k)
{
	const char *p1 = strchr(text, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
	uint8_t typed[33], h[32];
	size_t got = 0, blen;
	crypto_hash_sha256_state st;
	unsigned int id[4];

	if (!p1 || !p2 || p2 - p1 != 9 || (size_t)(p1 - text) >= sizeof(k->name))
		return 0;
	memcpy(k->name, text, (size_t)(p1 - text));
	k->name[p1 - text] = '\0';
	if (sscanf(p1 + 1, "%2x%2x%2x%2x", &id[0], &id[1], &id[2], &id[3]) != 4)
		return 0;
	for (int i = 0; i < 4; i++)
		k->id[i] = (uint8_t)id[i];
	blen = strcspn(p2 + 1, "\n");
	if (sodium_base642bin(typed, sizeof(typed), p2 + 1, blen, NULL, &got, NULL,
			      sodium_base64_VARIANT_ORIGINAL) ||
	    got != 33 || typed[0] != 0x01)
		return 0;
	memcpy(k->pk, typed + 1, 32);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)k->name, strlen(k->name));
	crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
	crypto_hash_sha256_update(&st, typed, 33);
	crypto_hash_sha256_final(&st, h);
	return memcmp(h, k->id, 4) == 0;
}

/* A C2SP checkpoint signed by k: origin, size and root, with the signature verified. */
static int note_open(const struct vkey *k, const char *note, uint64_t *size, hash_t root)
{
	const char *sep = strstr(note, "\n\n"), *line, *nl;
	char prefix[160], *end;
	uint8_t sig[68];
	size_t body, got, plen;

	if (!sep)
		return 0;
	body = (size_t)(sep - note) + 1;
	nl = strchr(note, '\n');
	if ((size_t)(nl - note) != strlen(k->name) || strncmp(note, k->name, strlen(k->name)))
		return 0;
	line = nl + 1;
	if (*line < '0' || *line > '9')
		return 0;
	*size = strtoull(line, &end, 10);
	if (*end != '\n')
		return 0;
	line = end + 1;
	nl = strchr(line, '\n');
	if (!nl || nl > sep || !b64_32(line, (size_t)(nl - line), root))
		return 0;
	snprintf(prefix, sizeof(prefix), "\xe2\x80\x94 %s ", k->name);
	plen = strlen(prefix);
	for (line = sep + 2; (nl = strchr(line, '\n')); line = nl + 1) {
		got = 0;
		if (strncmp(line, prefix, plen) != 0 ||
		    sodium_base642bin(sig, sizeof(sig), line + plen, (size_t)(nl - line) - plen,
				      NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) ||
		    got != sizeof(sig) || memcmp(sig, k->id, 4) != 0)
			continue;
		return crypto_sign_verify_detached(sig + 4, (const uint8_t *)note, body, k->pk) ==
		       0;
	}
	return 0;
}

/* ---- talking to the server ---- */

static json_t *get_json(const char *path, long want)
{
	struct response r;
	json_t *doc;

	http_do(&srv, "GET", path, NULL, NULL, 0, &r);
	if (r.status != want)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	doc = json_loadb(r.body, r.len, 0, NULL);
	if (!doc)
		fail_msg("GET %s: not JSON: %s", path, r.body);
	response_free(&r);
	return doc;
}

static char *get_text(const char *path)
{
	struct response r;
	char *text;

	http_do(&srv, "GET", path, NULL, NULL, 0, &r);
	if (r.status != 200)
		fail_msg("GET %s: %ld %s", path, r.status, r.body);
	assert_string_equal(r.content_type, "text/plain; charset=utf-8");
	text = strdup(r.body);
	response_free(&r);
	return text;
}

static void the_key(struct vkey *k)
{
	char *text = get_text("/v1/audit/key");

	assert_true(vkey_parse(text, k));
	assert_string_equal(k->name, "signaal/audit");
	free(text);
}

/* The latest checkpoint, verified; its size and root. */
static uint64_t checkpoint(const struct vkey *k, hash_t root)
{
	char *note = get_text("/v1/audit/checkpoint");
	uint64_t size = 0;

	if (!note_open(k, note, &size, root))
		fail_msg("the checkpoint does not verify:\n%s", note);
	free(note);
	return size;
}

/* Waits for a checkpoint of at least `size` entries. */
static uint64_t checkpoint_at_least(const struct vkey *k, uint64_t size, hash_t root)
{
	uint64_t got = 0;

	for (int waited = 0; waited < 15000; waited += 100) {
		got = checkpoint(k, root);
		if (got >= size)
			return got;
		sleep_ms(100);
	}
	fail_msg("no checkpoint of %llu entries after 15 s (latest: %llu)",
		 (unsigned long long)size, (unsigned long long)got);
	return 0;
}

/* n lookups of a reported IBAN: one audit entry each, committed before the answer. */
static void lookups(int n)
{
	static const char body[] = "{\"items\": [{\"kind\": \"iban\", \"value\": "
				   "\"NL91ABNA0417164300\"}, {\"kind\": \"iban\", \"value\": "
				   "\"NL02ABNA0123456789\"}]}";
	char auth[96];
	const char *h[] = { "Content-Type: application/json", auth, NULL };
	struct response r;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	for (int i = 0; i < n; i++) {
		http_do(&srv, "POST", "/v1/lookup", h, body, strlen(body), &r);
		if (r.status != 200 || !strstr(r.body, "\"known\":true"))
			fail_msg("lookup: %ld %s", r.status, r.body);
		response_free(&r);
	}
}

static size_t proof_of(json_t *arr, hash_t *out)
{
	size_t n = json_array_size(arr);

	assert_true(n <= PROOF_MAX);
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		assert_non_null(s);
		assert_true(b64_32(s, strlen(s), out[i]));
	}
	return n;
}

/* Every entry of the first `size`, read page by page; leaf hashes recomputed here. */
static hash_t *all_leaves(uint64_t size)
{
	hash_t *leaves = calloc(size ? size : 1, 32);
	uint64_t next = 0;
	char path[96];

	assert_non_null(leaves);
	while (next < size) {
		json_t *doc, *entries, *e, *parsed;
		size_t i;

		snprintf(path, sizeof(path), "/v1/audit/entries?start=%llu&end=%llu",
			 (unsigned long long)next, (unsigned long long)size);
		doc = get_json(path, 200);
		entries = json_object_get(doc, "entries");
		assert_true(json_array_size(entries) > 0);
		assert_true((uint64_t)json_integer_value(json_object_get(doc, "size")) >= size);
		json_array_foreach(entries, i, e)
		{
			const char *text = json_string_value(json_object_get(e, "entry"));
			const char *given = json_string_value(json_object_get(e, "leaf_hash"));
			hash_t h;

			assert_int_equal(json_integer_value(json_object_get(e, "index")), next);
			assert_non_null(text);
			parsed = json_loads(text, 0, NULL);
			assert_non_null(parsed); /* one JSON document */
			json_decref(parsed);
			leaf_hash(leaves[next], text, strlen(text));
			assert_true(b64_32(given, strlen(given), h));
			assert_memory_equal(h, leaves[next], 32);
			next++;
		}
		json_decref(doc);
	}
	return leaves;
}

/* ---- the tests ---- */

static int start(void **state)
{
	char *out, *err;
	const char *extra[] = { "--audit-checkpoint-interval", "1", NULL };
	const char *add[] = { "partner", "add",	     "--data-dir", data, "--name",
			      "ING",	 "--sector", "bank",	   NULL };
	const char *kc[] = { "partner", "key", "create", "--data-dir", data, "ING", NULL };
	const char *h[] = { "Content-Type: application/json", NULL };
	static const char report[] = "{\"fraud_type\": \"bank_helpdesk\", \"identifiers\": "
				     "[{\"kind\": \"iban\", \"value\": \"NL91ABNA0417164300\", "
				     "\"role\": \"beneficiary\"}]}";
	struct response r;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	temp_dir(dir, sizeof(dir));
	snprintf(data, sizeof(data), "%s/data", dir);
	assert_int_equal(run_cli(add, NULL, &out, &err), 0);
	free(out);
	free(err);
	assert_int_equal(run_cli(kc, NULL, &out, &err), 0);
	out[strcspn(out, "\n")] = '\0';
	snprintf(key, sizeof(key), "%s", out);
	free(out);
	free(err);
	server_start_in(&srv, dir, extra);
	http_do(&srv, "POST", "/v1/reports", h, report, strlen(report), &r);
	assert_int_equal(r.status, 201);
	response_free(&r);
	return 0;
}

static int stop(void **state)
{
	(void)state;
	if (!stopped)
		assert_int_equal(server_stop(&srv, SIGTERM), 0);
	server_cleanup(&srv);
	return 0;
}

/* The verifier itself: known answers, so that a broken one cannot pass the tests below. */
static void test_verifier_knows_the_tree(void **state)
{
	hash_t leaves[7], root[8], proof[PROOF_MAX];
	char e[8];

	(void)state;
	for (int i = 0; i < 7; i++) {
		snprintf(e, sizeof(e), "e%d", i);
		leaf_hash(leaves[i], e, strlen(e));
	}
	for (int n = 0; n <= 7; n++)
		mth(leaves, (size_t)n, root[n]);
	/* Size 3: the root is H(H(l0, l1), l2); leaf 2's proof is H(l0, l1). */
	node_hash(proof[0], leaves[0], leaves[1]);
	assert_true(verify_inclusion(2, 3, leaves[2], proof, 1, root[3]));
	assert_false(verify_inclusion(1, 3, leaves[2], proof, 1, root[3]));
	assert_false(verify_inclusion(2, 3, leaves[1], proof, 1, root[3]));
	assert_false(verify_inclusion(2, 4, leaves[2], proof, 1, root[3]));
	/* Leaf 0 of 3: [l1, l2]. */
	memcpy(proof[0], leaves[1], 32);
	memcpy(proof[1], leaves[2], 32);
	assert_true(verify_inclusion(0, 3, leaves[0], proof, 2, root[3]));
	assert_false(verify_inclusion(0, 3, leaves[0], proof, 1, root[3]));
	/* Consistency 2 -> 3: [l2] (2 is a power of two, so root[2] is implied). */
	memcpy(proof[0], leaves[2], 32);
	assert_true(verify_consistency(2, 3, root[2], root[3], proof, 1));
	assert_false(verify_consistency(2, 3, root[3], root[2], proof, 1));
	assert_false(verify_consistency(2, 3, root[2], root[3], proof, 0));
	/* Consistency 3 -> 4: [l2, l3, H(l0, l1)]. */
	{
		hash_t l3;

		leaf_hash(l3, "x", 1);
		hash_t four[4];
		memcpy(four, leaves, 3 * 32);
		memcpy(four[3], l3, 32);
		mth(four, 4, root[4]);
		memcpy(proof[0], leaves[2], 32);
		memcpy(proof[1], l3, 32);
		node_hash(proof[2], leaves[0], leaves[1]);
		assert_true(verify_consistency(3, 4, root[3], root[4], proof, 3));
		proof[1][0] ^= 1;
		assert_false(verify_consistency(3, 4, root[3], root[4], proof, 3));
	}
	assert_true(verify_consistency(5, 5, root[5], root[5], proof, 0));
	assert_false(verify_consistency(5, 5, root[5], root[6], proof, 0));
}

/* A checkpoint verifies with the published key, and nothing else does. */
static void test_checkpoint_verifies_with_published_key(void **state)
{
	struct vkey k, other;
	struct response r;
	hash_t root;
	uint64_t size;
	char *note, *bad;

	(void)state;
	the_key(&k);
	lookups(1);
	size = checkpoint_at_least(&k, 2, root); /* rules.loaded and the lookup */
	assert_true(size >= 2);

	http_do(&srv, "GET", "/v1/audit/checkpoint", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.cache_control, "no-cache");
	note = strdup(r.body);
	response_free(&r);
	assert_true(note_open(&k, note, &size, root));
	assert_int_equal(strncmp(note, "signaal/audit\n", 14), 0);

	/* Another size, another root, another signature, another key: refused. */
	bad = strdup(note);
	bad[strlen("signaal/audit\n")] ^= 1; /* the size's first digit */
	assert_false(note_open(&k, bad, &size, root));
	memcpy(bad, note, strlen(note) + 1);
	{
		char *c = strchr(strchr(bad, '\n') + 1, '\n') + 3; /* in the root */

		*c = *c == 'A' ? 'B' : 'A';
	}
	assert_false(note_open(&k, bad, &size, root));
	memcpy(bad, note, strlen(note) + 1);
	bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
	assert_false(note_open(&k, bad, &size, root));
	other = k;
	other.pk[0] ^= 1;
	assert_false(note_open(&other, note, &size, root));
	other = k;
	snprintf(other.name, sizeof(other.name), "signaal/other");
	assert_false(note_open(&other, note, &size, root));
	assert_false(vkey_parse("signaal/audit+00000000+AQ==", &other));
	free(bad);
	free(note);
}

/* Every entry is in the signed tree: leaf hash, root and inclusion proof, all checked here. */
static void test_every_entry_is_in_the_signed_tree(void **state)
{
	struct vkey k;
	hash_t root, ours, given, proof[PROOF_MAX], *leaves;
	uint64_t size;
	char path[96];

	(void)state;
	the_key(&k);
	lookups(6);
	size = checkpoint_at_least(&k, 8, root);
	leaves = all_leaves(size);
	mth(leaves, size, ours);
	assert_memory_equal(ours, root, 32); /* the tree of the entries as published */

	for (uint64_t i = 0; i < size; i++) {
		json_t *doc;
		size_t n;
		const char *s;

		snprintf(path, sizeof(path), "/v1/audit/proof/inclusion?index=%llu&size=%llu",
			 (unsigned long long)i, (unsigned long long)size);
		doc = get_json(path, 200);
		assert_int_equal(json_integer_value(json_object_get(doc, "index")), i);
		assert_int_equal(json_integer_value(json_object_get(doc, "size")), size);
		s = json_string_value(json_object_get(doc, "root"));
		assert_true(b64_32(s, strlen(s), given));
		assert_memory_equal(given, root, 32);
		s = json_string_value(json_object_get(doc, "leaf_hash"));
		assert_true(b64_32(s, strlen(s), given));
		assert_memory_equal(given, leaves[i], 32);
		n = proof_of(json_object_get(doc, "proof"), proof);
		json_decref(doc);
		assert_true(verify_inclusion(i, size, leaves[i], proof, n, root));

		/* Tampered: a proof hash, the leaf, the index, the root, a shortened proof. */
		given[0] = leaves[i][0] ^ 1;
		memcpy(given + 1, leaves[i] + 1, 31);
		assert_false(verify_inclusion(i, size, given, proof, n, root));
		/* (Equal entries, such as two lookups alike in the same second, have equal leaves.) */
		if ((i ^ 1) < size && memcmp(leaves[i], leaves[i ^ 1], 32) != 0)
			assert_false(verify_inclusion(i ^ 1, size, leaves[i], proof, n, root));
		memcpy(given, root, 32);
		given[i % 32] ^= 0x40;
		assert_false(verify_inclusion(i, size, leaves[i], proof, n, given));
		if (n > 0) {
			assert_false(verify_inclusion(i, size, leaves[i], proof, n - 1, root));
			proof[n - 1][31] ^= 0x80;
			assert_false(verify_inclusion(i, size, leaves[i], proof, n, root));
		}
	}
	/* Another root does not verify (the root is the checkpoint's). */
	snprintf(path, sizeof(path), "/v1/audit/proof/inclusion?index=0&size=%llu",
		 (unsigned long long)size);
	{
		json_t *doc = get_json(path, 200);
		size_t n = proof_of(json_object_get(doc, "proof"), proof);

		json_decref(doc);
		ours[5] ^= 0x10;
		assert_false(verify_inclusion(0, size, leaves[0], proof, n, ours));
	}
	free(leaves);
}

/* Two checkpoints apart: the later tree extends the earlier, by the proof and by the entries. */
static void test_checkpoints_are_consistent(void **state)
{
	struct vkey k;
	hash_t r1, r2, proof[PROOF_MAX], *leaves, rm;
	uint64_t s1, s2;
	char path[96];
	json_t *doc;
	size_t n;

	(void)state;
	the_key(&k);
	s1 = checkpoint_at_least(&k, 1, r1);
	lookups(5);
	s2 = checkpoint_at_least(&k, s1 + 5, r2);

	snprintf(path, sizeof(path), "/v1/audit/proof/consistency?from=%llu&to=%llu",
		 (unsigned long long)s1, (unsigned long long)s2);
	doc = get_json(path, 200);
	assert_int_equal(json_integer_value(json_object_get(doc, "from")), s1);
	assert_int_equal(json_integer_value(json_object_get(doc, "to")), s2);
	n = proof_of(json_object_get(doc, "proof"), proof);
	json_decref(doc);
	assert_true(verify_consistency(s1, s2, r1, r2, proof, n));
	assert_false(verify_consistency(s1, s2, r2, r1, proof, n));
	assert_false(verify_consistency(s1 + 1, s2, r1, r2, proof, n));
	for (size_t i = 0; i < n; i++) {
		proof[i][i % 32] ^= 4;
		assert_false(verify_consistency(s1, s2, r1, r2, proof, n));
		proof[i][i % 32] ^= 4;
	}
	if (n > 0)
		assert_false(verify_consistency(s1, s2, r1, r2, proof, n - 1));

	/* Every earlier size against the later checkpoint, with roots computed here. */
	leaves = all_leaves(s2);
	for (uint64_t m = 1; m <= s2; m++) {
		snprintf(path, sizeof(path), "/v1/audit/proof/consistency?from=%llu&to=%llu",
			 (unsigned long long)m, (unsigned long long)s2);
		doc = get_json(path, 200);
		n = proof_of(json_object_get(doc, "proof"), proof);
		json_decref(doc);
		mth(leaves, m, rm);
		assert_true(verify_consistency(m, s2, rm, r2, proof, n));
		rm[0] ^= 1;
		assert_false(verify_consistency(m, s2, rm, r2, proof, n));
	}
	mth(leaves, s1, rm);
	assert_memory_equal(rm, r1, 32);
	free(leaves);
}

static void expect_problem(const char *path, long status, const char *field)
{
	struct response r;
	json_t *doc;

	http_do(&srv, "GET", path, NULL, NULL, 0, &r);
	if (r.status != status)
		fail_msg("GET %s: %ld, expected %ld: %s", path, r.status, status, r.body);
	assert_string_equal(r.content_type, "application/problem+json");
	doc = json_loadb(r.body, r.len, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "status")), status);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(doc, "errors"), 0), "field")),
			    field);
	json_decref(doc);
	response_free(&r);
}

static void test_bad_parameters(void **state)
{
	json_t *doc;
	uint64_t size;
	char path[96];

	(void)state;
	expect_problem("/v1/audit/entries", 400, "start");
	expect_problem("/v1/audit/entries?start=", 400, "start");
	expect_problem("/v1/audit/entries?start=-1", 400, "start");
	expect_problem("/v1/audit/entries?start=abc", 400, "start");
	expect_problem("/v1/audit/entries?start=1x", 400, "start");
	expect_problem("/v1/audit/entries?start=99999999999999999999", 400, "start");
	expect_problem("/v1/audit/entries?start=0&end=-3", 400, "end");
	expect_problem("/v1/audit/entries?start=5&end=2", 400, "end");
	expect_problem("/v1/audit/proof/inclusion?size=3", 400, "index");
	expect_problem("/v1/audit/proof/inclusion?index=0", 400, "size");
	expect_problem("/v1/audit/proof/inclusion?index=0&size=0", 400, "size");
	expect_problem("/v1/audit/proof/inclusion?index=-1&size=3", 400, "index");
	expect_problem("/v1/audit/proof/inclusion?index=3&size=3", 400, "index");
	expect_problem("/v1/audit/proof/inclusion?index=0&size=99999999", 422, "size");
	expect_problem("/v1/audit/proof/consistency?to=3", 400, "from");
	expect_problem("/v1/audit/proof/consistency?from=0&to=3", 400, "from");
	expect_problem("/v1/audit/proof/consistency?from=3&to=x", 400, "to");
	expect_problem("/v1/audit/proof/consistency?from=3&to=2", 400, "from");
	expect_problem("/v1/audit/proof/consistency?from=1&to=99999999", 422, "to");

	/* A start at the end is an empty page, not an error; `end` is capped at the size. */
	doc = get_json("/v1/audit/entries?start=0&end=99999999", 200);
	size = (uint64_t)json_integer_value(json_object_get(doc, "size"));
	assert_true(size >= 2);
	assert_int_equal(json_array_size(json_object_get(doc, "entries")), size);
	json_decref(doc);
	snprintf(path, sizeof(path), "/v1/audit/entries?start=%llu", (unsigned long long)size);
	doc = get_json(path, 200);
	assert_int_equal(json_array_size(json_object_get(doc, "entries")), 0);
	json_decref(doc);
	doc = get_json("/v1/audit/entries?start=1&end=2", 200);
	assert_int_equal(json_array_size(json_object_get(doc, "entries")), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(doc, "entries"), 0), "index")),
			 1);
	json_decref(doc);
	/* From equal to `to`: an empty proof. */
	snprintf(path, sizeof(path), "/v1/audit/proof/consistency?from=%llu&to=%llu",
		 (unsigned long long)size, (unsigned long long)size);
	doc = get_json(path, 200);
	assert_int_equal(json_array_size(json_object_get(doc, "proof")), 0);
	json_decref(doc);
}

/* ---- `signaal audit verify` against the database ---- */

static int verify(char **out, char **err, int json)
{
	const char *argv[] = { "audit", "verify", "--data-dir", data, json ? "--json" : NULL, NULL };

	return run_cli(argv, NULL, out, err);
}

static void verify_ok(void)
{
	char *out, *err;
	int rc = verify(&out, &err, 0);

	if (rc != 0 || !strstr(out, "all verified"))
		fail_msg("audit verify: exit %d: %s%s", rc, out, err);
	free(out);
	free(err);
}

/* Runs verify, expecting exit 1 and `want` in its error line; --json names `entry`. */
static void verify_fails(const char *want, long entry)
{
	char *out, *err;
	int rc = verify(&out, &err, 0);

	if (rc != 1 || !strstr(err, want))
		fail_msg("audit verify: exit %d, expected 1 with '%s': %s%s", rc, want, out, err);
	assert_int_equal(strncmp(err, "signaal: audit log: ", 20), 0);
	assert_non_null(strchr(err, '\n'));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1); /* one line */
	free(out);
	free(err);
	if (entry >= 0) {
		json_t *doc;

		assert_int_equal(verify(&out, &err, 1), 1);
		doc = json_loads(out, 0, NULL);
		assert_non_null(doc);
		assert_true(json_is_false(json_object_get(doc, "ok")));
		assert_int_equal(json_integer_value(json_object_get(doc, "entry")), entry);
		json_decref(doc);
		free(out);
		free(err);
	}
}

/*
 * Runs `q` on the database behind the server's back, on whichever backend
 * is under test; 0 with the first column of the first row (if any) in
 * text, or -1 with the database's error message in text if it refused.
 */
static int db_query(const char *q, char *text, size_t textsz)
{
	char path[256];
	int rc = 0;

	text[0] = '\0';
	if (harness_pg()) {
		PGconn *c = PQconnectdb(harness_store_url(dir, path, sizeof(path)));
		PGresult *r;

		if (PQstatus(c) != CONNECTION_OK)
			fail_msg("cannot connect to %s: %s", path, PQerrorMessage(c));
		r = PQexec(c, q);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			snprintf(text, textsz, "%s", PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != PGRES_COMMAND_OK &&
			 PQresultStatus(r) != PGRES_TUPLES_OK) {
			snprintf(text, textsz, "%s", PQerrorMessage(c));
			rc = -1;
		}
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		sqlite3_stmt *st;
		int step;

		snprintf(path, sizeof(path), "%s/signaal.db", data);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
		step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			snprintf(text, textsz, "%s", (const char *)sqlite3_column_text(st, 0));
		else if (step != SQLITE_DONE) {
			snprintf(text, textsz, "%s", sqlite3_errmsg(db));
			rc = -1;
		}
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return rc;
}

/* Runs the statements fmt gives on the database; returns the rows changed. */
static long sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static long sql(const char *fmt, ...)
{
	char q[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	return db_exec_dir(dir, q);
}

static long long sql_int(const char *q)
{
	return db_count(&srv, q);
}

static void test_verify_names_what_was_changed(void **state)
{
	char want[200], text[4096], hex[65], q[256];
	long long k, n, cp_after, cp_before;

	(void)state;
	verify_ok(); /* while the server runs */
	stopped = 1;
	assert_int_equal(server_stop(&srv, SIGTERM), 0);
	verify_ok();

	n = sql_int("SELECT count(*) FROM audit_entries");
	assert_true(n >= 10);
	k = n / 2;
	assert_int_equal(sql_int("SELECT count(*) FROM audit_checkpoints WHERE size = (SELECT "
				 "count(*) FROM audit_entries)"),
			 1); /* the last one, signed on the way out */
	/* The triggers refuse changes until they are dropped (by the owner, on PostgreSQL). */
	assert_int_equal(db_query("UPDATE audit_entries SET entry = entry || ' ' WHERE idx = 1",
				  text, sizeof(text)),
			 -1);
	assert_non_null(strstr(text, "append-only"));
	assert_int_equal(db_query("DELETE FROM audit_entries WHERE idx = 1", text, sizeof(text)),
			 -1);
	assert_non_null(strstr(text, "append-only"));
	assert_int_equal(sql_int("SELECT count(*) FROM audit_entries"), n);
	if (harness_pg())
		sql("DROP TRIGGER audit_entries_no_update ON audit_entries; "
		    "DROP TRIGGER audit_entries_no_delete ON audit_entries");
	else
		sql("DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete");
	sql("CREATE TABLE saved AS SELECT * FROM audit_entries");

	/* One entry's text changed: named by its leaf hash. */
	assert_int_equal(sql("UPDATE audit_entries SET entry = replace(entry, '\"hits\":1', "
			     "'\"hits\":0') WHERE idx = %lld",
			     k),
			 1);
	snprintf(want, sizeof(want),
		 "entry %lld does not match its leaf hash: it was changed after it was written", k);
	verify_fails(want, k);
	sql("UPDATE audit_entries SET entry = (SELECT entry FROM saved WHERE idx = %lld) "
	    "WHERE idx = %lld",
	    k, k);
	verify_ok();

	/* One entry removed: named as missing. */
	sql("DELETE FROM audit_entries WHERE idx = %lld", k);
	snprintf(want, sizeof(want), "entry %lld is missing", k);
	verify_fails(want, k);
	sql("INSERT INTO audit_entries SELECT * FROM saved WHERE idx = %lld", k);
	verify_ok();

	/* Text and leaf hash changed together: the checkpoints after it no longer match. */
	sql("UPDATE audit_entries SET entry = replace(entry, '\"hits\":1', '\"hits\":0') "
	    "WHERE idx = %lld",
	    k);
	{
		uint8_t leaf[32];

		snprintf(q, sizeof(q), "SELECT entry FROM audit_entries WHERE idx = %lld", k);
		assert_int_equal(db_query(q, text, sizeof(text)), 0);
		assert_true(text[0] != '\0' && strlen(text) < sizeof(text) - 1);
		leaf_hash(leaf, text, strlen(text));
		sodium_bin2hex(hex, sizeof(hex), leaf, sizeof(leaf));
		if (harness_pg())
			assert_int_equal(sql("UPDATE audit_entries SET leaf = '\\x%s'::bytea WHERE "
					     "idx = %lld",
					     hex, k),
					 1);
		else
			assert_int_equal(
				sql("UPDATE audit_entries SET leaf = X'%s' WHERE idx = %lld", hex,
				    k),
				1);
	}
	snprintf(want, sizeof(want), "SELECT min(size) FROM audit_checkpoints WHERE size > %lld",
		 k);
	cp_after = sql_int(want);
	snprintf(want, sizeof(want),
		 "SELECT coalesce(max(size), 0) FROM audit_checkpoints WHERE size <= %lld", k);
	cp_before = sql_int(want);
	assert_true(cp_after > k && cp_before >= 0 && cp_before <= k);
	snprintf(want, sizeof(want),
		 "checkpoint of size %lld does not match the entries: one of entries %lld to "
		 "%lld was changed after it was signed",
		 cp_after, cp_before, cp_after - 1);
	verify_fails(want, -1);
	sql("UPDATE audit_entries SET entry = (SELECT entry FROM saved WHERE idx = %lld), "
	    "leaf = (SELECT leaf FROM saved WHERE idx = %lld) WHERE idx = %lld",
	    k, k, k);
	verify_ok();

	/* The last entries removed: the last checkpoint covers them still. */
	sql("DELETE FROM audit_entries WHERE idx >= %lld", n - 2);
	snprintf(want, sizeof(want), "SELECT min(size) FROM audit_checkpoints WHERE size > %lld",
		 n - 2);
	cp_after = sql_int(want);
	snprintf(want, sizeof(want),
		 "checkpoint of size %lld covers entries the log no longer has: entries %lld to "
		 "%lld were removed",
		 cp_after, n - 2, cp_after - 1);
	verify_fails(want, n - 2);
	sql("INSERT INTO audit_entries SELECT * FROM saved WHERE idx >= %lld", n - 2);
	verify_ok();

	/* A checkpoint's note changed: its signature fails. */
	sql("CREATE TABLE saved_cp AS SELECT * FROM audit_checkpoints");
	assert_int_equal(sql("UPDATE audit_checkpoints SET note = replace(note, '\n%lld\n', "
			     "'\n%lld\n') WHERE size = %lld",
			     cp_after, cp_after + 1, cp_after),
			 1);
	snprintf(want, sizeof(want),
		 "checkpoint of size %lld: the checkpoint's signature does not verify", cp_after);
	verify_fails(want, -1);
	sql("UPDATE audit_checkpoints SET note = (SELECT note FROM saved_cp WHERE size = %lld) "
	    "WHERE size = %lld",
	    cp_after, cp_after);
	verify_ok();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verifier_knows_the_tree),
		cmocka_unit_test(test_checkpoint_verifies_with_published_key),
		cmocka_unit_test(test_every_entry_is_in_the_signed_tree),
		cmocka_unit_test(test_checkpoints_are_consistent),
		cmocka_unit_test(test_bad_parameters),
		cmocka_unit_test(test_verify_names_what_was_changed),
	};

	return cmocka_run_group_tests(tests, start, stop);
}
