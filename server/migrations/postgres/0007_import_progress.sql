-- How far applying an import has come, written outside the import's own transaction so that every instance behind
-- a load balancer can read it while the import runs.
CREATE TABLE import_progress (
    import_id BIGINT PRIMARY KEY,
    phase TEXT NOT NULL,
    done BIGINT NOT NULL,
    total BIGINT NOT NULL,
    finished BIGINT NOT NULL CHECK (finished IN (0, 1)),
    updated_at TEXT NOT NULL
);
