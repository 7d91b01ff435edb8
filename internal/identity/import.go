package identity

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
)

// PasswordHasher is what importing needs of the hasher: hash a plain
// password, check an imported hash.
type PasswordHasher interface {
	Hash(ctx context.Context, password []byte) (string, error)
	Check(encoded string) error
}

// writeBody is the admin API's create and update body: v0.6.3's
// {schema_id, traits}, plus the fields the reference's later versions take
// for importing users (credentials, verified addresses, state).
type writeBody struct {
	SchemaID            string            `json:"schema_id"`
	Traits              json.RawMessage   `json:"traits"`
	State               string            `json:"state,omitempty"`
	MetadataPublic      json.RawMessage   `json:"metadata_public,omitempty"`
	MetadataAdmin       json.RawMessage   `json:"metadata_admin,omitempty"`
	VerifiableAddresses []importedAddress `json:"verifiable_addresses,omitempty"`
	RecoveryAddresses   []importedAddress `json:"recovery_addresses,omitempty"`
	Credentials         *struct {
		Password *struct {
			Config struct {
				Password       string `json:"password,omitempty"`
				HashedPassword string `json:"hashed_password,omitempty"`
			} `json:"config"`
		} `json:"password,omitempty"`
		// WebAuthn is the later versions' import of security keys and
		// passkeys: {config: {credentials: [...], user_handle}}, as stored.
		WebAuthn *struct {
			Config json.RawMessage `json:"config"`
		} `json:"webauthn,omitempty"`
	} `json:"credentials,omitempty"`
}

// importedKeys is what an imported webauthn config must hold at least.
type importedKeys struct {
	Credentials []struct {
		ID        []byte `json:"id"`
		PublicKey []byte `json:"public_key"`
	} `json:"credentials"`
	UserHandle []byte `json:"user_handle"`
}

type importedAddress struct {
	Value      string     `json:"value"`
	Via        string     `json:"via"`
	Verified   bool       `json:"verified"`
	Status     string     `json:"status,omitempty"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	// ID, CreatedAt and UpdatedAt are accepted so that an identity read
	// from GET can be sent back as it is; they are not kept.
	ID        string `json:"id,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// draft validates the import fields of a body and turns them into a Draft;
// now dates an address imported as verified without a time.
// Problems are 400s that say which field is wrong.
func (b *writeBody) draft(ctx context.Context, h PasswordHasher, now time.Time) (Draft, error) {
	d := Draft{SchemaID: b.SchemaID, Traits: b.Traits, AddressStatus: StatusPending}
	if len(b.Traits) == 0 || string(b.Traits) == "null" {
		return d, httpx.ErrBadRequest.WithReason("traits are required")
	}
	if b.State != "" && b.State != "active" {
		return d, httpx.ErrBadRequest.WithReason("state %q is not supported: identities are active", b.State)
	}
	for name, m := range map[string]json.RawMessage{"metadata_public": b.MetadataPublic, "metadata_admin": b.MetadataAdmin} {
		if len(m) > 0 && string(m) != "null" {
			return d, httpx.ErrBadRequest.WithReason("%s is not supported", name)
		}
	}
	for k, a := range b.VerifiableAddresses {
		if a.Via != "email" {
			return d, httpx.ErrBadRequest.WithReason("verifiable_addresses[%d].via must be email", k)
		}
		status := a.Status
		switch {
		case status == "" && a.Verified:
			status = StatusCompleted
		case status == "":
			status = StatusPending
		case status != StatusPending && status != StatusSent && status != StatusCompleted:
			return d, httpx.ErrBadRequest.WithReason("verifiable_addresses[%d].status must be pending, sent or completed", k)
		}
		at := a.VerifiedAt
		if a.Verified && at == nil {
			at = &now
		}
		if !a.Verified {
			at = nil
		}
		if at != nil {
			t := at.UTC().Truncate(time.Microsecond)
			at = &t
		}
		d.Addresses = append(d.Addresses, VerifiableAddress{Value: a.Value, Via: a.Via, Verified: a.Verified, Status: status, VerifiedAt: at})
	}
	for k, a := range b.RecoveryAddresses {
		if a.Via != "email" {
			return d, httpx.ErrBadRequest.WithReason("recovery_addresses[%d].via must be email", k)
		}
	}
	if b.Credentials != nil && b.Credentials.WebAuthn != nil {
		var keys importedKeys
		if err := json.Unmarshal(b.Credentials.WebAuthn.Config, &keys); err != nil || len(keys.Credentials) == 0 {
			return d, httpx.ErrBadRequest.WithReason("credentials.webauthn.config needs credentials[] (id, public_key as base64) and may have user_handle")
		}
		for k, c := range keys.Credentials {
			if len(c.ID) == 0 || len(c.PublicKey) == 0 {
				return d, httpx.ErrBadRequest.WithReason("credentials.webauthn.config.credentials[%d] needs id and public_key", k)
			}
		}
		d.WebAuthnConfig = b.Credentials.WebAuthn.Config
	}
	if b.Credentials == nil || b.Credentials.Password == nil {
		return d, nil
	}
	cfg := b.Credentials.Password.Config
	switch {
	case cfg.Password != "":
		hash, err := h.Hash(ctx, []byte(cfg.Password))
		if err != nil {
			return d, err
		}
		d.PasswordHash = hash
	case cfg.HashedPassword != "":
		if err := h.Check(cfg.HashedPassword); err != nil {
			return d, httpx.ErrBadRequest.WithReason("credentials.password.config.hashed_password: %s", strings.TrimPrefix(err.Error(), "hasher: "))
		}
		d.PasswordHash = cfg.HashedPassword
	default:
		return d, httpx.ErrBadRequest.WithReason("credentials.password.config needs password or hashed_password")
	}
	return d, nil
}

// applyImported lets imported address states override the fresh ones the
// traits produced, where via and value match (values compare as the
// schema canonicalises them: case-insensitively for email).
func applyImported(i *Identity, imported []VerifiableAddress) {
	for k, a := range i.VerifiableAddresses {
		for _, in := range imported {
			if in.Via == a.Via && strings.EqualFold(strings.TrimSpace(in.Value), a.Value) {
				a.Verified, a.Status, a.VerifiedAt = in.Verified, in.Status, in.VerifiedAt
				// A new row id: the store rewrites only rows it does not have.
				a.ID = uuid.New()
				i.VerifiableAddresses[k] = a
			}
		}
	}
}
