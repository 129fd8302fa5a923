-- The audit log: an append-only Merkle tree (RFC 6962) of what was
-- disclosed to whom and of every administrative act.  `entry` is the exact
-- text hashed into the leaf; it names people and identifiers only by keyed
-- commitments, so that it can be published and still erased from nothing.
CREATE TABLE audit_entries (
	idx INTEGER PRIMARY KEY,   -- the leaf's position, from 0
	entry TEXT NOT NULL,
	leaf BLOB NOT NULL         -- SHA-256(0x00 || entry)
) STRICT;

-- Which entries name a commitment, for a data subject's request.
CREATE TABLE audit_subjects (
	commitment BLOB NOT NULL,
	idx INTEGER NOT NULL,
	PRIMARY KEY (commitment, idx)
) STRICT, WITHOUT ROWID;

-- Signed checkpoints (C2SP signed note), each of the tree at `size`.
CREATE TABLE audit_checkpoints (
	size INTEGER PRIMARY KEY,
	root BLOB NOT NULL,
	note TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- Append-only, here too: a change has to drop these first, and `signaal
-- audit verify` still names the entry it changed.
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
	SELECT RAISE(ABORT, 'the audit log is append-only');
END;
