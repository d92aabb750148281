-- The side database of a SQLite deployment: import progress, writable while an import holds the main file's lock.
CREATE TABLE import_progress (
    import_id INTEGER PRIMARY KEY,
    phase TEXT NOT NULL,
    done INTEGER NOT NULL,
    total INTEGER NOT NULL,
    finished INTEGER NOT NULL CHECK (finished IN (0, 1)),
    updated_at TEXT NOT NULL
);
