package identity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/schema"
)

// Manager creates and updates identities so that traits always match their
// schema and identifiers and addresses always follow the traits.
type Manager struct {
	Store      Store
	Schemas    *schema.Registry
	PublicBase string // for schema_url
	// Clock stamps created and updated identities.
	Clock clock.Clock
}

// ErrUnknownSchema is returned for a schema id no schema has.
var ErrUnknownSchema = errors.New("identity: unknown schema id")

// Draft is what a caller wants an identity to become.
type Draft struct {
	SchemaID string
	Traits   json.RawMessage
	// AddressStatus is the status new verifiable addresses get: "sent" when
	// a verification mail goes out with this change, "pending" otherwise.
	AddressStatus string
	// PasswordHash, when set, becomes the password credential's hash.
	PasswordHash string
	// WebAuthnConfig, when set, is an imported webauthn credential's
	// config (new identities only).
	WebAuthnConfig json.RawMessage
	// Addresses, when set, give verifiable addresses of the traits their
	// verification state (an import from another system).
	Addresses []VerifiableAddress
}

// Prepare validates a draft and returns the identity it describes, without
// storing it. Errors: ErrUnknownSchema, *schema.ValidationError.
func (m *Manager) Prepare(d Draft) (*Identity, error) {
	sch, err := m.schemaFor(d.SchemaID)
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(d.Traits); err != nil {
		return nil, err
	}
	ext, err := sch.Extract(d.Traits)
	if err != nil {
		return nil, err
	}
	now := m.Clock.Now()
	i := &Identity{ID: uuid.New(), SchemaID: sch.ID, Traits: compact(d.Traits), CreatedAt: now, UpdatedAt: now}
	applyExtracted(i, ext, d.AddressStatus, now)
	applyImported(i, d.Addresses)
	if len(ext.PasswordIdentifiers) > 0 || d.PasswordHash != "" {
		cfg, _ := json.Marshal(PasswordConfig{HashedPassword: d.PasswordHash})
		i.Credentials = map[CredentialType]*Credential{CredentialPassword: {
			ID: uuid.New(), Type: CredentialPassword, Identifiers: ext.PasswordIdentifiers, Config: cfg, CreatedAt: now, UpdatedAt: now,
		}}
	}
	if d.WebAuthnConfig != nil {
		if i.Credentials == nil {
			i.Credentials = map[CredentialType]*Credential{}
		}
		i.Credentials[credentialWebAuthn] = &Credential{
			ID: uuid.New(), Type: credentialWebAuthn, Identifiers: ext.WebAuthnIdentifiers, Config: compact(d.WebAuthnConfig), CreatedAt: now, UpdatedAt: now,
		}
	}
	m.Decorate(i)
	return i, nil
}

// Create validates and stores a new identity.
func (m *Manager) Create(ctx context.Context, d Draft) (*Identity, error) {
	i, err := m.Prepare(d)
	if err != nil {
		return nil, err
	}
	if err := m.Store.CreateIdentity(ctx, i); err != nil {
		return nil, err
	}
	return i, nil
}

// Update re-validates changed traits (and schema) of an existing identity and
// stores them; identifiers and addresses follow. The password hash stays.
func (m *Manager) Update(ctx context.Context, current *Identity, schemaID string, traits json.RawMessage, addressStatus string) (*Identity, error) {
	return m.Apply(ctx, current, Draft{SchemaID: schemaID, Traits: traits, AddressStatus: addressStatus})
}

// Apply is Update for a whole draft: a password hash in it replaces the
// stored one, and its address states override those of the traits.
func (m *Manager) Apply(ctx context.Context, current *Identity, d Draft) (*Identity, error) {
	schemaID, traits, addressStatus := d.SchemaID, d.Traits, d.AddressStatus
	if schemaID == "" {
		schemaID = current.SchemaID
	}
	sch, err := m.schemaFor(schemaID)
	if err != nil {
		return nil, err
	}
	if err := sch.Validate(traits); err != nil {
		return nil, err
	}
	ext, err := sch.Extract(traits)
	if err != nil {
		return nil, err
	}
	now := m.Clock.Now()
	next := *current
	next.SchemaID, next.Traits, next.UpdatedAt = sch.ID, compact(traits), now
	// Addresses keep their rows when the value is unchanged.
	old := current.VerifiableAddresses
	applyExtracted(&next, ext, addressStatus, now)
	for k, a := range next.VerifiableAddresses {
		for _, o := range old {
			if o.Via == a.Via && o.Value == a.Value {
				next.VerifiableAddresses[k] = o
			}
		}
	}
	for k, a := range next.RecoveryAddresses {
		for _, o := range current.RecoveryAddresses {
			if o.Via == a.Via && o.Value == a.Value {
				next.RecoveryAddresses[k] = o
			}
		}
	}
	applyImported(&next, d.Addresses)
	pw := &Credential{ID: uuid.New(), Type: CredentialPassword, Identifiers: ext.PasswordIdentifiers, CreatedAt: now, UpdatedAt: now}
	if d.PasswordHash != "" {
		pw.Config, _ = json.Marshal(PasswordConfig{HashedPassword: d.PasswordHash})
	}
	next.Credentials = map[CredentialType]*Credential{CredentialPassword: pw,
		// Security keys sign in with the flagged traits: their
		// identifiers follow the traits too, where there are keys.
		credentialWebAuthn: {ID: uuid.New(), Type: credentialWebAuthn, Identifiers: ext.WebAuthnIdentifiers, IfExists: true, CreatedAt: now, UpdatedAt: now},
	}
	if err := m.Store.UpdateIdentity(ctx, &next); err != nil {
		return nil, err
	}
	m.Decorate(&next)
	return &next, nil
}

// credentialWebAuthn is the security keys' credential (strategy/webauthn
// names it; identity cannot import the strategy).
const credentialWebAuthn CredentialType = "webauthn"

func (m *Manager) schemaFor(id string) (*schema.Schema, error) {
	if id == "" {
		return m.Schemas.Default(), nil
	}
	s, ok := m.Schemas.Schema(id)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownSchema, id)
	}
	return s, nil
}

// Decorate fills the fields that are derived, not stored.
func (m *Manager) Decorate(i *Identity) {
	i.SchemaURL = SchemaURL(m.PublicBase, i.SchemaID)
	if i.VerifiableAddresses == nil {
		i.VerifiableAddresses = []VerifiableAddress{}
	}
	if i.RecoveryAddresses == nil {
		i.RecoveryAddresses = []RecoveryAddress{}
	}
}

// SchemaURL is where the public API serves an identity's schema.
func SchemaURL(publicBase, schemaID string) string {
	return publicBase + "schemas/" + schemaID
}

func applyExtracted(i *Identity, ext schema.Extracted, status string, now time.Time) {
	if status == "" {
		status = StatusPending
	}
	i.VerifiableAddresses = make([]VerifiableAddress, 0, len(ext.Verifiable))
	for _, a := range ext.Verifiable {
		i.VerifiableAddresses = append(i.VerifiableAddresses, VerifiableAddress{
			ID: uuid.New(), Value: a.Value, Via: a.Via, Status: status, CreatedAt: now, UpdatedAt: now,
		})
	}
	i.RecoveryAddresses = make([]RecoveryAddress, 0, len(ext.Recovery))
	for _, a := range ext.Recovery {
		i.RecoveryAddresses = append(i.RecoveryAddresses, RecoveryAddress{
			ID: uuid.New(), Value: a.Value, Via: a.Via, CreatedAt: now, UpdatedAt: now,
		})
	}
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
