-- Change request stages' progress on the side database (see 0001).
CREATE TABLE change_request_progress (
    change_request_id INTEGER PRIMARY KEY,
    phase TEXT NOT NULL,
    done INTEGER NOT NULL,
    total INTEGER NOT NULL,
    finished INTEGER NOT NULL CHECK (finished IN (0, 1)),
    updated_at TEXT NOT NULL
);
