-- whoami_changes holds MariaDB's change counters for the whoami cache
-- (internal/session/whoamicache); this dialect's cache is fed by its
-- triggers (00006), so the table exists here only so that every dialect
-- has the same tables, and stays empty.
-- +goose Up
CREATE TABLE whoami_changes (
    bucket INTEGER NOT NULL PRIMARY KEY,
    n BIGINT NOT NULL
);
-- +goose Down
DROP TABLE whoami_changes;
