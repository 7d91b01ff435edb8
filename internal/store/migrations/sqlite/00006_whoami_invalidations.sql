-- The whoami cache's change feed (internal/session/whoamicache): every
-- write that can change a whoami answer (a session revoked or deleted, an
-- identity's traits, addresses or credentials changed, an identity
-- deleted) records the identity's id, whichever code path or instance made
-- it, so that every instance drops what it keeps about that identity
-- before its next answer.
-- On SQLite the ids are appended to a log every instance reads.
-- +goose Up
CREATE TABLE session_invalidations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_id TEXT NOT NULL
);
-- Redundant with the rowid, but it gives the table the unique key the
-- other dialects' primary key has, so the schemas compare equal.
CREATE UNIQUE INDEX session_invalidations_seq_uq ON session_invalidations (seq);
-- +goose StatementBegin
CREATE TRIGGER sessions_whoami_update AFTER UPDATE ON sessions BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER sessions_whoami_delete AFTER DELETE ON sessions BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (OLD.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identities_whoami_update AFTER UPDATE ON identities BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identities_whoami_delete AFTER DELETE ON identities BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_verifiable_addresses_whoami_insert AFTER INSERT ON identity_verifiable_addresses BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_verifiable_addresses_whoami_update AFTER UPDATE ON identity_verifiable_addresses BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_verifiable_addresses_whoami_delete AFTER DELETE ON identity_verifiable_addresses BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (OLD.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_recovery_addresses_whoami_insert AFTER INSERT ON identity_recovery_addresses BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_recovery_addresses_whoami_update AFTER UPDATE ON identity_recovery_addresses BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_recovery_addresses_whoami_delete AFTER DELETE ON identity_recovery_addresses BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (OLD.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_credentials_whoami_insert AFTER INSERT ON identity_credentials BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_credentials_whoami_update AFTER UPDATE ON identity_credentials BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (NEW.identity_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER identity_credentials_whoami_delete AFTER DELETE ON identity_credentials BEGIN
    INSERT INTO session_invalidations (identity_id) VALUES (OLD.identity_id);
END;
-- +goose StatementEnd
-- +goose Down
DROP TRIGGER sessions_whoami_update;
DROP TRIGGER sessions_whoami_delete;
DROP TRIGGER identities_whoami_update;
DROP TRIGGER identities_whoami_delete;
DROP TRIGGER identity_verifiable_addresses_whoami_insert;
DROP TRIGGER identity_verifiable_addresses_whoami_update;
DROP TRIGGER identity_verifiable_addresses_whoami_delete;
DROP TRIGGER identity_recovery_addresses_whoami_insert;
DROP TRIGGER identity_recovery_addresses_whoami_update;
DROP TRIGGER identity_recovery_addresses_whoami_delete;
DROP TRIGGER identity_credentials_whoami_insert;
DROP TRIGGER identity_credentials_whoami_update;
DROP TRIGGER identity_credentials_whoami_delete;
DROP INDEX session_invalidations_seq_uq;
DROP TABLE session_invalidations;
