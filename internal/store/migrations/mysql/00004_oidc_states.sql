-- Pending social sign-ins: one row per submit to a provider, taken (deleted)
-- by the callback, so each state works once. Only keyed hashes of the state
-- and of the browser's continuity cookie are stored.
-- +goose Up
CREATE TABLE selfservice_oidc_states (
    id VARCHAR(128) PRIMARY KEY,
    flow_id CHAR(36) NOT NULL,
    flow_kind VARCHAR(16) NOT NULL,
    browser VARCHAR(128) NOT NULL,
    provider VARCHAR(64) NOT NULL,
    verifier VARCHAR(128) NOT NULL,
    nonce VARCHAR(128) NOT NULL,
    traits MEDIUMTEXT NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    FOREIGN KEY (flow_id) REFERENCES selfservice_flows(id) ON DELETE CASCADE,
    INDEX selfservice_oidc_states_expires_idx (expires_at),
    INDEX selfservice_oidc_states_flow_idx (flow_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- +goose Down
DROP TABLE selfservice_oidc_states;
