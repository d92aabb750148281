-- Change requests gain a finance sign-off, approval expiry, a pilot stage, snapshots and rollback. The status
-- list grows, and SQLite cannot alter a CHECK, so the table is rebuilt (nothing else refers to it yet).
CREATE TABLE change_requests_next (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    reason TEXT NOT NULL,
    requested_by INTEGER NOT NULL REFERENCES users(id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'piloted', 'applied', 'rejected',
                                           'expired', 'rolled_back')),
    operations TEXT NOT NULL,
    operation_count INTEGER NOT NULL,
    errors TEXT NOT NULL,
    error_count INTEGER NOT NULL,
    preview TEXT NOT NULL,
    people_losing_seats INTEGER NOT NULL,
    annual_cost_change TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    -- The approver's decision (approve or reject).
    decided_by INTEGER REFERENCES users(id),
    decided_at TEXT,
    decision_comment TEXT,
    applied_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    -- Above the policy's thresholds a finance approval follows the approver's.
    needs_finance INTEGER NOT NULL DEFAULT 0,
    finance_by INTEGER REFERENCES users(id),
    finance_at TEXT,
    finance_comment TEXT,
    -- An approval unused by then lapses (the policy's validity).
    expires_at TEXT,
    -- Operations applied so far, in row order (a pilot applies the first ones).
    applied_count INTEGER NOT NULL DEFAULT 0,
    rollback_of INTEGER REFERENCES change_requests(id),
    rolled_back_by INTEGER REFERENCES change_requests(id),
    reminded_at TEXT
);
INSERT INTO change_requests_next (id, title, reason, requested_by, status, operations, operation_count, errors,
    error_count, preview, people_losing_seats, annual_cost_change, created_at, updated_at, submitted_at, decided_by,
    decided_at, decision_comment, applied_at, version, applied_count)
SELECT id, title, reason, requested_by, status, operations, operation_count, errors, error_count, preview,
    people_losing_seats, annual_cost_change, created_at, updated_at, submitted_at, decided_by, decided_at,
    decision_comment, applied_at, version, CASE WHEN status = 'applied' THEN operation_count ELSE 0 END
FROM change_requests;
DROP TABLE change_requests;
ALTER TABLE change_requests_next RENAME TO change_requests;
CREATE INDEX change_requests_status ON change_requests(status, id);
CREATE INDEX change_requests_requester ON change_requests(requested_by, id);

-- Each applied stage (a pilot, then the rest; or everything at once) with a snapshot of every record it was
-- about to change, taken in the same transaction, for rollback.
CREATE TABLE change_request_stages (
    id INTEGER PRIMARY KEY,
    change_request_id INTEGER NOT NULL REFERENCES change_requests(id),
    stage INTEGER NOT NULL,
    first_row INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    -- After a pilot: the preview of the rows left, so confirming them can tell if the inventory moved meanwhile.
    rest_preview TEXT,
    applied_by INTEGER NOT NULL REFERENCES users(id),
    applied_at TEXT NOT NULL,
    UNIQUE (change_request_id, stage)
);

-- The approval policy (admins): one row.
CREATE TABLE approval_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    finance_seats INTEGER,
    finance_annual_minor INTEGER,
    max_operations INTEGER NOT NULL,
    approval_valid_days INTEGER,
    reminder_hours INTEGER,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO approval_policy (id, finance_seats, finance_annual_minor, max_operations, approval_valid_days,
    reminder_hours) VALUES (1, NULL, NULL, 50000, 14, 24);
