-- Renewals: contracts with their terms, the alerts raised before the dates that matter, the e-mail outbox,
-- calendar feed tokens, organisation settings and the claims that keep daily jobs to one run per day.

-- One row: the organisation's settings (time zone of the daily job, alert stages, rolling review cadence).
CREATE TABLE org_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    timezone TEXT NOT NULL,
    alert_stages TEXT NOT NULL,
    rolling_review_months INTEGER NOT NULL,
    daily_run_hour INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO org_settings (id, timezone, alert_stages, rolling_review_months, daily_run_hour, updated_at)
VALUES (1, 'UTC', '90,60,30', 3, 6, '1970-01-01T00:00:00.000000Z');

-- cycle_anchor: the date renewal dates are counted from (anchor + k * term_months), so month-end contracts
-- do not drift (31 Jan, 28 Feb, 31 Mar, ...).
CREATE TABLE contracts (
    id INTEGER PRIMARY KEY,
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    auto_renew INTEGER NOT NULL CHECK (auto_renew IN (0, 1)),
    notice_days INTEGER NOT NULL CHECK (notice_days >= 0),
    term_months INTEGER NOT NULL CHECK (term_months > 0),
    cycle_anchor TEXT NOT NULL,
    renewal_price_minor INTEGER CHECK (renewal_price_minor IS NULL OR renewal_price_minor >= 0),
    currency TEXT NOT NULL,
    vendor_contact TEXT,
    documents TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (vendor_id, number)
);
CREATE INDEX contracts_vendor ON contracts(vendor_id);

-- Every term a contract ran or will run, oldest first; the highest seq is the current (or next) one.
-- decision: what was decided for renewing after this term (NULL while open).
CREATE TABLE contract_terms (
    id INTEGER PRIMARY KEY,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    seq INTEGER NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    -- Kept in step with the contract's notice period and renewal kind, so calendars filter by date in SQL.
    cancel_by TEXT NOT NULL,
    key_date TEXT NOT NULL,
    price_minor INTEGER,
    seats INTEGER,
    tier TEXT,
    decision TEXT CHECK (decision IS NULL OR decision IN
        ('renew', 'renew_with_changes', 'cancel', 'let_lapse', 'auto_renewed')),
    decision_comment TEXT,
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (contract_id, seq)
);
CREATE INDEX contract_terms_end ON contract_terms(end_date);
CREATE INDEX contract_terms_cancel_by ON contract_terms(cancel_by);
CREATE INDEX contract_terms_key_date ON contract_terms(key_date);

-- A pool belongs to at most one contract.
ALTER TABLE pools ADD COLUMN contract_id INTEGER REFERENCES contracts(id);
CREATE INDEX pools_contract ON pools(contract_id);

CREATE TABLE contract_watchers (
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (contract_id, user_id)
);

-- dedupe_key names the stage of the term (or the review date), so a stage fires once whoever runs the job.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    contract_id INTEGER NOT NULL REFERENCES contracts(id),
    term_id INTEGER NOT NULL REFERENCES contract_terms(id),
    kind TEXT NOT NULL CHECK (kind IN ('cancel_by', 'end', 'review')),
    stage_days INTEGER,
    due_date TEXT NOT NULL,
    fired_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'snoozed', 'decided', 'superseded')),
    snoozed_until TEXT,
    assigned_to INTEGER REFERENCES users(id),
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    decision TEXT,
    decision_comment TEXT,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX alerts_contract ON alerts(contract_id, kind, due_date);
CREATE INDEX alerts_term ON alerts(term_id, stage_days);
CREATE INDEX alerts_status ON alerts(status, due_date);

CREATE TABLE alert_recipients (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    email TEXT NOT NULL,
    user_id INTEGER REFERENCES users(id),
    PRIMARY KEY (alert_id, email)
);
CREATE INDEX alert_recipients_user ON alert_recipients(user_id);

-- Mail waits here until a worker claims it (claimed_until is a lease, so a crashed sender's mail is retried).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER REFERENCES alerts(id),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    claim_token TEXT,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);

CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX calendar_feeds_user ON calendar_feeds(user_id);

-- One row per job and organisation-local day; the instance holding the lease runs it.
CREATE TABLE job_runs (
    job TEXT NOT NULL,
    run_date TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_until TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT,
    PRIMARY KEY (job, run_date)
);
