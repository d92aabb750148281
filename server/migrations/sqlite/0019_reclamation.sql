-- Reclamation: usage per product, versioned policies, cases (one open case per seat), holds and the savings log.

-- What a source says of one person's use of one pool's product: when it was read and the last use it reports
-- (NULL: the source knows the account and it was never used). No row: no data, which is never "never used".
CREATE TABLE usage_signals (
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    source TEXT NOT NULL,
    last_used_at TEXT,
    read_at TEXT NOT NULL,
    PRIMARY KEY (pool_id, person_id, source)
);
CREATE INDEX usage_signals_person ON usage_signals(person_id);

-- A policy for one pool, or every pool of a product. `conditions` is the JSON of its current version's rules;
-- every change writes a new version, and each case records the version that opened it.
CREATE TABLE reclamation_policies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    pool_id INTEGER REFERENCES pools(id),
    product_id INTEGER REFERENCES products(id),
    action TEXT NOT NULL CHECK (action IN ('reclaim', 'downgrade', 'notify')),
    target_pool_id INTEGER REFERENCES pools(id),
    conditions TEXT NOT NULL,
    ask_consent INTEGER NOT NULL CHECK (ask_consent IN (0, 1)),
    needs_approval INTEGER NOT NULL CHECK (needs_approval IN (0, 1)),
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_run_at TEXT,
    CHECK ((pool_id IS NULL) <> (product_id IS NULL)),
    CHECK ((action = 'downgrade') = (target_pool_id IS NOT NULL))
);

-- Every version of a policy as it was written (the whole policy as JSON).
CREATE TABLE reclamation_policy_versions (
    policy_id INTEGER NOT NULL REFERENCES reclamation_policies(id),
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (policy_id, version)
);

-- A seat a policy, an offboarding or a contract's end selected, and what became of it. `removed` keeps the
-- seat as it was (JSON) so a restore can give it back.
CREATE TABLE reclamation_cases (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    origin TEXT NOT NULL CHECK (origin IN ('policy', 'offboarding', 'contract')),
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
-- The same seat never has two open cases.
CREATE UNIQUE INDEX reclamation_cases_open_seat ON reclamation_cases(pool_id, person_id)
    WHERE state IN ('ready', 'awaiting_user', 'awaiting_approval', 'awaiting_revocation');
CREATE INDEX reclamation_cases_state ON reclamation_cases(state, id);
CREATE INDEX reclamation_cases_person ON reclamation_cases(person_id);

-- A legal or data-preservation hold on a person, or a blackout window on a pool: revocation waits until it ends
-- (`ends_on` NULL: until lifted).
CREATE TABLE reclamation_holds (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('legal', 'blackout')),
    person_id INTEGER REFERENCES people(id),
    pool_id INTEGER REFERENCES pools(id),
    reason TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    lifted_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    CHECK ((kind = 'legal' AND person_id IS NOT NULL AND pool_id IS NULL)
        OR (kind = 'blackout' AND pool_id IS NOT NULL AND person_id IS NULL))
);
CREATE INDEX reclamation_holds_person ON reclamation_holds(person_id);
CREATE INDEX reclamation_holds_pool ON reclamation_holds(pool_id);

-- What each reclaimed or downgraded seat saves, priced at the pool's cost per seat when it was removed.
-- A restore reverses the entry rather than deleting it.
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
CREATE INDEX savings_removed ON savings(removed_on, id);
CREATE INDEX savings_case ON savings(case_id);
