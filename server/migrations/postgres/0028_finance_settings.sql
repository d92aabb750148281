-- Finance settings: the currency every figure is reported in, and the spare seats right-sizing keeps.
ALTER TABLE org_settings ADD COLUMN reporting_currency TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE org_settings ADD COLUMN right_size_buffer_percent BIGINT NOT NULL DEFAULT 10;

-- A rate is quoted into one reporting currency: after the setting changes, the rates kept for the old one stay
-- (and apply again if it changes back) but never convert into the new one.
ALTER TABLE exchange_rates ADD COLUMN quote TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE exchange_rates ALTER COLUMN quote DROP DEFAULT;
ALTER TABLE exchange_rates DROP CONSTRAINT exchange_rates_pkey;
ALTER TABLE exchange_rates ADD PRIMARY KEY (quote, currency, valid_from);
