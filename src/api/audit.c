/*
 * audit.c - the audit log, in public: GET /v1/audit/checkpoint (the latest
 * signed checkpoint), /v1/audit/key (the verifier key), /v1/audit/entries
 * (the entries themselves) and /v1/audit/proof/inclusion and
 * /v1/audit/proof/consistency (RFC 9162 section 2.1).  The log names people
 * and identifiers only by keyed commitments, so none of this needs a key.
 *
 * Entries and proofs come from the server's in-memory tree (audit.h): an
 * entry is listed only once the tree holds it, so every entry listed can
 * be proven.  Parameters missing, not whole numbers or contradicting each
 * other are a 400; a size beyond the log's tree is a 422.  A `start` at or
 * beyond the tree's size gives an empty list (the size says why), so that
 * a follower can poll for what is new.
 */
#include "api/api.h"

#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "store/store.h"
#include "util/mem.h"

#define ENTRIES_MAX 1000 /* entries per call */

typedef char b64_hash[sodium_base64_ENCODED_LEN(MERKLE_HASH_BYTES, sodium_base64_VARIANT_ORIGINAL)];

static json_t *hash_json(const uint8_t h[MERKLE_HASH_BYTES])
{
	b64_hash b64;

	sodium_bin2base64(b64, sizeof(b64), h, MERKLE_HASH_BYTES, sodium_base64_VARIANT_ORIGINAL);
	return json_string(b64);
}

