-- Optimistic concurrency: every record the API edits carries a version, incremented by every write to it.
-- Clients send the version they loaded as If-Match; a write against an older version answers 409.
ALTER TABLE pools ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE contracts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE people ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sku_mappings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE org_settings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
