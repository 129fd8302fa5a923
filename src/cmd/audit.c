/*
 * audit.c - `signaal audit verify`: recomputes the audit log's tree from
 * the database and checks every stored checkpoint against it.
 *
 * Entries are read in order, one at a time (never all in memory): their
 * positions must run from 0 without a gap, and each stored leaf hash must
 * be the hash of its entry's text.  The tree rebuilt from those texts must
 * then have, at each checkpoint's size, the root that checkpoint signed,
 * and the signature must verify with the log's key.  The first failure is
 * named and ends the run.
 *
 * The server may append while this runs: the entries are read in one
 * statement (one snapshot), and checkpoints signed after it began are
 * left for the next run.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cmd/cmd.h"
#include "config.h"
#include "merkle.h"
#include "store/store.h"
#include "util/mem.h"

#define WHY_MAX 512

struct verify {
	struct merkle_tree tree;
	const struct audit_keys *keys;
	int64_t limit;		/* the latest checkpoint's size when the run began; -1: none */
	int64_t checkpoints;	/* verified */
	int64_t good;		/* the size of the last checkpoint verified */
	int64_t bad_entry;	/* the entry that failed, or -1 */
	int64_t bad_checkpoint; /* the size of the checkpoint that failed, or -1 */
	int nomem;
	char why[WHY_MAX];
};

static int each_entry(void *arg, int64_t idx, const char *entry, const uint8_t *leaf)
{
	struct verify *v = arg;
	int64_t want = (int64_t)v->tree.size;
	uint8_t h[MERKLE_HASH_BYTES];

	if (idx != want) {
		v->bad_entry = want;
		snprintf(v->why, sizeof(v->why),
			 "entry %lld is missing: the next stored entry is %lld; entries were "
			 "removed",
			 (long long)want, (long long)idx);
		return 1;
	}
	merkle_leaf_hash(h, entry, strlen(entry));
	if (!leaf || sodium_memcmp(h, leaf, sizeof(h)) != 0) {
		v->bad_entry = idx;
		snprintf(v->why, sizeof(v->why),
			 "entry %lld does not match its leaf hash: it was changed after it was "
			 "written",
			 (long long)idx);
		return 1;
	}
	if (merkle_append(&v->tree, h)) {
		v->nomem = 1;
		return 1;
	}
	return 0;
}

static int each_checkpoint(void *arg, int64_t size, const uint8_t *root, const char *note)
{
	struct verify *v = arg;
	uint8_t signed_root[MERKLE_HASH_BYTES], ours[MERKLE_HASH_BYTES];
	uint64_t signed_size;
	int64_t n = (int64_t)v->tree.size;
	char err[256];

	if (v->limit < 0 || size > v->limit)
		return 0; /* signed after this run began */
	v->bad_checkpoint = size;
	if (audit_note_verify(v->keys, note, &signed_size, signed_root, err, sizeof(err))) {
		snprintf(v->why, sizeof(v->why),
			 "checkpoint of size %lld: %s (is audit_origin the one it was signed "
			 "under?)",
			 (long long)size, err);
		return 1;
	}
	if ((int64_t)signed_size != size || !root ||
	    memcmp(root, signed_root, MERKLE_HASH_BYTES) != 0) {
		snprintf(v->why, sizeof(v->why),
			 "checkpoint of size %lld: its stored size or root is not the one its "
			 "note signed",
			 (long long)size);
		return 1;
	}
	if (size > n) {
		v->bad_entry = n;
		snprintf(v->why, sizeof(v->why),
			 "checkpoint of size %lld covers entries the log no longer has: entries "
			 "%lld to %lld were removed",
			 (long long)size, (long long)n, (long long)size - 1);
		return 1;
	}
	if (merkle_root(&v->tree, (uint64_t)size, ours)) {
		v->nomem = 1;
		return 1;
	}
	if (memcmp(ours, signed_root, sizeof(ours)) != 0) {
		if (v->checkpoints > 0)
			snprintf(v->why, sizeof(v->why),
				 "checkpoint of size %lld does not match the entries: one of "
				 "entries %lld to %lld was changed after it was signed (the "
				 "checkpoint of size %lld verifies)",
				 (long long)size, (long long)v->good, (long long)size - 1,
				 (long long)v->good);
		else
			snprintf(v->why, sizeof(v->why),
				 "checkpoint of size %lld does not match the entries: one of "
				 "entries 0 to %lld was changed after it was signed",
				 (long long)size, (long long)size - 1);
		return 1;
	}
	v->bad_checkpoint = -1;
	v->good = size;
	v->checkpoints++;
	return 0;
}

