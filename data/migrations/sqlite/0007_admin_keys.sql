-- Keys for the administration API (/v1/admin/), kept like partner keys: a
-- hash and a prefix; the key itself is shown once.
CREATE TABLE admin_keys (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	key_hash BLOB NOT NULL UNIQUE,
	prefix TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;
