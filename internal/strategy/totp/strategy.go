package totp

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/totp"
)

// Method is the strategy's id, its credential type and its node group.
const Method = "totp"

// CredentialType is the stored credential's type.
const CredentialType identity.CredentialType = Method

// Store is what the strategy keeps credentials in.
type Store interface {
	Credential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) (*identity.Credential, error)
	SetCredential(ctx context.Context, identityID uuid.UUID, c *identity.Credential) error
	SwapCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, old, next json.RawMessage) (bool, error)
	DeleteCredential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) error
}

// Strategy is the TOTP method.
type Strategy struct {
	Store  Store
	Sealer *totp.Sealer
	Issuer string
	Clock  clock.Clock
}

// ID implements the flow strategies.
func (s *Strategy) ID() string { return Method }

// config is the stored credential: the key URL sealed under
// secrets.cipher, and the time step of the last accepted code so that no
// code is accepted twice.
type config struct {
	SealedURL string `json:"sealed_totp_url"`
	LastStep  int64  `json:"last_step"`
}

// Probe tells the session manager which identities have TOTP set up.
func Probe() session.SecondFactorProbe {
	return session.SecondFactorProbe{Type: CredentialType, Counts: func(raw json.RawMessage) bool {
		var c config
		return json.Unmarshal(raw, &c) == nil && c.SealedURL != ""
	}}
}

// load returns i's TOTP credential and its config, or nil without one.
func (s *Strategy) load(ctx context.Context, i *identity.Identity) (*identity.Credential, *config, error) {
	c, err := s.Store.Credential(ctx, i.ID, CredentialType)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var cfg config
	if err := json.Unmarshal(c.Config, &cfg); err != nil || cfg.SealedURL == "" {
		return nil, nil, nil
	}
	return c, &cfg, nil
}

// account names the identity in the authenticator app: its first address,
// else its id.
func account(i *identity.Identity) string {
	if len(i.VerifiableAddresses) > 0 {
		return i.VerifiableAddresses[0].Value
	}
	if len(i.RecoveryAddresses) > 0 {
		return i.RecoveryAddresses[0].Value
	}
	return i.ID.String()
}
