-- Pending social sign-ins: one row per submit to a provider, taken (deleted)
-- by the callback, so each state works once. Only keyed hashes of the state
-- and of the browser's continuity cookie are stored.
-- +goose Up
CREATE TABLE selfservice_oidc_states (
    id TEXT PRIMARY KEY,
    flow_id TEXT NOT NULL,
    flow_kind TEXT NOT NULL,
    browser TEXT NOT NULL,
    provider TEXT NOT NULL,
    verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    traits TEXT NOT NULL,
    expires_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    FOREIGN KEY (flow_id) REFERENCES selfservice_flows(id) ON DELETE CASCADE
);
CREATE INDEX selfservice_oidc_states_expires_idx ON selfservice_oidc_states (expires_at);
CREATE INDEX selfservice_oidc_states_flow_idx ON selfservice_oidc_states (flow_id);
-- +goose Down
DROP TABLE selfservice_oidc_states;
