-- What partners say about a signal after acting on it.
CREATE TABLE signal_feedback (
	id INTEGER PRIMARY KEY,
	signal_id INTEGER NOT NULL REFERENCES signals (id),
	partner_id INTEGER NOT NULL REFERENCES partners (id),
	outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'false_positive', 'mitigated')),
	mitigation TEXT,             -- blocked, taken_down, frozen, ... for outcome mitigated
	note TEXT,
	created_at TEXT NOT NULL
) STRICT;

CREATE INDEX signal_feedback_signal ON signal_feedback (signal_id);
