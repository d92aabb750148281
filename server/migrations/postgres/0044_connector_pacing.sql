-- A connector's pace: at most this many seat actions a minute reach its target (NULL: as fast as it answers).
-- The current minute's count is kept on the row, so every instance draws on the same allowance.
ALTER TABLE connectors ADD COLUMN max_actions_per_minute INTEGER;
ALTER TABLE connectors ADD COLUMN pace_window_at TEXT;
ALTER TABLE connectors ADD COLUMN pace_count INTEGER NOT NULL DEFAULT 0;
