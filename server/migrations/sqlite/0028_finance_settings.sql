-- Finance settings: the currency every figure is reported in, and the spare seats right-sizing keeps.
ALTER TABLE org_settings ADD COLUMN reporting_currency TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE org_settings ADD COLUMN right_size_buffer_percent INTEGER NOT NULL DEFAULT 10;

-- A rate is quoted into one reporting currency: after the setting changes, the rates kept for the old one stay
-- (and apply again if it changes back) but never convert into the new one.
CREATE TABLE exchange_rates_quoted (
    quote TEXT NOT NULL,
    currency TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    rate TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (quote, currency, valid_from)
);
INSERT INTO exchange_rates_quoted (quote, currency, valid_from, rate, created_by, created_at)
SELECT 'USD', currency, valid_from, rate, created_by, created_at FROM exchange_rates;
DROP TABLE exchange_rates;
ALTER TABLE exchange_rates_quoted RENAME TO exchange_rates;
