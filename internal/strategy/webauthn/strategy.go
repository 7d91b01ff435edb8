package webauthn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
)

// Method names the strategy and its node group.
const Method = "webauthn"

// Store is what the strategy needs from storage.
type Store interface {
	// IdentityByIdentifier finds the identity owning one of the
	// identifiers of a credential type; store.ErrNotFound if none.
	IdentityByIdentifier(ctx context.Context, ctype identity.CredentialType, identifiers []string) (*identity.Identity, *identity.Credential, error)
	// Identity loads an identity; store.ErrNotFound if none.
	Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error)
	// Credentials loads every credential of an identity, by type.
	Credentials(ctx context.Context, identityID uuid.UUID) (map[identity.CredentialType]*identity.Credential, error)
	// SetCredential writes a credential with its identifiers, replacing
	// the identity's credential of that type.
	SetCredential(ctx context.Context, identityID uuid.UUID, c *identity.Credential) error
	// DeleteCredential removes the identity's credential of a type.
	DeleteCredential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) error
	// SwapCredentialConfig replaces a credential's config only while it
	// is still old, reporting whether it did.
	SwapCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, old, next json.RawMessage) (bool, error)
}

// Strategy is the webauthn method of the settings, login and registration
// flows.
type Strategy struct {
	RP *webauthn.WebAuthn
	// Passwordless makes keys a first factor (passkeys) instead of a
	// second one.
	Passwordless bool
	Store        Store
	Identities   *identity.Manager
	Schemas      *schema.Registry
	// PublicBase is serve.public.base_url, where the script is served.
	PublicBase string
	// NewAddressStatus is the status of addresses a sign-up creates.
	NewAddressStatus string
	Clock            clock.Clock
	Log              *slog.Logger
}

// New builds the strategy's relying party from the configuration.
func New(cfg config.WebAuthnMethod, publicBase string) (*Strategy, error) {
	rp, err := webauthn.New(&webauthn.Config{
		RPID: cfg.Config.RP.ID, RPDisplayName: cfg.Config.RP.DisplayName, RPOrigins: cfg.AllowedOrigins(publicBase),
		AttestationPreference: protocol.PreferNoAttestation,
		// The flow's lifespan bounds a ceremony; the library's own
		// timer would read the wall clock, not the app's.
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: 5 * time.Minute},
			Registration: webauthn.TimeoutConfig{Timeout: 5 * time.Minute},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("selfservice.methods.webauthn.config.rp: %w", err)
	}
	return &Strategy{RP: rp, Passwordless: cfg.Config.Passwordless, PublicBase: publicBase}, nil
}

// ID names the strategy.
func (s *Strategy) ID() string { return Method }

// ceremony is what a flow keeps of the options it showed.
type ceremony struct {
	Session webauthn.SessionData `json:"session"`
	// Identity is who signs in (login) or the id the new identity gets
	// (registration: the user handle of its first key).
	Identity uuid.UUID `json:"identity_id"`
}

// internalKey is the flow's internal key of a ceremony.
const internalKey = "webauthn"

func keep(f *flow.Flow, c ceremony) error { return f.SetInternal(internalKey, c) }

// take removes the ceremony from the flow and returns it: a response is
// checked against it once. ok is false when the flow has none.
func take(f *flow.Flow) (c ceremony, ok bool, err error) {
	if !f.GetInternal(internalKey, &c) {
		return c, false, nil
	}
	return c, true, f.SetInternal(internalKey, nil)
}

func (s *Strategy) credentials(ctx context.Context, id uuid.UUID) (*identity.Credential, Config, error) {
	creds, err := s.Store.Credentials(ctx, id)
	if err != nil {
		return nil, Config{}, err
	}
	c := creds[CredentialType]
	cfg, err := parseConfig(c)
	return c, cfg, err
}

// save writes an identity's keys; none left removes the credential.
func (s *Strategy) save(ctx context.Context, i *identity.Identity, cfg Config) error {
	if len(cfg.Credentials) == 0 {
		return s.Store.DeleteCredential(ctx, i.ID, CredentialType)
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	ids, err := s.identifiers(i)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.Store.SetCredential(ctx, i.ID, &identity.Credential{ID: uuid.New(), Type: CredentialType, Identifiers: ids, Config: raw, CreatedAt: now, UpdatedAt: now})
}

var errNoIdentifier = errors.New("webauthn: the identity schema flags no trait as credentials.webauthn.identifier")

// identifiers are the traits a key signs in with.
func (s *Strategy) identifiers(i *identity.Identity) ([]string, error) {
	sch, ok := s.Schemas.Schema(i.SchemaID)
	if !ok {
		sch = s.Schemas.Default()
	}
	ext, err := sch.Extract(i.Traits)
	if err != nil {
		return nil, err
	}
	if len(ext.WebAuthnIdentifiers) == 0 {
		return nil, errNoIdentifier
	}
	return ext.WebAuthnIdentifiers, nil
}

// displayName is what the authenticator shows for the account: its first
// identifier, else its id.
func (s *Strategy) displayName(i *identity.Identity) string {
	if ids, err := s.identifiers(i); err == nil {
		return ids[0]
	}
	return i.ID.String()
}

// optionsJSON is a ceremony's options as a trigger button carries them.
func optionsJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
