-- When the people who run a task's pool were mailed that it waits for them (once, whichever instance does it).
ALTER TABLE seat_actions ADD COLUMN told_at TEXT;
