-- Uploaded files, kept with what their preview found, so an apply re-reads exactly what was previewed.
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    filename TEXT NOT NULL,
    content TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('previewed', 'applied')),
    summary_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    applied_at TEXT
);

-- Set when a full HR export no longer lists the person; never deleted for it.
ALTER TABLE people ADD COLUMN missing_from_hr_at TEXT;
