package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
)

func sessionCases() []testCase {
	return []testCase{
		{"session/create_then_find_by_any_candidate_hash", sessionRoundTrip},
		{"session/whoami_returns_every_address_once", sessionManyAddresses},
		{"session/unknown_hash_is_ErrNotFound", sessionNotFound},
		{"session/same_token_hash_twice_is_ErrConflict", sessionConflict},
		{"session/needs_an_existing_identity", sessionNeedsIdentity},
		{"session/revoke_by_token_hash_is_repeatable", sessionRevoke},
		{"session/revoke_identity_sessions_keeps_one_and_spares_others", sessionRevokeIdentity},
		{"session/writes_that_change_a_whoami_answer_are_noted", sessionChangesNoted},
	}
}

// randomHash stands in for a keyed token hash: 64 hex characters.
func randomHash() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// issue stores a session for i and returns it with its token hash.
func (h *h) issue(i *identity.Identity, issued time.Time, lifespan time.Duration) (*session.Session, string) {
	h.t.Helper()
	s := &session.Session{
		ID: uuid.New(), Active: true, IssuedAt: issued, AuthenticatedAt: issued.Add(-time.Second),
		ExpiresAt: issued.Add(lifespan), Identity: i, IdentityID: i.ID,
	}
	hash := randomHash()
	if err := h.s.CreateSession(h.ctx, s, hash); err != nil {
		h.t.Fatalf("CreateSession: %v", err)
	}
	return s, hash
}

func (h *h) find(hashes ...string) *session.Session {
	h.t.Helper()
	s, err := h.s.SessionByTokenHash(h.ctx, hashes)
	if err != nil {
		h.t.Fatalf("SessionByTokenHash: %v", err)
	}
	if s == nil || s.Identity == nil {
		h.t.Fatalf("SessionByTokenHash returned %+v without an error", s)
	}
	return s
}

func sameSession(h *h, got, want *session.Session) {
	h.t.Helper()
	if got.ID != want.ID || got.Active != want.Active {
		h.t.Errorf("session = %s active=%v, want %s active=%v", got.ID, got.Active, want.ID, want.Active)
	}
	if got.IdentityID != want.IdentityID {
		h.t.Errorf("session identity id = %s, want %s", got.IdentityID, want.IdentityID)
	}
	sameTime(h.t, "issued_at", got.IssuedAt, want.IssuedAt)
	sameTime(h.t, "expires_at", got.ExpiresAt, want.ExpiresAt)
	sameTime(h.t, "authenticated_at", got.AuthenticatedAt, want.AuthenticatedAt)
}

func sessionRoundTrip(h *h) {
	i := newIdentity(at(1), "who@example.com")
	h.create(i)
	s, hash := h.issue(i, at(2), 24*time.Hour)

	// The lookup passes one candidate per configured secret; the stored
	// hash may be any of them.
	got := h.find(randomHash(), hash, randomHash())
	sameSession(h, got, s)
	sameIdentity(h.t, got.Identity, i)
}

func sessionManyAddresses(h *h) {
	// The whoami query joins both address tables; 3 x 2 joined rows must
	// still give 3 and 2 addresses.
	i := newIdentity(at(1), "a@example.com", "b@example.com", "c@example.com")
	i.RecoveryAddresses = i.RecoveryAddresses[:2]
	verifiedAt := at(2)
	i.VerifiableAddresses[1].Verified = true
	i.VerifiableAddresses[1].Status = identity.StatusCompleted
	i.VerifiableAddresses[1].VerifiedAt = &verifiedAt
	h.create(i)
	_, hash := h.issue(i, at(3), time.Hour)

	got := h.find(hash)
	sameIdentity(h.t, got.Identity, i)
	seen := map[string]bool{}
	for _, a := range got.Identity.VerifiableAddresses {
		if seen[a.Value] {
			h.t.Errorf("verifiable address %s appears twice", a.Value)
		}
		seen[a.Value] = true
	}
}

func sessionNotFound(h *h) {
	i := newIdentity(at(1), "someone@example.com")
	h.create(i)
	h.issue(i, at(2), time.Hour)

	got, err := h.s.SessionByTokenHash(h.ctx, []string{randomHash(), randomHash()})
	wantErr(h.t, "SessionByTokenHash of unknown hashes", err, store.ErrNotFound)
	if got != nil {
		h.t.Errorf("SessionByTokenHash of unknown hashes returned %+v", got)
	}
	wantErr(h.t, "RevokeSessionByTokenHash of an unknown hash", h.s.RevokeSessionByTokenHash(h.ctx, []string{randomHash()}), store.ErrNotFound)
}

func sessionConflict(h *h) {
	i := newIdentity(at(1), "dup@example.com")
	h.create(i)
	_, hash := h.issue(i, at(2), time.Hour)
	s := &session.Session{ID: uuid.New(), Active: true, IssuedAt: at(3), AuthenticatedAt: at(3), ExpiresAt: at(4), Identity: i, IdentityID: i.ID}
	wantErr(h.t, "CreateSession with a token hash in use", h.s.CreateSession(h.ctx, s, hash), store.ErrConflict)
}

