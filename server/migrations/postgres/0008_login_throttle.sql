-- Login throttling, checked and counted in one statement before the password is hashed, so parallel attempts
-- and several instances on one database cannot overshoot a limit. One row per bucket: an account as seen from
-- untrusted clients, one device cookie, or one client address.
CREATE TABLE login_throttle (
    bucket TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL
);
CREATE INDEX login_throttle_window_start ON login_throttle(window_start);

-- Secrets every instance on this database must share (the key that signs device cookies).
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Replaced by login_throttle: the old per-attempt rows were read before the hash and written after it.
DROP TABLE login_attempts;
