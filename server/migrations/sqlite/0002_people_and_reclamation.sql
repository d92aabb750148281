-- People as HR and identity providers describe them, devices, sign-in freshness per source, and seats marked
-- for reclamation when their holder leaves.

ALTER TABLE people ADD COLUMN employee_id TEXT;
ALTER TABLE people ADD COLUMN manager_id INTEGER REFERENCES people(id);
ALTER TABLE people ADD COLUMN employment_type TEXT NOT NULL DEFAULT 'employee'
    CHECK (employment_type IN ('employee', 'contractor'));
ALTER TABLE people ADD COLUMN start_date TEXT;
ALTER TABLE people ADD COLUMN end_date TEXT;
-- When the termination happened (the event's time, not when Seatwise heard of it).
ALTER TABLE people ADD COLUMN terminated_at TEXT;
ALTER TABLE people ADD COLUMN updated_at TEXT;
CREATE UNIQUE INDEX people_employee_id ON people(employee_id) WHERE employee_id IS NOT NULL;
CREATE INDEX people_status ON people(status);

CREATE TABLE person_signins (
    person_id INTEGER NOT NULL REFERENCES people(id),
    source TEXT NOT NULL,
    last_sign_in_at TEXT,
    read_at TEXT NOT NULL,
    PRIMARY KEY (person_id, source)
);

CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    asset_tag TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id)
);

-- Marked, never silently freed: the reclamation workflow decides what happens next.
ALTER TABLE seat_assignments ADD COLUMN reclaim_marked_at TEXT;
ALTER TABLE seat_assignments ADD COLUMN reclaim_reason TEXT;
-- Milliseconds from the event (e.g. the termination) to the mark: feeds the time-to-revoke figure.
ALTER TABLE seat_assignments ADD COLUMN reclaim_latency_ms INTEGER;
CREATE INDEX seat_assignments_reclaim ON seat_assignments(pool_id, reclaim_marked_at);
