-- The "missed" alert: an auto-renewing term whose cancel-by date passed with no decision while it still renews.
ALTER TABLE alerts ADD COLUMN missed BIGINT NOT NULL DEFAULT 0 CHECK (missed IN (0, 1));
