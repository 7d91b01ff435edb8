package identity

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Identity is a person or machine that can sign in. Credentials are never
// serialised.
type Identity struct {
	ID                  uuid.UUID           `json:"id"`
	SchemaID            string              `json:"schema_id"`
	SchemaURL           string              `json:"schema_url"`
	Traits              json.RawMessage     `json:"traits"`
	VerifiableAddresses []VerifiableAddress `json:"verifiable_addresses"`
	RecoveryAddresses   []RecoveryAddress   `json:"recovery_addresses"`
	CreatedAt           time.Time           `json:"created_at"`
	UpdatedAt           time.Time           `json:"updated_at"`

	// Credentials by type. Only loaded or written where a caller needs them.
	Credentials map[CredentialType]*Credential `json:"-"`
	// Rehash, when set, replaces a credential's config together with the
	// next session issued for this identity, in one transaction.
	Rehash *Rehash `json:"-"`
}

// Rehash replaces a password hash that verified but is weaker than the
// configured hasher. Old guards the write: should the password change in
// between, the newer hash stays.
type Rehash struct {
	Type     CredentialType
	Old, New json.RawMessage
}

// CredentialType names a way to sign in.
type CredentialType string

// CredentialPassword is the password method's credential.
const CredentialPassword CredentialType = "password"

// Credential is one way an identity signs in: its identifiers and a
// method-specific config (for passwords, the hash).
type Credential struct {
	ID          uuid.UUID
	Type        CredentialType
	Identifiers []string
	// Config is the method's JSON; nil on update means "leave it as stored".
	Config json.RawMessage
	// IfExists, on update, only refreshes the identifiers of a credential
	// the identity already has (a security key's, after the traits
	// changed) and creates none.
	IfExists  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// PasswordConfig is the stored config of a password credential.
type PasswordConfig struct {
	HashedPassword string `json:"hashed_password,omitempty"`
}

// Address statuses, as the reference reports them.
const (
	StatusPending   = "pending"
	StatusSent      = "sent"
	StatusCompleted = "completed"
)

// VerifiableAddress is an address the identity can prove it controls.
type VerifiableAddress struct {
	ID         uuid.UUID  `json:"id"`
	Value      string     `json:"value"`
	Verified   bool       `json:"verified"`
	Via        string     `json:"via"`
	Status     string     `json:"status"`
	VerifiedAt *time.Time `json:"verified_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// RecoveryAddress is an address a recovery link may be sent to.
type RecoveryAddress struct {
	ID        uuid.UUID `json:"id"`
	Value     string    `json:"value"`
	Via       string    `json:"via"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}
