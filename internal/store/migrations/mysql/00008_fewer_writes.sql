-- Fewer writes per sign-in: sessions_identity_idx is a prefix of
-- sessions_identity_active_idx (00003), which serves every lookup by
-- identity and the foreign key to identities as well; it only cost an
-- index entry per new session.
-- (The other dialects' 00008 also narrows their whoami triggers; this one
-- has none: a new identity bumps no change counter.)
-- +goose Up
DROP INDEX sessions_identity_idx ON sessions;
-- +goose Down
CREATE INDEX sessions_identity_idx ON sessions (identity_id);
