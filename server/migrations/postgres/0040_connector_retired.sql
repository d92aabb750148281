-- A connector removed: kept for its actions' and reconciliations' history, gone from lists, its pools free.
ALTER TABLE connectors ADD COLUMN retired_at TEXT;
