-- The whole Latchkey schema, MySQL 8 / MariaDB 10.6+ dialect. Binary collation
-- keeps identifier comparison exact; they are canonicalised before storage.
-- +goose Up
CREATE TABLE identities (
    id CHAR(36) PRIMARY KEY,
    schema_id VARCHAR(255) NOT NULL,
    traits MEDIUMTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX identities_created_at_idx (created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE identity_credentials (
    id CHAR(36) PRIMARY KEY,
    identity_id CHAR(36) NOT NULL,
    type VARCHAR(32) NOT NULL,
    config MEDIUMTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_credentials_identity_type_uq UNIQUE (identity_id, type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE identity_credential_identifiers (
    id CHAR(36) PRIMARY KEY,
    identity_id CHAR(36) NOT NULL,
    credential_id CHAR(36) NOT NULL,
    type VARCHAR(32) NOT NULL,
    identifier VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    FOREIGN KEY (credential_id) REFERENCES identity_credentials(id) ON DELETE CASCADE,
    CONSTRAINT identity_credential_identifiers_uq UNIQUE (type, identifier),
    INDEX identity_credential_identifiers_identity_idx (identity_id),
    INDEX identity_credential_identifiers_credential_idx (credential_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE identity_verifiable_addresses (
    id CHAR(36) PRIMARY KEY,
    identity_id CHAR(36) NOT NULL,
    via VARCHAR(16) NOT NULL,
    value VARCHAR(255) NOT NULL,
    verified BOOLEAN NOT NULL,
    status VARCHAR(16) NOT NULL,
    verified_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_verifiable_addresses_uq UNIQUE (via, value),
    INDEX identity_verifiable_addresses_identity_idx (identity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE identity_recovery_addresses (
    id CHAR(36) PRIMARY KEY,
    identity_id CHAR(36) NOT NULL,
    via VARCHAR(16) NOT NULL,
    value VARCHAR(255) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT identity_recovery_addresses_uq UNIQUE (via, value),
    INDEX identity_recovery_addresses_identity_idx (identity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE sessions (
    id CHAR(36) PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL,
    identity_id CHAR(36) NOT NULL,
    active BOOLEAN NOT NULL,
    issued_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    authenticated_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_hash_uq UNIQUE (token_hash),
    INDEX sessions_identity_idx (identity_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE selfservice_flows (
    id CHAR(36) PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    type VARCHAR(16) NOT NULL,
    state VARCHAR(32) NOT NULL,
    identity_id CHAR(36) NULL,
    csrf_token VARCHAR(64) NOT NULL,
    request_url MEDIUMTEXT NOT NULL,
    return_to MEDIUMTEXT NOT NULL,
    forced BOOLEAN NOT NULL,
    active_method VARCHAR(32) NOT NULL,
    ui MEDIUMTEXT NOT NULL,
    internal MEDIUMTEXT NOT NULL,
    issued_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    INDEX selfservice_flows_identity_idx (identity_id),
    INDEX selfservice_flows_expires_idx (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE selfservice_errors (
    id CHAR(36) PRIMARY KEY,
    errors MEDIUMTEXT NOT NULL,
    csrf_token VARCHAR(64) NOT NULL,
    seen_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE selfservice_link_tokens (
    id CHAR(36) PRIMARY KEY,
    token_hash VARCHAR(64) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    flow_id CHAR(36) NULL,
    identity_id CHAR(36) NOT NULL,
    address_id CHAR(36) NULL,
    used BOOLEAN NOT NULL,
    used_at DATETIME(6) NULL,
    expires_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    FOREIGN KEY (flow_id) REFERENCES selfservice_flows(id) ON DELETE CASCADE,
    FOREIGN KEY (identity_id) REFERENCES identities(id) ON DELETE CASCADE,
    CONSTRAINT selfservice_link_tokens_hash_uq UNIQUE (token_hash),
    INDEX selfservice_link_tokens_identity_idx (identity_id),
    INDEX selfservice_link_tokens_flow_idx (flow_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE courier_messages (
    id CHAR(36) PRIMARY KEY,
    type VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL,
    recipient VARCHAR(255) NOT NULL,
    subject TEXT NOT NULL,
    body MEDIUMTEXT NOT NULL,
    body_html MEDIUMTEXT NOT NULL,
    template_type VARCHAR(64) NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at DATETIME(6) NOT NULL,
    locked_until DATETIME(6) NULL,
    last_error TEXT NOT NULL,
    sent_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    INDEX courier_messages_due_idx (status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE login_throttles (
    throttle_key VARCHAR(255) PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start DATETIME(6) NOT NULL,
    locked_until DATETIME(6) NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

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
