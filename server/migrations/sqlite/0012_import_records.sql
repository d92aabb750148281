-- What each applied import created or changed, so its history links to those records (people and pools lists
-- filtered by import).
CREATE TABLE import_records (
    import_id INTEGER NOT NULL REFERENCES imports(id),
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'updated')),
    PRIMARY KEY (import_id, record_type, record_id)
);
CREATE INDEX imports_created ON imports(created_at, id);
