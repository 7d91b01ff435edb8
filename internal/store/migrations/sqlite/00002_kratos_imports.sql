-- What `latchkey migrate kratos` copied from a reference database: one row
-- per source identity or session with a fingerprint of its source rows, so
-- that a rerun copies only what changed and notices what was deleted.
-- +goose Up
CREATE TABLE kratos_imports (
    kind TEXT NOT NULL,
    source_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    imported_at DATETIME NOT NULL,
    PRIMARY KEY (kind, source_id)
);

-- +goose Down
DROP TABLE kratos_imports;
