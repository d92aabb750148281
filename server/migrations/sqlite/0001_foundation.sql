-- Dates are ISO 8601 text (YYYY-MM-DD) and timestamps RFC 3339 UTC text with fixed width, so both
-- sort and compare correctly as text and the same SQL runs on SQLite and PostgreSQL.
-- Money is integer minor units beside an ISO 4217 code. Flags are 0/1 integers (the Any driver has no
-- portable boolean).

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE cost_centres (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    department_id INTEGER REFERENCES departments(id),
    cost_centre_id INTEGER REFERENCES cost_centres(id),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'on_leave', 'terminated')),
    created_at TEXT NOT NULL
);
CREATE INDEX people_department ON people(department_id);
CREATE INDEX people_name ON people(name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('admin', 'license_owner', 'finance', 'approver')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE user_departments (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (user_id, department_id)
);

-- Session and token secrets are stored as SHA-256 hashes only.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('personal', 'scim')),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
);
CREATE INDEX login_attempts_email_at ON login_attempts(email, at);

CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE vendors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    website TEXT
);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    name TEXT NOT NULL,
    UNIQUE (vendor_id, name)
);

-- seats_assigned is kept in step with seat_assignments in the same transaction, so lists and sorts over
-- thousands of pools never count a million rows.
CREATE TABLE pools (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    vendor_id INTEGER NOT NULL REFERENCES vendors(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    tier TEXT NOT NULL DEFAULT '',
    license_type TEXT NOT NULL CHECK (license_type IN ('per_user', 'per_device', 'concurrent', 'site', 'subscription')),
    seats_purchased INTEGER CHECK (seats_purchased IS NULL OR seats_purchased >= 0),
    seats_assigned INTEGER NOT NULL DEFAULT 0,
    allow_overage INTEGER NOT NULL DEFAULT 0 CHECK (allow_overage IN (0, 1)),
    unit_cost_minor INTEGER NOT NULL CHECK (unit_cost_minor >= 0),
    currency TEXT NOT NULL,
    billing_period TEXT NOT NULL CHECK (billing_period IN ('monthly', 'annual', 'one_time')),
    annual_cost_minor INTEGER NOT NULL,
    cost_centre_id INTEGER NOT NULL REFERENCES cost_centres(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    owner_id INTEGER REFERENCES people(id),
    contract_start TEXT,
    contract_end TEXT,
    auto_renew INTEGER NOT NULL DEFAULT 0 CHECK (auto_renew IN (0, 1)),
    notice_days INTEGER,
    cancel_by TEXT,
    po_number TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX pools_vendor ON pools(vendor_id);
CREATE INDEX pools_department ON pools(department_id);
CREATE INDEX pools_cost_centre ON pools(cost_centre_id);
CREATE INDEX pools_owner ON pools(owner_id);
CREATE INDEX pools_contract_end ON pools(contract_end);
CREATE INDEX pools_name ON pools(name_lower);

-- One row per actual seat held; capacity is the number on the pool.
CREATE TABLE seat_assignments (
    id INTEGER PRIMARY KEY,
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    person_id INTEGER REFERENCES people(id),
    device TEXT,
    assigned_at TEXT NOT NULL,
    assigned_by TEXT,
    CHECK (person_id IS NOT NULL OR device IS NOT NULL)
);
CREATE INDEX seat_assignments_pool ON seat_assignments(pool_id, assigned_at);
CREATE INDEX seat_assignments_person ON seat_assignments(person_id);

CREATE TABLE ledger_entries (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id INTEGER,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX ledger_record ON ledger_entries(record_type, record_id, seq);

-- The single head row serializes appends: every append updates it first, which takes the write lock on
-- SQLite and a row lock on PostgreSQL, so concurrent writers (and servers) never fork the chain.
CREATE TABLE ledger_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
