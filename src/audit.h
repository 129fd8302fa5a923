/*
 * audit.h - the audit log: every disclosure and every administrative act,
 * appended to an RFC 6962 Merkle tree whose signed checkpoints anyone can
 * check.
 *
 * An entry is one line of JSON, hashed as it is stored:
 *
 *	{"at":"2026-11-23T21:00:00Z","actor":"partner:ING","act":"lookup.hit",
 *	 "ref":"...","subjects":["<base64url>",...],"detail":{...}}
 *
 * It names identifiers and cases only by keyed commitments (the first 16
 * bytes of BLAKE2b keyed with a key derived from the audit key file), so
 * the log can be published and a person's data erased without touching
 * it; only the server can compute a commitment, to find what names it.
 *
 * Checkpoints are C2SP signed notes (tlog-checkpoint):
 *
 *	<origin>\n<tree size>\n<base64 root hash>\n\n— <origin> <base64(key ID || Ed25519 signature)>\n
 *
 * with the key ID the first 4 bytes of SHA-256(origin || 0x0A || 0x01 ||
 * public key), and the verifier key "<origin>+<hex key ID>+<base64(0x01 ||
 * public key)>".  The signing key is derived from the audit key file too.
 *
 * In the server, a writer thread appends queued events in one transaction
 * per batch, follows the table (entries appended by commands in other
 * processes too) into an in-memory tree, and signs a checkpoint every
 * audit_checkpoint_interval seconds while entries arrive.
 */
#ifndef SIGNAAL_AUDIT_H
#define SIGNAAL_AUDIT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

struct store;
struct config;

#define AUDIT_COMMIT_BYTES 16
#define AUDIT_NAME_MAX	   128
#define AUDIT_NOTE_MAX	   512
#define AUDIT_VKEY_MAX	   256

struct audit_keys {
	char origin[AUDIT_NAME_MAX];
	uint8_t key_id[4];
	uint8_t pk[32], sk[64]; /* Ed25519 */
	uint8_t commit_key[32];
};

/* Derives the keys from DATA_DIR/keys/audit.key; 0, or -1 with err.  Wipe with audit_keys_wipe(). */
int audit_keys_load(struct audit_keys *k, const char *data_dir, const char *origin, char *err,
		    size_t errsz);
void audit_keys_wipe(struct audit_keys *k);

/* The verifier key in note format. */
void audit_vkey(const struct audit_keys *k, char *out, size_t outsz);

/* Commitments to an identifier (its 64-byte pseudonym) and to a case (its code's hash). */
void audit_commit_identifier(const struct audit_keys *k, const uint8_t *pseudonym,
			     uint8_t out[AUDIT_COMMIT_BYTES]);
void audit_commit_case(const struct audit_keys *k, const uint8_t *hash, size_t len,
		       uint8_t out[AUDIT_COMMIT_BYTES]);

/* What happened.  Nothing here may be personal data: use commitments. */
struct audit_event {
	const char *actor; /* "partner:<name>", "admin:<name>", "operator", "server" */
	const char *act;   /* "lookup.hit", "alert.delivered", "partner.added", ... */
	const char *ref;   /* a rule, reason or channel; may be NULL */
	const uint8_t (*subjects)[AUDIT_COMMIT_BYTES];
	size_t nsubjects;
	json_t *detail; /* counts and the like, borrowed; may be NULL */
};

/* The entry text of an event at `now`; mem_free it.  NULL when out of memory. */
char *audit_entry_text(const struct audit_event *ev, const char *now);

/* Appends one event at once, in its own transaction (for commands).  0, or a STORE_E* code. */
int audit_append_now(struct store *st, const struct audit_event *ev);

/* A signed checkpoint of the tree of `size` leaves with `root`, into out. */
int audit_note_sign(const struct audit_keys *k, uint64_t size, const uint8_t root[32], char *out,
		    size_t outsz);

/*
 * Checks a note against the key: its signature line by this key, and the
 * checkpoint's origin; gives its size and root.  0, or -1 with why in err.
 */
int audit_note_verify(const struct audit_keys *k, const char *note, uint64_t *size,
		      uint8_t root[32], char *err, size_t errsz);

/* ---- the server's log ---- */

struct audit;

/*
 * Loads the tree, signs a first checkpoint if none covers it, starts the
 * writer: a checkpoint every interval_s seconds while entries arrive, the
 * subjects of new entries into their index every index_interval_s.
 */
struct audit *audit_start(struct store *st, const struct audit_keys *keys, int interval_s,
			  int index_interval_s, char *err, size_t errsz);

/* Writes what is queued, signs a last checkpoint, stops; frees a. */
void audit_stop(struct audit *a);

/*
 * Queues an event; `done` (may be NULL) is called from the writer thread
 * once it is committed (rc 0) or failed.  Returns 0, or -1 when the queue
 * is full or memory is out (then `done` is not called).
 */
typedef void (*audit_done_fn)(void *arg, int rc);
int audit_record(struct audit *a, const struct audit_event *ev, audit_done_fn done, void *arg);

const struct audit_keys *audit_keys_of(const struct audit *a);

/* The latest checkpoint; -1 if there is none yet. */
int audit_checkpoint(struct audit *a, char *note, size_t notesz, uint64_t *size);

/* Proofs from the in-memory tree; -1 for sizes or indexes it does not have. */
int audit_inclusion(struct audit *a, uint64_t index, uint64_t size,
		    uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n);
int audit_consistency(struct audit *a, uint64_t from, uint64_t to,
		      uint8_t (*proof)[MERKLE_HASH_BYTES], size_t *n);
uint64_t audit_size(struct audit *a);

/* The root of the first `size` leaves, and the leaf hash at `index`; -1 beyond the tree. */
int audit_root(struct audit *a, uint64_t size, uint8_t out[MERKLE_HASH_BYTES]);
int audit_leaf(struct audit *a, uint64_t index, uint8_t out[MERKLE_HASH_BYTES]);

#endif