func sessionNeedsIdentity(h *h) {
	// Foreign keys are enforced on every dialect (SQLite needs a pragma).
	ghost := newIdentity(at(1), "ghost@example.com")
	s := &session.Session{ID: uuid.New(), Active: true, IssuedAt: at(2), AuthenticatedAt: at(2), ExpiresAt: at(3), Identity: ghost, IdentityID: ghost.ID}
	if err := h.s.CreateSession(h.ctx, s, randomHash()); err == nil {
		h.t.Fatal("CreateSession for an identity that does not exist succeeded")
	}
	if n := h.count("sessions", ghost.ID); n != 0 {
		h.t.Errorf("%d sessions stored for an identity that does not exist", n)
	}
}

func sessionRevoke(h *h) {
	i := newIdentity(at(1), "revoke@example.com")
	h.create(i)
	_, hash := h.issue(i, at(2), time.Hour)
	other, otherHash := h.issue(i, at(2), time.Hour)

	if err := h.s.RevokeSessionByTokenHash(h.ctx, []string{randomHash(), hash}); err != nil {
		h.t.Fatalf("RevokeSessionByTokenHash: %v", err)
	}
	// The store still finds a revoked session (the manager refuses it), so
	// DELETE /sessions can answer 204 for it again.
	got := h.find(hash)
	if got.Active {
		h.t.Error("session is still active after revocation")
	}
	if err := h.s.RevokeSessionByTokenHash(h.ctx, []string{hash}); err != nil {
		h.t.Errorf("revoking a revoked session again: %v, want nil", err)
	}
	if !h.find(otherHash).Active {
		h.t.Errorf("revoking one session revoked another (%s)", other.ID)
	}
}

func sessionRevokeIdentity(h *h) {
	a := newIdentity(at(1), "a@example.com")
	b := newIdentity(at(1), "b@example.com")
	h.create(a)
	h.create(b)
	_, a1 := h.issue(a, at(2), time.Hour)
	keep, a2 := h.issue(a, at(3), time.Hour)
	_, a3 := h.issue(a, at(4), time.Hour)
	_, b1 := h.issue(b, at(2), time.Hour)

	if err := h.s.RevokeIdentitySessions(h.ctx, a.ID, keep.ID); err != nil {
		h.t.Fatalf("RevokeIdentitySessions: %v", err)
	}
	for hash, want := range map[string]bool{a1: false, a2: true, a3: false, b1: true} {
		if got := h.find(hash).Active; got != want {
			h.t.Errorf("session active = %v, want %v", got, want)
		}
	}
	// uuid.Nil keeps none.
	if err := h.s.RevokeIdentitySessions(h.ctx, a.ID, uuid.Nil); err != nil {
		h.t.Fatalf("RevokeIdentitySessions(keep none): %v", err)
	}
	if h.find(a2).Active {
		h.t.Error("RevokeIdentitySessions with uuid.Nil kept a session")
	}
	if !h.find(b1).Active {
		h.t.Error("RevokeIdentitySessions revoked another identity's session")
	}
}

// sessionChangesNoted: the whoami cache asks the database to catch up
// after a request only when the store noted a write that can change a
// whoami answer (store.NoteChange). Creating a session cannot, so a
// sign-in costs the next whoami nothing; a revocation, an identity's
// creation (its addresses fire the change triggers), update or deletion
// must be noted.
func sessionChangesNoted(h *h) {
	i := newIdentity(at(1), "noted@example.com")
	h.create(i)
	calls := 0
	ctx, changed := store.TrackChanges(h.ctx, func() { calls++ })
	s := &session.Session{ID: uuid.New(), Active: true, IssuedAt: at(2), AuthenticatedAt: at(2), ExpiresAt: at(2).Add(time.Hour), Identity: i, IdentityID: i.ID}
	hash := randomHash()
	if err := h.s.CreateSession(ctx, s, hash); err != nil {
		h.t.Fatalf("CreateSession: %v", err)
	}
	if changed() || calls != 0 {
		h.t.Fatalf("creating a session noted a change (%d calls)", calls)
	}
	for _, w := range []struct {
		name  string
		write func(ctx context.Context) error
	}{
		{"CreateIdentity", func(ctx context.Context) error {
			return h.s.CreateIdentity(ctx, newIdentity(at(3), "noted-too@example.com"))
		}},
		{"RevokeSessionByTokenHash", func(ctx context.Context) error { return h.s.RevokeSessionByTokenHash(ctx, []string{hash}) }},
		{"RevokeIdentitySessions", func(ctx context.Context) error { return h.s.RevokeIdentitySessions(ctx, i.ID, uuid.Nil) }},
		{"UpdateIdentity", func(ctx context.Context) error { return h.s.UpdateIdentity(ctx, i) }},
		{"DeleteIdentity", func(ctx context.Context) error { return h.s.DeleteIdentity(ctx, i.ID) }},
	} {
		ctx, changed := store.TrackChanges(h.ctx, func() {})
		if err := w.write(ctx); err != nil {
			h.t.Fatalf("%s: %v", w.name, err)
		}
		if !changed() {
			h.t.Errorf("%s noted no change", w.name)
		}
	}
}
