-- Fewer writes per sign-up and sign-in.
-- sessions_identity_idx is a prefix of sessions_identity_active_idx (00003),
-- which serves every lookup by identity as well: it only cost an index
-- entry per new session.
-- A new address or credential sends no notification when this transaction
-- wrote the identity's row itself: if it inserted the identity, no session
-- of it can exist yet (nor be cached anywhere); if it updated it, the
-- identities trigger has already notified for it. A sign-up thus notifies
-- nothing, and commits without queueing behind other notifying commits
-- (PostgreSQL takes one global lock to commit notifications).
-- xmin is the 32-bit id of the transaction that wrote the row version;
-- txid_current() is this transaction's id with its epoch above 32 bits.
-- +goose Up
DROP INDEX sessions_identity_idx;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION latchkey_whoami_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM identities
            WHERE id = (to_jsonb(NEW) ->> TG_ARGV[0])::uuid
            AND xmin::text::bigint = txid_current() % 4294967296) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('latchkey_sessions', (to_jsonb(OLD) ->> TG_ARGV[0]));
    ELSE
        PERFORM pg_notify('latchkey_sessions', (to_jsonb(NEW) ->> TG_ARGV[0]));
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION latchkey_whoami_changed() RETURNS trigger AS $$
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
CREATE INDEX sessions_identity_idx ON sessions (identity_id);
