-- PostgreSQL counterpart of sqlite/0011_audit_subjects_pending.sql: the
-- subjects of entries not yet in audit_subjects, one row an entry, its
-- 16-byte commitments end to end.  The audit writer moves them into
-- audit_subjects in large batches; a data subject's request reads both.
CREATE TABLE audit_subjects_pending (
	idx BIGINT PRIMARY KEY,    -- the entry's position
	commitments BYTEA NOT NULL
		CHECK (octet_length(commitments) > 0 AND octet_length(commitments) % 16 = 0)
);
