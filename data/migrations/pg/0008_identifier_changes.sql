-- Every change to what the registry knows about an identifier, in commit
-- order, so that the in-memory lookup index can follow the writes: it reads
-- the changes after the last one it applied and loads those identifiers
-- again.  Triggers write the rows, so no code path can forget one.
-- PostgreSQL counterpart of sqlite/0008_identifier_changes.sql.
--
-- The identity (ALWAYS: only the triggers write here, and a sequence never
-- hands out a number twice, even after pruning) stands for AUTOINCREMENT.
-- Keep its CACHE at 1: cached numbers would come out of order across
-- sessions.  A sequence number is taken at INSERT, not at COMMIT, so two
-- writers could commit their changes out of order and a reader that had
-- moved past the later one would never see the earlier.  To keep "commit
-- order", the trigger first takes the transaction-scoped advisory lock that
-- every write transaction of the PostgreSQL backend holds (PG_WRITE_LOCK
-- in src/store/pg_int.h, "SIGNAAL" in ASCII): free for the backend, which
-- holds it already, and it serialises any other writer (psql, a script).
-- A rolled-back transaction leaves a gap in seq; readers use seq > n.
CREATE TABLE identifier_changes (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	pseudonym BYTEA NOT NULL
);

CREATE FUNCTION identifier_changes_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(x'5349474e41414c'::bigint);
	IF TG_OP = 'DELETE' THEN
		INSERT INTO identifier_changes (pseudonym) VALUES (OLD.pseudonym);
	ELSE
		INSERT INTO identifier_changes (pseudonym) VALUES (NEW.pseudonym);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER identifiers_changed_insert AFTER INSERT ON identifiers
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

-- Fires when one of these columns is set, changed or not (an upsert's DO
-- UPDATE too), as in SQLite; `sealed` alone (retention) does not fire it.
CREATE TRIGGER identifiers_changed_update
	AFTER UPDATE OF status, first_seen, last_seen, reports, signals ON identifiers
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

CREATE TRIGGER identifiers_changed_delete AFTER DELETE ON identifiers
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

CREATE TRIGGER identifier_sources_changed_insert AFTER INSERT ON identifier_sources
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

CREATE TRIGGER identifier_sources_changed_delete AFTER DELETE ON identifier_sources
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

CREATE TRIGGER rule_firings_changed_insert AFTER INSERT ON rule_firings
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

CREATE TRIGGER rule_firings_changed_update AFTER UPDATE OF retracted_at ON rule_firings
	FOR EACH ROW EXECUTE FUNCTION identifier_changes_record();

-- The facts of one identifier, and the index's full load, read firings by identifier.
CREATE INDEX rule_firings_pseudonym ON rule_firings (pseudonym);
