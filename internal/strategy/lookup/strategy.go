package lookup

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math/big"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/token"
)

// Method is the strategy's id, its credential type and its node group.
const Method = "lookup_secret"

// CredentialType is the stored credential's type.
const CredentialType identity.CredentialType = Method

// The later versions' shape: 12 codes of 8 lowercase letters and digits.
const (
	codeCount  = 12
	codeLength = 8
	alphabet   = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// Store is what the strategy keeps credentials in.
type Store interface {
	Credential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) (*identity.Credential, error)
	SetCredential(ctx context.Context, identityID uuid.UUID, c *identity.Credential) error
	SwapCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, old, next json.RawMessage) (bool, error)
	DeleteCredential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) error
}

// Strategy is the recovery-code method.
type Strategy struct {
	Store Store
	// Tokens hashes codes with the configured secrets, so a copy of the
	// database does not reveal them (8 characters are too few for a plain
	// hash to hide).
	Tokens *token.Hasher
	Clock  clock.Clock
}

// ID implements the flow strategies.
func (s *Strategy) ID() string { return Method }

type code struct {
	Hash   string     `json:"code_hash"`
	UsedAt *time.Time `json:"used_at,omitempty"`
}

type config struct {
	Codes []code `json:"recovery_codes"`
}

// Probe tells the session manager which identities have recovery codes:
// any, even all used, as the later versions count them.
func Probe() session.SecondFactorProbe {
	return session.SecondFactorProbe{Type: CredentialType, Counts: func(raw json.RawMessage) bool {
		var c config
		return json.Unmarshal(raw, &c) == nil && len(c.Codes) > 0
	}}
}

// purpose binds a code's hash to its identity: the same code of another
// account hashes differently.
func purpose(id uuid.UUID) string { return "lookup_secret:" + id.String() }

func (s *Strategy) load(ctx context.Context, id uuid.UUID) (*identity.Credential, *config, error) {
	c, err := s.Store.Credential(ctx, id, CredentialType)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var cfg config
	if err := json.Unmarshal(c.Config, &cfg); err != nil || len(cfg.Codes) == 0 {
		return nil, nil, nil
	}
	return c, &cfg, nil
}

// newCodes makes a fresh set.
func newCodes() ([]string, error) {
	out := make([]string, codeCount)
	max := big.NewInt(int64(len(alphabet)))
	for k := range out {
		b := make([]byte, codeLength)
		for j := range b {
			n, err := rand.Int(rand.Reader, max)
			if err != nil {
				return nil, err
			}
			b[j] = alphabet[n.Int64()]
		}
		out[k] = string(b)
	}
	return out, nil
}

// find returns the index of the stored code that c is, or -1. Every stored
// hash is compared, in constant time, whatever matches first.
func (s *Strategy) find(id uuid.UUID, cfg *config, c string) int {
	found := -1
	for _, h := range s.Tokens.Candidates(purpose(id), c) {
		for k, stored := range cfg.Codes {
			if token.Equal(stored.Hash, h) && found < 0 {
				found = k
			}
		}
	}
	return found
}
