-- The dated exchange-rate table (admins keep it): units of the reporting currency per unit of a currency, from a
-- day on. The rate is kept as the exact decimal text it was given.
CREATE TABLE exchange_rates (
    currency TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    rate TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (currency, valid_from)
);
