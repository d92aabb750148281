-- A rollback may undo chosen rows of the request it rolls back: their numbers (JSON array); NULL for all of them.
ALTER TABLE change_requests ADD COLUMN rollback_rows TEXT;
