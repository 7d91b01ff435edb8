-- The whole Latchkey schema, PostgreSQL dialect. Foreign keys cascade so that
-- deleting an identity removes everything it owns.
-- +goose Up
CREATE TABLE identities (
    id UUID PRIMARY KEY,
    schema_id VARCHAR(255) NOT NULL,
    traits TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX identities_created_at_idx ON identities (created_at, id);
CREATE TABLE identity_credentials (
    id UUID PRIMARY KEY,
    identity_id UUID NOT NULL,
    type VARCHAR(32) NOT NULL,
    config TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_credentials_identity_type_uq UNIQUE (identity_id, type)
);
CREATE TABLE identity_credential_identifiers (
    id UUID PRIMARY KEY,
    identity_id UUID NOT NULL,
    credential_id UUID NOT NULL,
    type VARCHAR(32) NOT NULL,
    identifier VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    FOREIGN KEY (credential_id) REFERENCES identity_credentials(id) ON DELETE CASCADE,
    CONSTRAINT identity_credential_identifiers_uq UNIQUE (type, identifier)
);
CREATE INDEX identity_credential_identifiers_identity_idx ON identity_credential_identifiers (identity_id);
CREATE INDEX identity_credential_identifiers_credential_idx ON identity_credential_identifiers (credential_id);
CREATE TABLE identity_verifiable_addresses (
    id UUID PRIMARY KEY,
    identity_id UUID NOT NULL,
    via VARCHAR(16) NOT NULL,
    value VARCHAR(255) NOT NULL,
    verified BOOLEAN NOT NULL,
    status VARCHAR(16) NOT NULL,
    verified_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_verifiable_addresses_uq UNIQUE (via, value)
);
CREATE INDEX identity_verifiable_addresses_identity_idx ON identity_verifiable_addresses (identity_id);
CREATE TABLE identity_recovery_addresses (
    id UUID PRIMARY KEY,
    identity_id UUID NOT NULL,
    via VARCHAR(16) NOT NULL,
    value VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_recovery_addresses_uq UNIQUE (via, value)
);
CREATE INDEX identity_recovery_addresses_identity_idx ON identity_recovery_addresses (identity_id);
CREATE TABLE sessions (
    id UUID PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL,
    identity_id UUID NOT NULL,
    active BOOLEAN NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    authenticated_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_hash_uq UNIQUE (token_hash)
);
CREATE INDEX sessions_identity_idx ON sessions (identity_id);
CREATE TABLE selfservice_flows (
    id UUID PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    type VARCHAR(16) NOT NULL,
    state VARCHAR(32) NOT NULL,
    identity_id UUID NULL,
    csrf_token VARCHAR(64) NOT NULL,
    request_url TEXT NOT NULL,
    return_to TEXT NOT NULL,
    forced BOOLEAN NOT NULL,
    active_method VARCHAR(32) NOT NULL,
    ui TEXT NOT NULL,
    internal TEXT NOT NULL,
    issued_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE
);
CREATE INDEX selfservice_flows_identity_idx ON selfservice_flows (identity_id);
CREATE INDEX selfservice_flows_expires_idx ON selfservice_flows (expires_at);
CREATE TABLE selfservice_errors (
    id UUID PRIMARY KEY,
    errors TEXT NOT NULL,
    csrf_token VARCHAR(64) NOT NULL,
    seen_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE selfservice_link_tokens (
    id UUID PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    flow_id UUID NULL,
    identity_id UUID NOT NULL,
    address_id UUID NULL,
    used BOOLEAN NOT NULL,
    used_at TIMESTAMPTZ NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (flow_id) REFERENCES selfservice_flows(id) ON DELETE CASCADE,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT selfservice_link_tokens_hash_uq UNIQUE (token_hash)
);
CREATE INDEX selfservice_link_tokens_identity_idx ON selfservice_link_tokens (identity_id);
CREATE INDEX selfservice_link_tokens_flow_idx ON selfservice_link_tokens (flow_id);
CREATE TABLE courier_messages (
    id UUID PRIMARY KEY,
    type VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    recipient VARCHAR(255) NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    body_html TEXT NOT NULL,
    template_type VARCHAR(64) NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ NULL,
    last_error TEXT NOT NULL,
    sent_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX courier_messages_due_idx ON courier_messages (status, next_attempt_at);
CREATE TABLE login_throttles (
    throttle_key VARCHAR(255) PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ NULL,
    updated_at TIMESTAMPTZ NOT NULL
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
