-- Every time a stage of a change request was started, and how it ended. The start is committed before the
-- stage's transaction and the end is written with it (applied) or after it (failed), so a process killed midway
-- leaves an attempt with no end: nothing of the stage was kept, and the request says it was cut off.
CREATE TABLE change_request_attempts (
    id INTEGER PRIMARY KEY,
    change_request_id INTEGER NOT NULL REFERENCES change_requests(id),
    first_row INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT CHECK (outcome IN ('applied', 'failed', 'interrupted')),
    error TEXT
);
CREATE INDEX change_request_attempts_request ON change_request_attempts(change_request_id, id);

-- An execution window: applied by the background run once approved and due, claimed by one instance only.
ALTER TABLE change_requests ADD COLUMN execute_at TEXT;
ALTER TABLE change_requests ADD COLUMN run_claimed_at TEXT;
