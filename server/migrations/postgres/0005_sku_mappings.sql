-- Microsoft 365 SKUs (by part number, e.g. ENTERPRISEPACK) and the pool whose seats they are.
CREATE TABLE sku_mappings (
    part_number TEXT PRIMARY KEY,
    sku_id TEXT,
    pool_id BIGINT REFERENCES pools(id),
    updated_at TEXT NOT NULL
);
CREATE INDEX sku_mappings_sku_id ON sku_mappings(sku_id);
