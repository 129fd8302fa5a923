-- A withdrawn report stops counting: which reporter made it, and which rule
-- firings were taken back because the count fell below the threshold.
-- PostgreSQL counterpart of sqlite/0006_withdraw_retracts.sql.
ALTER TABLE reports ADD COLUMN reporter TEXT COLLATE "C";
ALTER TABLE rule_firings ADD COLUMN retracted_at TEXT COLLATE "C";
