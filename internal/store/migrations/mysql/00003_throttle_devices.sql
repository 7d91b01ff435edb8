-- Brute-force protection v2: one counter per key (identifier, client address,
-- or both), reserved atomically before the expensive hash; and the device a
-- session was signed in from.
-- +goose Up
CREATE TABLE throttle_counters (
    throttle_key VARCHAR(128) PRIMARY KEY,
    hits INTEGER NOT NULL,
    window_end DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX throttle_counters_window_idx (window_end)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE sessions ADD COLUMN devices TEXT NULL;
CREATE INDEX sessions_identity_active_idx ON sessions (identity_id, active, expires_at);
DROP TABLE login_throttles;

-- +goose Down
CREATE TABLE login_throttles (
    throttle_key VARCHAR(255) PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start DATETIME(6) NOT NULL,
    locked_until DATETIME(6) NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
DROP INDEX sessions_identity_active_idx ON sessions;
ALTER TABLE sessions DROP COLUMN devices;
DROP TABLE throttle_counters;
