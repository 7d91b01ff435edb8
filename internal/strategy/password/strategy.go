package password

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/hasher"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/throttle"
)

// Store is what the strategy needs from storage.
type Store interface {
	// IdentityByIdentifier finds the identity owning one of the identifiers
	// of a credential type, with the credential; store.ErrNotFound if none.
	IdentityByIdentifier(ctx context.Context, ctype identity.CredentialType, identifiers []string) (*identity.Identity, *identity.Credential, error)
	// SetCredentialConfig writes a credential's config, creating the
	// credential when the identity has none of that type.
	SetCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, config json.RawMessage) error
}

// Strategy is the password method.
type Strategy struct {
	Store      Store
	Identities *identity.Manager
	Schemas    *schema.Registry
	Hasher     *hasher.Hasher
	Policy     *Policy
	// Throttle counts attempts under Limits; nil turns it off.
	Throttle *throttle.Limiter
	Limits   Limits
	Log      *slog.Logger
	// NewAddressStatus is the status of addresses a registration creates:
	// "sent" when a verification mail goes out, "pending" otherwise.
	NewAddressStatus string

	decoy string
}

// Method is the value of "method" that selects this strategy.
const Method = "password"

// ID names the strategy.
func (s *Strategy) ID() string { return Method }

// Init prepares the decoy hash compared against when an identifier is
// unknown, so that case costs what a wrong password costs. The decoy is
// made of random bytes under the configured parameters (hasher.Decoy), not
// hashed: hashing one held every start up by a full hash.
func (s *Strategy) Init(ctx context.Context) error {
	s.decoy = s.Hasher.Decoy()
	return nil
}
