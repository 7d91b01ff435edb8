-- The whoami cache's change feed is SQLite's and PostgreSQL's
-- (internal/session/whoamicache); MariaDB answers whoami from the database
-- every time. session_invalidations is SQLite's log; it exists here too
-- only so that every dialect has the same tables, and stays empty.
-- +goose Up
CREATE TABLE session_invalidations (
    seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    identity_id CHAR(36) NOT NULL
);
-- +goose Down
DROP TABLE session_invalidations;
