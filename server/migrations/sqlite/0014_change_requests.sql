-- Change requests: a batch of seat and pool operations, kept as sent (rows numbered from 1) with the row errors
-- and the preview last worked out for it. A requester never decides their own request (domain::access).
CREATE TABLE change_requests (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'applied')),
    operations TEXT NOT NULL,
    operation_count INTEGER NOT NULL,
    errors TEXT NOT NULL,
    error_count INTEGER NOT NULL,
    preview TEXT NOT NULL,
    -- From the preview, for lists: who loses a seat, and the annual cost change per currency (JSON money).
    people_losing_seats INTEGER NOT NULL,
    annual_cost_change TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_comment TEXT,
    applied_at TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX change_requests_status ON change_requests(status, id);
CREATE INDEX change_requests_requester ON change_requests(requested_by, id);

-- A retired pool keeps its history; a change request retires it and frees its seats.
ALTER TABLE pools ADD COLUMN retired_at TEXT;
