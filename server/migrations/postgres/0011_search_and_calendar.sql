-- Name and e-mail search without scanning the directory: trigram GIN indexes serve `LOWER(name) LIKE '%...%'` and
-- `LOWER(email) LIKE '%...%'`. pg_trgm ships with PostgreSQL and is a trusted extension, so the database's owner
-- may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX people_name_trgm ON people USING gin (LOWER(name) gin_trgm_ops);
CREATE INDEX people_email_trgm ON people USING gin (LOWER(email) gin_trgm_ops);

-- The calendar reads a range's dates per day and kind from these indexes alone, in date then contract order (the
-- order a day lists its dates in), and values each contract by its pools without reading the pool rows.
CREATE INDEX contract_terms_end_contract ON contract_terms(end_date, contract_id);
CREATE INDEX contract_terms_cancel_by_contract ON contract_terms(cancel_by, contract_id);
CREATE INDEX pools_contract_value ON pools(contract_id, currency, annual_cost_minor);
DROP INDEX contract_terms_end;
DROP INDEX contract_terms_cancel_by;
DROP INDEX pools_contract;