static json_t *proof_json(const uint8_t (*proof)[MERKLE_HASH_BYTES], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, hash_json(proof[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* The log, or NULL after a 503 (a server without one). */
static struct audit *log_of(struct http_req *req, struct http_reply *rep)
{
	struct audit *a = req->app->audit;

	if (!a)
		http_reply_problem(rep, 503, "audit-unavailable", "Service unavailable",
				   "the audit log is not open", NULL);
	return a;
}

/* A required whole-number query parameter, at least `min`; -1 after a 400. */
static int param(struct http_req *req, struct http_reply *rep, const char *name, long min,
		 long *out)
{
	if (!http_query(req, name)) {
		json_t *errors = NULL;
		char detail[96];

		http_problem_field(&errors, name, "required: a whole number");
		snprintf(detail, sizeof(detail), "query parameter '%s' is required", name);
		http_reply_problem(rep, 400, "invalid-parameter", "Invalid query parameter", detail,
				   errors);
		return -1;
	}
	return http_query_long(req, rep, name, min, LONG_MAX, 0, out);
}

/* A 400 for parameters that contradict each other. */
static void bad_pair(struct http_reply *rep, const char *field, const char *message)
{
	json_t *errors = NULL;
	char detail[96];

	http_problem_field(&errors, field, message);
	snprintf(detail, sizeof(detail), "query parameter '%s' is invalid", field);
	http_reply_problem(rep, 400, "invalid-parameter", "Invalid query parameter", detail,
			   errors);
}

/* A 422 for a size the log does not have (yet). */
static void beyond_log(struct http_reply *rep, const char *field, uint64_t size)
{
	json_t *errors = NULL;
	char message[96];

	snprintf(message, sizeof(message), "larger than the log, which has %llu entries",
		 (unsigned long long)size);
	http_problem_field(&errors, field, message);
	http_reply_problem(rep, 422, "beyond-log", "Not in the log",
			   "the log does not have that many entries (yet)", errors);
}

void api_audit_checkpoint(struct http_req *req, struct http_reply *rep)
{
	struct audit *a = log_of(req, rep);
	char note[AUDIT_NOTE_MAX], *body;
	uint64_t size;

	if (!a)
		return;
	if (audit_checkpoint(a, note, sizeof(note), &size)) {
		http_reply_problem(rep, 503, "audit-unavailable", "Service unavailable",
				   "no checkpoint has been signed yet; try again shortly", NULL);
		http_reply_header(rep, "Retry-After", "1");
		return;
	}
	body = mem_strdup(note);
	if (!body) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	http_reply_take(rep, 200, "text/plain; charset=utf-8", body, strlen(body));
	http_reply_header(rep, "Cache-Control", "no-cache");
}

void api_audit_key(struct http_req *req, struct http_reply *rep)
{
	struct audit *a = log_of(req, rep);
	char vkey[AUDIT_VKEY_MAX], *body;
	size_t n;

	if (!a)
		return;
	audit_vkey(audit_keys_of(a), vkey, sizeof(vkey));
	n = strlen(vkey);
	body = mem_alloc(n + 2);
	if (!body) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	memcpy(body, vkey, n);
	memcpy(body + n, "\n", 2);
	http_reply_take(rep, 200, "text/plain; charset=utf-8", body, n + 1);
}

struct listing {
	json_t *entries;
	int bad; /* an entry that is not text, or out of memory */
};

static int list_one(void *arg, int64_t idx, const char *entry, const uint8_t *leaf)
{
	struct listing *l = arg;
	json_t *text = json_string(entry), *e;

	if (!text || !leaf) {
		json_decref(text);
		l->bad = 1;
		return 1;
	}
	e = json_pack("{s:I,s:o,s:o}", "index", (json_int_t)idx, "entry", text, "leaf_hash",
		      hash_json(leaf));
	if (!e || json_array_append_new(l->entries, e)) {
		l->bad = 1;
		return 1;
	}
	return 0;
}

void api_audit_entries(struct http_req *req, struct http_reply *rep)
{
	struct audit *a = log_of(req, rep);
	struct listing l = { 0 };
	long start, end;
	uint64_t size;
	int rc;

	if (!a || param(req, rep, "start", 0, &start) ||
	    http_query_long(req, rep, "end", 0, LONG_MAX, LONG_MAX, &end))
		return;
	if (end < start) {
		bad_pair(rep, "end", "must not be below start");
		return;
	}
	/* Only what the tree holds, so that every entry listed can be proven. */
	size = audit_size(a);
	if (end - start > ENTRIES_MAX)
		end = start + ENTRIES_MAX;
	if ((uint64_t)end > size)
		end = (long)size;
	l.entries = json_array();
	if (!l.entries) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	rc = (uint64_t)start < size ? store_audit_entries(req->app->store, start, end, list_one, &l)
				    : STORE_OK;
	if (l.bad) {
		json_decref(l.entries);
		http_reply_problem(rep, 500, "internal", "Internal server error",
				   "an entry could not be listed; the operator can run `signaal "
				   "audit verify`",
				   NULL);
		return;
	}
	if (rc) {
		json_decref(l.entries);
		api_store_error(rep, rc);
		return;
	}
	http_reply_json(rep, 200,
			json_pack("{s:o,s:I}", "entries", l.entries, "size", (json_int_t)size));
}

void api_audit_inclusion(struct http_req *req, struct http_reply *rep)
{
	struct audit *a = log_of(req, rep);
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_BYTES], leaf[MERKLE_HASH_BYTES],
		root[MERKLE_HASH_BYTES];
	long index, size;
	uint64_t tree;
	size_t n;
	json_t *p;

	if (!a || param(req, rep, "index", 0, &index) || param(req, rep, "size", 1, &size))
		return;
	if (index >= size) {
		bad_pair(rep, "index", "must be below size");
		return;
	}
	tree = audit_size(a);
	if ((uint64_t)size > tree) {
		beyond_log(rep, "size", tree);
		return;
	}
	if (audit_inclusion(a, (uint64_t)index, (uint64_t)size, proof, &n) ||
	    audit_leaf(a, (uint64_t)index, leaf) || audit_root(a, (uint64_t)size, root)) {
		api_store_error(rep, STORE_EIO);
		return;
	}
	p = proof_json((const uint8_t(*)[MERKLE_HASH_BYTES])proof, n);
	if (!p) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	http_reply_json(rep, 200,
			json_pack("{s:I,s:I,s:o,s:o,s:o}", "index", (json_int_t)index, "size",
				  (json_int_t)size, "leaf_hash", hash_json(leaf), "proof", p,
				  "root", hash_json(root)));
}

void api_audit_consistency(struct http_req *req, struct http_reply *rep)
{
	struct audit *a = log_of(req, rep);
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_BYTES];
	long from, to;
	uint64_t tree;
	size_t n;
	json_t *p;

	if (!a || param(req, rep, "from", 1, &from) || param(req, rep, "to", 1, &to))
		return;
	if (from > to) {
		bad_pair(rep, "from", "must not be above to");
		return;
	}
	tree = audit_size(a);
	if ((uint64_t)to > tree) {
		beyond_log(rep, "to", tree);
		return;
	}
	if (audit_consistency(a, (uint64_t)from, (uint64_t)to, proof, &n)) {
		api_store_error(rep, STORE_EIO);
		return;
	}
	p = proof_json((const uint8_t(*)[MERKLE_HASH_BYTES])proof, n);
	if (!p) {
		api_store_error(rep, STORE_ENOMEM);
		return;
	}
	http_reply_json(rep, 200,
			json_pack("{s:I,s:I,s:o}", "from", (json_int_t)from, "to", (json_int_t)to,
				  "proof", p));
}
