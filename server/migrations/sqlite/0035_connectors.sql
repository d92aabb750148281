-- Connectors: where seat decisions are pushed (a SCIM app, Microsoft Graph, Okta, or a person by hand). The
-- credentials are sealed (AES-256-GCM with the server's credentials key) and never read back through the API.
CREATE TABLE connectors (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('scim', 'graph', 'okta', 'manual')),
    name TEXT NOT NULL,
    base_url TEXT,
    credentials TEXT,
    removal TEXT NOT NULL CHECK (removal IN ('deactivate', 'delete', 'group')),
    dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- The pools a connector acts on; a pool has at most one.
CREATE TABLE connector_pools (
    connector_id INTEGER NOT NULL REFERENCES connectors(id),
    pool_id INTEGER NOT NULL UNIQUE REFERENCES pools(id),
    PRIMARY KEY (connector_id, pool_id)
);
