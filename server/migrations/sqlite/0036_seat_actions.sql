-- Seat actions: every seat removed from or given back in a pool a connector acts on, to be done in the target.
-- Written in the same transaction as the seat change (an outbox), claimed by one instance at a time, retried with
-- a growing delay, and confirmed by reading the target back. `account` is the address the target knows the person
-- by, taken when the seat changed.
CREATE TABLE seat_actions (
    id INTEGER PRIMARY KEY,
    connector_id INTEGER NOT NULL REFERENCES connectors(id),
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    account TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('remove', 'add')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'confirmed', 'failed', 'manual')),
    dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    detail TEXT,
    target_id TEXT,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    claim_token TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    sent_at TEXT,
    confirmed_at TEXT,
    confirmed_by TEXT
);
CREATE INDEX seat_actions_due ON seat_actions(status, next_attempt_at);
CREATE INDEX seat_actions_connector ON seat_actions(connector_id, id);
CREATE INDEX seat_actions_seat ON seat_actions(pool_id, person_id);
