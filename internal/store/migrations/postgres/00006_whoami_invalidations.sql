-- The whoami cache's change feed (internal/session/whoamicache): every
-- write that can change a whoami answer (a session revoked or deleted, an
-- identity's traits, addresses or credentials changed, an identity
-- deleted) records the identity's id, whichever code path or instance made
-- it, so that every instance drops what it keeps about that identity
-- before its next answer.
-- On PostgreSQL they are notifications on the channel latchkey_sessions,
-- which every instance listens to; PostgreSQL sends one per identity and
-- transaction, at commit.
-- session_invalidations is SQLite's log; it exists here too only so that
-- every dialect has the same tables, and stays empty.
-- +goose Up
CREATE TABLE session_invalidations (
    seq BIGSERIAL PRIMARY KEY,
    identity_id UUID NOT NULL
);
-- +goose StatementBegin
CREATE FUNCTION latchkey_whoami_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('latchkey_sessions', (to_jsonb(OLD) ->> TG_ARGV[0]));
    ELSE
        PERFORM pg_notify('latchkey_sessions', (to_jsonb(NEW) ->> TG_ARGV[0]));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER sessions_whoami AFTER UPDATE OR DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION latchkey_whoami_changed('identity_id');
CREATE TRIGGER identities_whoami AFTER UPDATE OR DELETE ON identities FOR EACH ROW EXECUTE FUNCTION latchkey_whoami_changed('id');
CREATE TRIGGER identity_verifiable_addresses_whoami AFTER INSERT OR UPDATE OR DELETE ON identity_verifiable_addresses FOR EACH ROW EXECUTE FUNCTION latchkey_whoami_changed('identity_id');
CREATE TRIGGER identity_recovery_addresses_whoami AFTER INSERT OR UPDATE OR DELETE ON identity_recovery_addresses FOR EACH ROW EXECUTE FUNCTION latchkey_whoami_changed('identity_id');
CREATE TRIGGER identity_credentials_whoami AFTER INSERT OR UPDATE OR DELETE ON identity_credentials FOR EACH ROW EXECUTE FUNCTION latchkey_whoami_changed('identity_id');
-- +goose Down
DROP TRIGGER sessions_whoami ON sessions;
DROP TRIGGER identities_whoami ON identities;
DROP TRIGGER identity_verifiable_addresses_whoami ON identity_verifiable_addresses;
DROP TRIGGER identity_recovery_addresses_whoami ON identity_recovery_addresses;
DROP TRIGGER identity_credentials_whoami ON identity_credentials;
DROP FUNCTION latchkey_whoami_changed();
DROP TABLE session_invalidations;
