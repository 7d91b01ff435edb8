-- The whole Latchkey schema, SQLite dialect. Foreign keys cascade so that
-- deleting an identity removes everything it owns.
-- +goose Up
CREATE TABLE identities (
    id TEXT PRIMARY KEY,
    schema_id TEXT NOT NULL,
    traits TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX identities_created_at_idx ON identities (created_at, id);
CREATE TABLE identity_credentials (
    id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL,
    type TEXT NOT NULL,
    config TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_credentials_identity_type_uq UNIQUE (identity_id, type)
);
CREATE TABLE identity_credential_identifiers (
    id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    type TEXT NOT NULL,
    identifier TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    FOREIGN KEY (credential_id) REFERENCES identity_credentials(id) ON DELETE CASCADE,
    CONSTRAINT identity_credential_identifiers_uq UNIQUE (type, identifier)
);
CREATE INDEX identity_credential_identifiers_identity_idx ON identity_credential_identifiers (identity_id);
CREATE INDEX identity_credential_identifiers_credential_idx ON identity_credential_identifiers (credential_id);
CREATE TABLE identity_verifiable_addresses (
    id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL,
    via TEXT NOT NULL,
    value TEXT NOT NULL,
    verified BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    verified_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_verifiable_addresses_uq UNIQUE (via, value)
);
CREATE INDEX identity_verifiable_addresses_identity_idx ON identity_verifiable_addresses (identity_id);
CREATE TABLE identity_recovery_addresses (
    id TEXT PRIMARY KEY,
    identity_id TEXT NOT NULL,
    via TEXT NOT NULL,
    value TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_recovery_addresses_uq UNIQUE (via, value)
);
CREATE INDEX identity_recovery_addresses_identity_idx ON identity_recovery_addresses (identity_id);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    issued_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    authenticated_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_hash_uq UNIQUE (token_hash)
);
CREATE INDEX sessions_identity_idx ON sessions (identity_id);
CREATE TABLE selfservice_flows (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    type TEXT NOT NULL,
    state TEXT NOT NULL,
    identity_id TEXT NULL,
    csrf_token TEXT NOT NULL,
    request_url TEXT NOT NULL,
    return_to TEXT NOT NULL,
    forced BOOLEAN NOT NULL,
    active_method TEXT NOT NULL,
    ui TEXT NOT NULL,
    internal TEXT NOT NULL,
    issued_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE
);
CREATE INDEX selfservice_flows_identity_idx ON selfservice_flows (identity_id);
CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at);
CREATE TABLE selfservice_errors (
    id TEXT PRIMARY KEY,
    errors TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    seen_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE TABLE selfservice_link_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    flow_id TEXT NULL,
    identity_id TEXT NOT NULL,
    address_id TEXT NULL,
    used BOOLEAN NOT NULL,
    used_at DATETIME NULL,
    expires_at DATETIME NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    FOREIGN KEY (flow_id) REFERENCES selfservice_flows(id) ON DELETE CASCADE,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT selfservice_link_tokens_hash_uq UNIQUE (token_hash)
);
CREATE INDEX selfservice_link_tokens_identity_idx ON selfservice_link_tokens (identity_id);
CREATE INDEX selfservice_link_tokens_flow_idx ON selfservice_link_tokens (flow_id);
CREATE TABLE courier_messages (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    template_type TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at DATETIME NOT NULL,
    locked_until DATETIME NULL,
    last_error TEXT NOT NULL,
    sent_at DATETIME NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
CREATE INDEX courier_messages_due_idx ON courier_messages (status, next_attempt_at);
CREATE TABLE login_throttles (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start DATETIME NOT NULL,
    locked_until DATETIME NULL,
    updated_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE login_throttles;
DROP TABLE courier_messages;
DROP TABLE selfservice_link_tokens;
DROP TABLE selfservice_errors;
DROP TABLE selfservice_flows;
DROP TABLE sessions;
DROP TABLE identity_recovery_addresses;
DROP TABLE identity_verifiable_addresses;
DROP TABLE identity_credential_identifiers;
DROP TABLE identity_credentials;
DROP TABLE identities;
