-- Pending social sign-ins: one row per submit to a provider, taken (deleted)
-- by the callback, so each state works once. Only keyed hashes of the state
-- and of the browser's continuity cookie are stored.
-- +goose Up
CREATE TABLE selfservice_oidc_states (
    id VARCHAR(128) PRIMARY KEY,
    flow_id UUID NOT NULL,
    flow_kind VARCHAR(16) NOT NULL,
    browser VARCHAR(128) NOT NULL,
    provider VARCHAR(64) NOT NULL,
    verifier VARCHAR(128) NOT NULL,
    nonce VARCHAR(128) NOT NULL,
    traits TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (flow_id) REFERENCES selfservice_flows(id) ON DELETE CASCADE
);
CREATE INDEX selfservice_oidc_states_expires_idx ON selfservice_oidc_states (expires_at);
CREATE INDEX selfservice_oidc_states_flow_idx ON selfservice_oidc_states (flow_id);
-- +goose Down
DROP TABLE selfservice_oidc_states;
