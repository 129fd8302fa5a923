-- Victim reports and the cases victims control through their case code.
-- Identifiers are stored by pseudonym, their raw values only sealed; contact
-- details only sealed.  Withdrawing a report erases its personal data and
-- keeps the row (fraud type, dates, municipality) for anonymous counts.
CREATE TABLE reports (
	id INTEGER PRIMARY KEY,
	case_hash BLOB NOT NULL UNIQUE,     -- hash of the case code; the code is never stored
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn')),
	fraud_type TEXT NOT NULL,
	channels TEXT NOT NULL DEFAULT '',  -- taxonomy codes, comma-separated
	description TEXT,
	occurred_at TEXT,
	loss_cents INTEGER CHECK (loss_cents IS NULL OR loss_cents >= 0),
	currency TEXT,
	payment_method TEXT,
	victim_type TEXT,
	age_band TEXT,
	municipality TEXT,
	contact_sealed BLOB,
	language TEXT NOT NULL DEFAULT 'nl',
	consent INTEGER NOT NULL DEFAULT 0, -- bit per recipient, see report.h
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	withdrawn_at TEXT
) STRICT;

CREATE INDEX reports_created ON reports (created_at);

CREATE TABLE report_identifiers (
	id INTEGER PRIMARY KEY,
	report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	role TEXT,
	pseudonym BLOB NOT NULL,
	sealed BLOB NOT NULL,
	added_at TEXT NOT NULL
) STRICT;

CREATE INDEX report_identifiers_report ON report_identifiers (report_id);
CREATE INDEX report_identifiers_pseudonym ON report_identifiers (pseudonym);

CREATE TABLE report_additions (
	id INTEGER PRIMARY KEY,
	report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	description TEXT,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX report_additions_report ON report_additions (report_id);

-- One referral per recipient the victim consented to, with its history.
CREATE TABLE referrals (
	id INTEGER PRIMARY KEY,
	report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	recipient TEXT NOT NULL,
	status TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (report_id, recipient)
) STRICT;

CREATE TABLE referral_events (
	id INTEGER PRIMARY KEY,
	referral_id INTEGER NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	at TEXT NOT NULL
) STRICT;

CREATE INDEX referral_events_referral ON referral_events (referral_id);
