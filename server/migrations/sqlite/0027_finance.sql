-- Finance: how each pool's cost is charged back to cost centres, and budgets per cost centre and year.

-- A pool's chargeback method; a pool without a row charges by seat held.
CREATE TABLE pool_chargeback (
    pool_id INTEGER PRIMARY KEY REFERENCES pools(id),
    method TEXT NOT NULL CHECK (method IN ('seat', 'active_user', 'percentage')),
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The fixed split of a pool charged by percentage, in hundredths of a percent (10000 in all).
CREATE TABLE chargeback_splits (
    pool_id INTEGER NOT NULL REFERENCES pools(id),
    cost_centre_id INTEGER NOT NULL REFERENCES cost_centres(id),
    basis_points INTEGER NOT NULL CHECK (basis_points > 0 AND basis_points <= 10000),
    PRIMARY KEY (pool_id, cost_centre_id)
);

-- A cost centre's budget for a calendar year, in the reporting currency.
CREATE TABLE budgets (
    cost_centre_id INTEGER NOT NULL REFERENCES cost_centres(id),
    year INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (cost_centre_id, year)
);
