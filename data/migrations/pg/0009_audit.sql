-- The audit log: an append-only Merkle tree (RFC 6962) of what was
-- disclosed to whom and of every administrative act.  `entry` is the exact
-- text hashed into the leaf; it names people and identifiers only by keyed
-- commitments, so that it can be published and still erased from nothing.
-- PostgreSQL counterpart of sqlite/0009_audit.sql.  `idx` and `size` are
-- given by the program (the next position, the tree's size), so they are
-- plain keys, not identities.
CREATE TABLE audit_entries (
	idx BIGINT PRIMARY KEY,    -- the leaf's position, from 0
	entry TEXT COLLATE "C" NOT NULL,
	leaf BYTEA NOT NULL        -- SHA-256(0x00 || entry)
);

-- Which entries name a commitment, for a data subject's request.
CREATE TABLE audit_subjects (
	commitment BYTEA NOT NULL,
	idx BIGINT NOT NULL,
	PRIMARY KEY (commitment, idx)
);

-- Signed checkpoints (C2SP signed note), each of the tree at `size`.
CREATE TABLE audit_checkpoints (
	size BIGINT PRIMARY KEY,
	root BYTEA NOT NULL,
	note TEXT COLLATE "C" NOT NULL,
	created_at TEXT COLLATE "C" NOT NULL
);

-- Append-only, here too: a change has to drop these first, and `signaal
-- audit verify` still names the entry it changed.  TRUNCATE skips row
-- triggers in PostgreSQL, so it has its own.  The error aborts the
-- transaction (SQLSTATE 23001, a constraint error like SQLite's).
CREATE FUNCTION audit_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
	FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
	FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();

CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
	FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
