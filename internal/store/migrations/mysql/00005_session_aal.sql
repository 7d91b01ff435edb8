-- Authenticator assurance: the level a session reached and the methods
-- (AMR) that reached it. Sessions from before have neither and read as a
-- password sign-in at aal1.
-- +goose Up
ALTER TABLE sessions ADD COLUMN aal VARCHAR(8) NULL;
ALTER TABLE sessions ADD COLUMN authentication_methods TEXT NULL;

-- +goose Down
ALTER TABLE sessions DROP COLUMN authentication_methods;
ALTER TABLE sessions DROP COLUMN aal;
