-- The subjects of entries not yet in audit_subjects: one row an entry, its
-- commitments end to end.  An answer that discloses waits only for this
-- append at the end of a table; the audit writer moves the rows into
-- audit_subjects in large batches behind it (one leaf page written for many
-- subjects instead of one a subject), and a data subject's request reads
-- both tables, so that every entry is found in exactly one of them.
CREATE TABLE audit_subjects_pending (
	idx INTEGER PRIMARY KEY,   -- the entry's position
	commitments BLOB NOT NULL
		CHECK (length(commitments) > 0 AND length(commitments) % 16 = 0)
) STRICT;