static void print_json(const struct verify *v, int ok)
{
	json_t *doc = json_pack("{s:b,s:I,s:I}", "ok", ok, "entries", (json_int_t)v->tree.size,
				"checkpoints", (json_int_t)v->checkpoints);
	char *text;

	if (!doc)
		return;
	if (v->checkpoints)
		json_object_set_new(doc, "latest_checkpoint", json_integer(v->good));
	if (!ok) {
		json_object_set_new(doc, "error", json_string(v->why));
		if (v->bad_entry >= 0)
			json_object_set_new(doc, "entry", json_integer(v->bad_entry));
		if (v->bad_checkpoint >= 0)
			json_object_set_new(doc, "checkpoint", json_integer(v->bad_checkpoint));
	}
	text = json_dumps(doc, JSON_COMPACT);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(doc);
}

int cmd_audit_verify(int argc, char **argv)
{
	struct config cfg;
	struct store *st;
	struct audit_keys keys;
	struct verify v = { .limit = -1, .bad_entry = -1, .bad_checkpoint = -1 };
	char **rest = mem_calloc((size_t)argc + 1, sizeof(*rest)), err[600], note[AUDIT_NOTE_MAX];
	int nrest = 0, npos, json = 0, rc;

	if (!rest)
		return 1;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			rest[nrest++] = argv[i];
	}
	rc = cmd_setup("audit verify", &cfg, nrest, rest, NULL, 0, &npos);
	mem_free(rest);
	if (rc)
		return rc;
	if (cmd_open_store(&cfg, STORE_OPEN_EXISTING, 0, &st))
		return 1;
	if (audit_keys_load(&keys, cfg.data_dir, cfg.audit_origin, err, sizeof(err))) {
		store_close(st);
		cmd_error("%s", err);
		return 1;
	}
	v.keys = &keys;
	merkle_init(&v.tree);
	/* Checkpoints are signed after their entries are committed: read it first. */
	rc = store_audit_checkpoint_latest(st, &v.limit, note, sizeof(note));
	if (rc == STORE_ENOTFOUND) {
		v.limit = -1;
		rc = STORE_OK;
	}
	if (rc == STORE_OK)
		rc = store_audit_entries(st, 0, INT64_MAX, each_entry, &v);
	if (rc == STORE_OK)
		rc = store_audit_checkpoints(st, each_checkpoint, &v);
	store_close(st);
	audit_keys_wipe(&keys);
	if (v.nomem) {
		cmd_error("out of memory");
		rc = 1;
	} else if (v.why[0]) {
		if (json)
			print_json(&v, 0);
		cmd_error("audit log: %s", v.why);
		rc = 1;
	} else if (rc) {
		cmd_error("cannot read the audit log: %s", store_strerror(rc));
		rc = 1;
	} else if (json) {
		print_json(&v, 1);
	} else if (v.checkpoints) {
		printf("audit log: %llu entries, %lld checkpoint%s, all verified; latest "
		       "checkpoint: size %lld\n",
		       (unsigned long long)v.tree.size, (long long)v.checkpoints,
		       v.checkpoints == 1 ? "" : "s", (long long)v.good);
	} else {
		printf("audit log: %llu entries, all verified; no checkpoint yet (the server "
		       "signs one when it starts)\n",
		       (unsigned long long)v.tree.size);
	}
	merkle_free(&v.tree);
	return rc;
}
