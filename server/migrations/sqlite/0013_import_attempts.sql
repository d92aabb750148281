-- Every time applying an import was started, and how it ended. The start is committed before the apply's
-- transaction begins and the end is written with it (applied) or after it (failed), so a process killed midway
-- leaves an attempt with no end: nothing of its transaction was kept, and the history says it was cut off.
CREATE TABLE import_attempts (
    id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    started_at TEXT NOT NULL,
    started_by TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT CHECK (outcome IN ('applied', 'failed', 'interrupted')),
    error TEXT
);
CREATE INDEX import_attempts_import ON import_attempts(import_id, id);
