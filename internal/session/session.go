package session

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
)

// Session is an authenticated identity's session.
type Session struct {
	ID              uuid.UUID          `json:"id"`
	Active          bool               `json:"active"`
	ExpiresAt       time.Time          `json:"expires_at"`
	AuthenticatedAt time.Time          `json:"authenticated_at"`
	IssuedAt        time.Time          `json:"issued_at"`
	Identity        *identity.Identity `json:"identity"`
	// Devices is where the session was signed in from (the later
	// reference versions' field; v0.6.3 clients ignore it).
	Devices []Device `json:"devices"`
	// AAL and AMR are the later versions' assurance level and the methods
	// that reached it; v0.6.3 clients ignore both.
	AAL        AAL                    `json:"authenticator_assurance_level"`
	AMR        []AuthenticationMethod `json:"authentication_methods"`
	IdentityID uuid.UUID              `json:"-"`
}

// Device is the client a session was signed in from, as the later
// reference versions show it, plus when it was first and last seen.
type Device struct {
	ID        uuid.UUID `json:"id"`
	IPAddress string    `json:"ip_address"`
	UserAgent string    `json:"user_agent"`
	Location  string    `json:"location"`
	FirstSeen time.Time `json:"first_seen_at"`
	LastSeen  time.Time `json:"last_seen_at"`
}

// Usable reports whether the session may authenticate a request now.
func (s *Session) Usable(now time.Time) bool {
	return s.Active && now.Before(s.ExpiresAt)
}

// Store persists sessions by the keyed hash of their token.
type Store interface {
	CreateSession(ctx context.Context, s *Session, tokenHash string) error
	// CreateSessionWithRehash creates the session and, in the same
	// transaction, replaces the credential config r.Old by r.New (nothing
	// when the stored config is no longer r.Old).
	CreateSessionWithRehash(ctx context.Context, s *Session, tokenHash string, r *identity.Rehash) error
	// SessionByTokenHash finds the session whose token hashes to one of
	// hashes, with its identity and addresses, in one round trip.
	SessionByTokenHash(ctx context.Context, hashes []string) (*Session, error)
	// RevokeSessionByTokenHash deactivates a session; store.ErrNotFound when
	// no session has the token.
	RevokeSessionByTokenHash(ctx context.Context, hashes []string) error
	// RevokeIdentitySessions deactivates every session of an identity except
	// keep (uuid.Nil keeps none).
	RevokeIdentitySessions(ctx context.Context, identityID, keep uuid.UUID) error
	// UpdateSessionMethods stores s.AAL, s.AMR and s.AuthenticatedAt (a
	// step-up keeps the session's id and token).
	UpdateSessionMethods(ctx context.Context, s *Session) error
}

// ErrNoSession means the request carries no usable session: none, unknown,
// expired or revoked. Database failures are other errors.
var ErrNoSession = errors.New("session: no valid session")
