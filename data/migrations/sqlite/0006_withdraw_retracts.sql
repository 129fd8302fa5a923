-- A withdrawn report stops counting: which reporter made it, and which rule
-- firings were taken back because the count fell below the threshold.
ALTER TABLE reports ADD COLUMN reporter TEXT;
ALTER TABLE rule_firings ADD COLUMN retracted_at TEXT;
