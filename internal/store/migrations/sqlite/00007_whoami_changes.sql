-- whoami_changes holds MariaDB's change counters for the whoami cache
-- (internal/session/whoamicache); this dialect's cache is fed by its
-- triggers (00006), so the table exists here only so that every dialect
-- has the same tables, and stays empty.
-- +goose Up
CREATE TABLE whoami_changes (
    bucket INTEGER NOT NULL PRIMARY KEY,
    n BIGINT NOT NULL
);
-- Redundant with the rowid, but it gives the table the unique key the
-- other dialects' primary key has, so the schemas compare equal.
CREATE UNIQUE INDEX whoami_changes_bucket_uq ON whoami_changes (bucket);
-- +goose Down
DROP INDEX whoami_changes_bucket_uq;
DROP TABLE whoami_changes;
