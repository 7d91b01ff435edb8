package session

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
)

// AAL is an authenticator assurance level, as the later reference versions
// name them.
type AAL string

const (
	AAL0 AAL = "aal0" // no method recorded: usable by nothing
	AAL1 AAL = "aal1" // a first factor
	AAL2 AAL = "aal2" // a first and a second factor
)

// Authentication method names, as in the later versions' AMR.
const (
	MethodPassword     = "password"
	MethodOIDC         = "oidc"
	MethodTOTP         = "totp"
	MethodLookupSecret = "lookup_secret"
	MethodWebAuthn     = "webauthn"
	MethodPasskey      = "passkey"
	MethodLinkRecovery = "link_recovery"
)

// AuthenticationMethod is one entry of a session's AMR: a method the
// session was authenticated with, at which level, and when.
type AuthenticationMethod struct {
	Method      string    `json:"method"`
	AAL         AAL       `json:"aal"`
	CompletedAt time.Time `json:"completed_at"`
}

// FirstFactor is an aal1 method completed at at.
func FirstFactor(method string, at time.Time) AuthenticationMethod {
	return AuthenticationMethod{Method: method, AAL: AAL1, CompletedAt: at.UTC().Truncate(time.Microsecond)}
}

// SecondFactor is an aal2 method completed at at.
func SecondFactor(method string, at time.Time) AuthenticationMethod {
	return AuthenticationMethod{Method: method, AAL: AAL2, CompletedAt: at.UTC().Truncate(time.Microsecond)}
}

// LevelOf is the level a list of methods reaches: aal2 needs a first and a
// second factor, aal1 any first factor, and nothing is aal0.
func LevelOf(methods []AuthenticationMethod) AAL {
	var first, second bool
	for _, m := range methods {
		switch m.AAL {
		case AAL1:
			first = true
		case AAL2:
			second = true
		}
	}
	switch {
	case first && second:
		return AAL2
	case first || second:
		return AAL1
	}
	return AAL0
}

// legacyMethods are the methods of a session stored before Latchkey kept
// them (or imported from v0.6.3): v0.6.3 signed in with a password only.
func legacyMethods(authenticatedAt time.Time) []AuthenticationMethod {
	return []AuthenticationMethod{FirstFactor(MethodPassword, authenticatedAt)}
}

// ReadMethods decodes the stored AMR column; a session without one (from
// before it existed, or imported from the reference) was a password
// sign-in at aal1.
func ReadMethods(raw string, valid bool, authenticatedAt time.Time) []AuthenticationMethod {
	var out []AuthenticationMethod
	if !valid || json.Unmarshal([]byte(raw), &out) != nil || len(out) == 0 {
		return legacyMethods(authenticatedAt)
	}
	return out
}

// AtLeast reports whether level a meets want.
func (a AAL) AtLeast(want AAL) bool { return a >= want } // "aal0" < "aal1" < "aal2"

// SecondFactorProbe says whether an identity's stored credential of one
// type is a second factor (a confirmed TOTP key, recovery codes, a WebAuthn
// key that is not passwordless). Strategies register one each.
type SecondFactorProbe struct {
	Type identity.CredentialType
	// Counts judges the credential's stored config.
	Counts func(config json.RawMessage) bool
}

// CredentialReader reads the configs of an identity's credentials of some
// types, in one round trip.
type CredentialReader interface {
	CredentialConfigs(ctx context.Context, identityID uuid.UUID, types []identity.CredentialType) (map[identity.CredentialType]json.RawMessage, error)
}

// Upgrader stores a session's new methods and authentication time.
type Upgrader interface {
	UpdateSessionMethods(ctx context.Context, s *Session) error
}
