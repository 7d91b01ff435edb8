-- Fewer pages written per sign-up and sign-in.
-- sessions_identity_idx is a prefix of sessions_identity_active_idx (00003),
-- which serves every lookup by identity as well: it only cost a page per
-- new session.
-- A new address or credential of an identity without a session cannot
-- change any answer a whoami cache keeps (answers are kept per session),
-- so it is logged only when the identity has one. Writers take turns on
-- SQLite, so a session committed before the insert is seen by the check,
-- and one committed after it is read with the insert already in place.
-- A sign-up thus logs nothing: its identity gets its first session after
-- its addresses and credentials.
-- +goose Up
DROP INDEX sessions_identity_idx;
DROP TRIGGER identity_verifiable_addresses_whoami_insert;
-- +goose StatementBegin
CREATE TRIGGER identity_verifiable_addresses_whoami_insert AFTER INSERT ON identity_verifiable_addresses
    WHEN EXISTS (SELECT 1 FROM sessions WHERE identity_id = NEW.identity_id)
BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
DROP TRIGGER identity_recovery_addresses_whoami_insert;
-- +goose StatementBegin
CREATE TRIGGER identity_recovery_addresses_whoami_insert AFTER INSERT ON identity_recovery_addresses
    WHEN EXISTS (SELECT 1 FROM sessions WHERE identity_id = NEW.identity_id)
BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
DROP TRIGGER identity_credentials_whoami_insert;
-- +goose StatementBegin
CREATE TRIGGER identity_credentials_whoami_insert AFTER INSERT ON identity_credentials
    WHEN EXISTS (SELECT 1 FROM sessions WHERE identity_id = NEW.identity_id)
BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose Down
DROP TRIGGER identity_verifiable_addresses_whoami_insert;
-- +goose StatementBegin
CREATE TRIGGER identity_verifiable_addresses_whoami_insert AFTER INSERT ON identity_verifiable_addresses
BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
DROP TRIGGER identity_recovery_addresses_whoami_insert;
-- +goose StatementBegin
CREATE TRIGGER identity_recovery_addresses_whoami_insert AFTER INSERT ON identity_recovery_addresses
BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
DROP TRIGGER identity_credentials_whoami_insert;
-- +goose StatementBegin
CREATE TRIGGER identity_credentials_whoami_insert AFTER INSERT ON identity_credentials
BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
CREATE INDEX sessions_identity_idx ON sessions (identity_id);
