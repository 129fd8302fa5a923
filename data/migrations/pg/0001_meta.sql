-- Facts about this instance of Signaal (its identity, when it was created).
-- PostgreSQL counterpart of sqlite/0001_meta.sql.  Conventions of every file
-- here: INTEGER PRIMARY KEY becomes a BIGINT identity, BLOB bytea; times
-- stay text ('YYYY-MM-DDTHH:MM:SSZ', compared as strings); every text
-- column is COLLATE "C", so that comparisons and ORDER BY are bytewise as
-- in SQLite whatever the database's locale.
CREATE TABLE meta (
	key TEXT COLLATE "C" PRIMARY KEY NOT NULL,
	value TEXT COLLATE "C" NOT NULL,
	updated_at TEXT COLLATE "C" NOT NULL
		DEFAULT (to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
);
