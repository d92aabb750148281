-- Reconciliation reports: what a connector's target showed against Seatwise's seats, on demand or nightly. The
-- report is kept whole (JSON) as the drift page shows it; the counts beside it are for lists and alerts.
CREATE TABLE connector_reconciliations (
    id INTEGER PRIMARY KEY,
    connector_id INTEGER NOT NULL REFERENCES connectors(id),
    ran_at TEXT NOT NULL,
    ran_by TEXT NOT NULL,
    matched INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    report TEXT NOT NULL
);
CREATE INDEX connector_reconciliations_last ON connector_reconciliations(connector_id, id);
