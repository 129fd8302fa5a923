-- Partner organisations, their API keys, the identifier registry, partner
-- signals, rule firings and the outbox of alerts to deliver.
CREATE TABLE partners (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	sector TEXT NOT NULL,
	bank_codes TEXT NOT NULL DEFAULT '', -- comma-separated, for sector bank
	tlds TEXT NOT NULL DEFAULT '',       -- comma-separated, for sector registry
	webhook_url TEXT,
	webhook_secret TEXT,                 -- whsec_...; the file is private (0600)
	created_at TEXT NOT NULL,
	disabled_at TEXT
) STRICT;

-- Keys are shown once and kept only as a hash; the prefix names a key in lists.
CREATE TABLE partner_keys (
	id INTEGER PRIMARY KEY,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	key_hash BLOB NOT NULL UNIQUE,
	prefix TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;

-- One row per identifier (by pseudonym) that a report or signal named.
CREATE TABLE identifiers (
	pseudonym BLOB PRIMARY KEY,
	kind TEXT NOT NULL,
	sealed BLOB NOT NULL,        -- the raw value, sealed; opened only for entitled recipients
	routing TEXT NOT NULL DEFAULT '', -- bank code of an IBAN, top-level domain of a url or domain
	status TEXT NOT NULL DEFAULT 'reported'
		CHECK (status IN ('reported', 'confirmed', 'disputed', 'cleared')),
	first_seen TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	reports INTEGER NOT NULL DEFAULT 0,
	signals INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- Independence: each source (a reporter's fingerprint, or a partner) counts once.
CREATE TABLE identifier_sources (
	pseudonym BLOB NOT NULL,
	source TEXT NOT NULL,        -- 'r:<fingerprint>' or 'p:<partner id>'
	fraud_type TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	confidence INTEGER NOT NULL DEFAULT 0,
	first_at TEXT NOT NULL,
	PRIMARY KEY (pseudonym, source, fraud_type, role)
) STRICT, WITHOUT ROWID;

CREATE TABLE signals (
	id INTEGER PRIMARY KEY,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	pseudonym BLOB NOT NULL,
	kind TEXT NOT NULL,
	fraud_type TEXT NOT NULL,
	modus_operandi TEXT,
	confidence INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 100),
	tlp TEXT NOT NULL,
	scope TEXT NOT NULL DEFAULT '',  -- sectors and partner names, comma-separated
	valid_until TEXT,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX signals_pseudonym ON signals (pseudonym);

-- A rule fires once per identifier per window.
CREATE TABLE rule_firings (
	id INTEGER PRIMARY KEY,
	rule_id TEXT NOT NULL,
	pseudonym BLOB NOT NULL,
	fired_at TEXT NOT NULL,
	sources INTEGER NOT NULL,    -- independent sources that made it fire
	reason TEXT NOT NULL
) STRICT;

CREATE INDEX rule_firings_rule ON rule_firings (rule_id, pseudonym, fired_at);

-- What to deliver, written in the same transaction as what caused it.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	event TEXT NOT NULL,         -- alert, retraction, referral
	pseudonym BLOB,
	raw INTEGER NOT NULL DEFAULT 0, -- whether this recipient may see the raw value
	payload TEXT NOT NULL,       -- JSON without the raw value, added at delivery when entitled
	created_at TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	delivered_at TEXT,
	dead_at TEXT,
	last_error TEXT
) STRICT;

CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_partner ON outbox (partner_id, id);
