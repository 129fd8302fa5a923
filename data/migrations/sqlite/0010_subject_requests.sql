-- Requests of data subjects: access (is this identifier of mine listed, and
-- who received it?) and objection (take it down).  The person gets a
-- random request code once; only its hash is kept.  The identifier is kept
-- by pseudonym; its value, the contact address and the objection's text
-- are kept only sealed together (XChaCha20-Poly1305, the pseudonym as
-- associated data), opened for the operator who works the request.
CREATE TABLE subject_requests (
	id INTEGER PRIMARY KEY,
	code_hash BLOB NOT NULL UNIQUE,
	type TEXT NOT NULL CHECK (type IN ('access', 'objection')),
	kind TEXT NOT NULL,
	pseudonym BLOB NOT NULL,
	sealed BLOB NOT NULL,        -- {"value", "contact", "reason"}, sealed
	language TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
	status TEXT NOT NULL DEFAULT 'received'
		CHECK (status IN ('received', 'answered', 'upheld', 'rejected')),
	-- An objection that disputed the identifier: the status it had before,
	-- which a rejection gives back.  NULL when the objection changed nothing.
	prior_status TEXT CHECK (prior_status IN ('reported', 'confirmed')),
	answer TEXT,                 -- access: what the person is told, once answered
	decision_reason TEXT,        -- objection: why it was upheld or rejected
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX subject_requests_pseudonym ON subject_requests (pseudonym);
CREATE INDEX subject_requests_status ON subject_requests (status, id);
