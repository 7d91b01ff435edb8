-- Brute-force protection v2: one counter per key (identifier, client address,
-- or both), reserved atomically before the expensive hash; and the device a
-- session was signed in from.
-- +goose Up
CREATE TABLE throttle_counters (
    throttle_key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    window_end DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX throttle_counters_window_idx ON throttle_counters (window_end);
ALTER TABLE sessions ADD COLUMN devices TEXT NULL;
CREATE INDEX sessions_identity_active_idx ON sessions (identity_id, active, expires_at);
DROP TABLE login_throttles;

-- +goose Down
CREATE TABLE login_throttles (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start DATETIME NOT NULL,
    locked_until DATETIME NULL,
    updated_at DATETIME NOT NULL
);
DROP INDEX sessions_identity_active_idx;
ALTER TABLE sessions DROP COLUMN devices;
DROP TABLE throttle_counters;
