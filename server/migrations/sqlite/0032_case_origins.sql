-- Two more ways a case opens: a holder giving their own seat back (My seats) and, next, a consent campaign.
-- SQLite changes a CHECK only by rebuilding the table. The savings log refers to the cases, and foreign keys stay
-- on (migrations run in a transaction, where they cannot be turned off), so the log is set aside and put back.
CREATE TABLE reclamation_cases_v2 (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    origin TEXT NOT NULL CHECK (origin IN ('policy', 'offboarding', 'contract', 'holder', 'campaign')),
    policy_id INTEGER REFERENCES reclamation_policies(id),
    policy_version INTEGER,
    action TEXT NOT NULL CHECK (action IN ('reclaim', 'downgrade', 'notify')),
    target_pool_id INTEGER REFERENCES pools(id),
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ready', 'awaiting_user', 'awaiting_approval', 'awaiting_revocation',
        'reclaimed', 'downgraded', 'kept', 'cancelled', 'restored')),
    event_at TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    deadline TEXT,
    hold_reason TEXT,
    change_request_id INTEGER REFERENCES change_requests(id),
    removed TEXT,
    revoked_at TEXT,
    revoke_ms INTEGER,
    closed_at TEXT,
    closed_by TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO reclamation_cases_v2 (id, pool_id, person_id, origin, policy_id, policy_version, action, target_pool_id,
    reason, state, event_at, opened_at, deadline, hold_reason, change_request_id, removed, revoked_at, revoke_ms,
    closed_at, closed_by, note, version)
SELECT id, pool_id, person_id, origin, policy_id, policy_version, action, target_pool_id, reason, state, event_at,
    opened_at, deadline, hold_reason, change_request_id, removed, revoked_at, revoke_ms, closed_at, closed_by, note,
    version
FROM reclamation_cases;
CREATE TABLE savings_copy AS SELECT * FROM savings;
DROP TABLE savings;
DROP TABLE reclamation_cases;
ALTER TABLE reclamation_cases_v2 RENAME TO reclamation_cases;
CREATE UNIQUE INDEX reclamation_cases_open_seat ON reclamation_cases(pool_id, person_id)
    WHERE state IN ('ready', 'awaiting_user', 'awaiting_approval', 'awaiting_revocation');
CREATE INDEX reclamation_cases_state ON reclamation_cases(state, id);
CREATE INDEX reclamation_cases_person ON reclamation_cases(person_id);
CREATE TABLE savings (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES reclamation_cases(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    department_id INTEGER REFERENCES departments(id),
    cost_centre_id INTEGER NOT NULL REFERENCES cost_centres(id),
    kind TEXT NOT NULL CHECK (kind IN ('reclaimed', 'downgraded')),
    category TEXT NOT NULL CHECK (category IN ('freed', 'cost_avoided', 'hard')),
    removed_on TEXT NOT NULL,
    monthly_minor INTEGER NOT NULL,
    annual_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    price_source TEXT NOT NULL,
    reversed_at TEXT,
    created_at TEXT NOT NULL
);
INSERT INTO savings (id, case_id, person_id, pool_id, department_id, cost_centre_id, kind, category, removed_on,
    monthly_minor, annual_minor, currency, price_source, reversed_at, created_at)
SELECT id, case_id, person_id, pool_id, department_id, cost_centre_id, kind, category, removed_on, monthly_minor,
    annual_minor, currency, price_source, reversed_at, created_at
FROM savings_copy;
DROP TABLE savings_copy;
CREATE INDEX savings_removed ON savings(removed_on, id);
CREATE INDEX savings_case ON savings(case_id);
