-- Every change to what the registry knows about an identifier, in commit
-- order, so that the in-memory lookup index can follow the writes: it reads
-- the changes after the last one it applied and loads those identifiers
-- again.  Triggers write the rows, so no code path can forget one.
-- AUTOINCREMENT: a sequence number is never used twice, even after pruning.
CREATE TABLE identifier_changes (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	pseudonym BLOB NOT NULL
) STRICT;

CREATE TRIGGER identifiers_changed_insert AFTER INSERT ON identifiers
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (NEW.pseudonym);
END;

CREATE TRIGGER identifiers_changed_update
AFTER UPDATE OF status, first_seen, last_seen, reports, signals ON identifiers
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (NEW.pseudonym);
END;

CREATE TRIGGER identifiers_changed_delete AFTER DELETE ON identifiers
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (OLD.pseudonym);
END;

CREATE TRIGGER identifier_sources_changed_insert AFTER INSERT ON identifier_sources
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (NEW.pseudonym);
END;

CREATE TRIGGER identifier_sources_changed_delete AFTER DELETE ON identifier_sources
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (OLD.pseudonym);
END;

CREATE TRIGGER rule_firings_changed_insert AFTER INSERT ON rule_firings
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (NEW.pseudonym);
END;

CREATE TRIGGER rule_firings_changed_update AFTER UPDATE OF retracted_at ON rule_firings
BEGIN
	INSERT INTO identifier_changes (pseudonym) VALUES (NEW.pseudonym);
END;

-- The facts of one identifier, and the index's full load, read firings by identifier.
CREATE INDEX rule_firings_pseudonym ON rule_firings (pseudonym);
