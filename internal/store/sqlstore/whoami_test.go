package sqlstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/kratos"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
	"github.com/latchkey/latchkey/internal/token"
)

// TestEveryNotedChangeBumpsTheCounterOnMariaDB: on MariaDB the whoami
// cache of every instance serves an answer again only while the change
// counter read with it (the Stamp) is unchanged. So every write that can
// change a whoami answer, which the store notes (store.NoteChange), must
// bump the counter of the identity's bucket in its transaction, whatever
// it is keyed by (identity, session id, token hash); and a session's
// creation, which notes nothing, need not.
func TestEveryNotedChangeBumpsTheCounterOnMariaDB(t *testing.T) {
	s, db := openStore(t, testdb.New(t, "mysql"))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)

	type subject struct {
		i    *identity.Identity
		ss   *session.Session
		hash string
	}
	newSubject := func(t *testing.T) subject {
		t.Helper()
		id := uuid.New()
		email := id.String() + "@example.com"
		i := &identity.Identity{ID: id, SchemaID: "default", Traits: json.RawMessage(`{"email":"` + email + `"}`),
			CreatedAt: now, UpdatedAt: now,
			VerifiableAddresses: []identity.VerifiableAddress{{ID: uuid.New(), Value: email, Via: "email", Status: identity.StatusPending, CreatedAt: now, UpdatedAt: now}},
			RecoveryAddresses:   []identity.RecoveryAddress{},
			Credentials: map[identity.CredentialType]*identity.Credential{identity.CredentialPassword: {
				ID: uuid.New(), Type: identity.CredentialPassword, Identifiers: []string{email},
				Config: json.RawMessage(`{"hashed_password":"x"}`), CreatedAt: now, UpdatedAt: now,
			}},
		}
		if err := s.CreateIdentity(ctx, i); err != nil {
			t.Fatal(err)
		}
		ss := &session.Session{ID: uuid.New(), Active: true, IssuedAt: now, AuthenticatedAt: now, ExpiresAt: now.Add(time.Hour), Identity: i, IdentityID: i.ID}
		hash := uuid.NewString()
		noted, changed := store.TrackChanges(ctx, func() {})
		if err := s.CreateSession(noted, ss, hash); err != nil {
			t.Fatal(err)
		}
		if changed() {
			t.Fatal("creating a session noted a change")
		}
		return subject{i, ss, hash}
	}
	// counter reads the session's stamp as whoami does, and then the
	// counter of its bucket directly (the session may be gone after).
	stampOf := func(t *testing.T, x subject) store.Stamp {
		t.Helper()
		sctx, st := store.Stamping(ctx)
		if _, err := s.SessionByTokenHash(sctx, []string{x.hash}); err != nil {
			t.Fatal(err)
		}
		if !st.Set {
			t.Fatal("SessionByTokenHash left the stamp unset on MariaDB")
		}
		return *st
	}
	counter := func(t *testing.T, bucket int) int64 {
		t.Helper()
		var n int64
		if err := db.SQL.QueryRowContext(ctx, `SELECT n FROM whoami_changes WHERE bucket = ?`, bucket).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	for _, w := range []struct {
		name  string
		write func(ctx context.Context, x subject) error
	}{
		{"RevokeSessionByTokenHash", func(ctx context.Context, x subject) error {
			return s.RevokeSessionByTokenHash(ctx, []string{"no-such-hash", x.hash})
		}},
		{"RevokeIdentitySessions", func(ctx context.Context, x subject) error { return s.RevokeIdentitySessions(ctx, x.i.ID, uuid.Nil) }},
		{"RevokeSession by id", func(ctx context.Context, x subject) error { return s.RevokeSession(ctx, uuid.Nil, x.ss.ID, now) }},
		{"RevokeSession of the identity", func(ctx context.Context, x subject) error { return s.RevokeSession(ctx, x.i.ID, x.ss.ID, now) }},
		{"RevokeOtherSessions", func(ctx context.Context, x subject) error {
			n, err := s.RevokeOtherSessions(ctx, x.i.ID, uuid.Nil, now)
			if err == nil && n != 1 {
				t.Errorf("RevokeOtherSessions counted %d sessions, want 1", n)
			}
			return err
		}},
		{"DeleteIdentitySessions", func(ctx context.Context, x subject) error {
			n, err := s.DeleteIdentitySessions(ctx, x.i.ID)
			if err == nil && n != 1 {
				t.Errorf("DeleteIdentitySessions counted %d sessions, want 1", n)
			}
			return err
		}},
		{"ExtendSession", func(ctx context.Context, x subject) error {
			return s.ExtendSession(ctx, x.ss.ID, now.Add(2*time.Hour), now)
		}},
		{"UpdateSessionMethods", func(ctx context.Context, x subject) error {
			x.ss.AAL = session.AAL2
			return s.UpdateSessionMethods(ctx, x.ss)
		}},
		{"UpdateIdentity", func(ctx context.Context, x subject) error {
			x.i.Traits = json.RawMessage(`{"email":"renamed-` + x.i.ID.String() + `@example.com"}`)
			return s.UpdateIdentity(ctx, x.i)
		}},
		{"DeleteIdentity", func(ctx context.Context, x subject) error { return s.DeleteIdentity(ctx, x.i.ID) }},
		{"SetCredentialConfig", func(ctx context.Context, x subject) error {
			return s.SetCredentialConfig(ctx, x.i.ID, identity.CredentialPassword, json.RawMessage(`{"hashed_password":"y"}`))
		}},
		{"SetCredentialConfig of a new type", func(ctx context.Context, x subject) error {
			return s.SetCredentialConfig(ctx, x.i.ID, identity.CredentialType("totp"), json.RawMessage(`{}`))
		}},
		{"SwapCredentialConfig", func(ctx context.Context, x subject) error {
			ok, err := s.SwapCredentialConfig(ctx, x.i.ID, identity.CredentialPassword, json.RawMessage(`{"hashed_password":"x"}`), json.RawMessage(`{"hashed_password":"z"}`))
			if err == nil && !ok {
				t.Error("SwapCredentialConfig did not swap")
			}
			return err
		}},
		{"SetCredential", func(ctx context.Context, x subject) error {
			return s.SetCredential(ctx, x.i.ID, &identity.Credential{ID: uuid.New(), Type: identity.CredentialType("oidc"), Identifiers: []string{"gh:" + x.i.ID.String()},
				Config: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now})
		}},
		{"DeleteCredential", func(ctx context.Context, x subject) error {
			return s.DeleteCredential(ctx, x.i.ID, identity.CredentialPassword)
		}},
		{"CreateSessionWithRehash", func(ctx context.Context, x subject) error {
			another := &session.Session{ID: uuid.New(), Active: true, IssuedAt: now, AuthenticatedAt: now, ExpiresAt: now.Add(time.Hour), Identity: x.i, IdentityID: x.i.ID}
			return s.CreateSessionWithRehash(ctx, another, uuid.NewString(), &identity.Rehash{Type: identity.CredentialPassword,
				Old: json.RawMessage(`{"hashed_password":"x"}`), New: json.RawMessage(`{"hashed_password":"rehashed"}`)})
		}},
		{"ConsumeLinkToken (verification)", func(ctx context.Context, x subject) error {
			l := &token.Link{ID: uuid.New(), Kind: token.Verification, IdentityID: x.i.ID, AddressID: x.i.VerifiableAddresses[0].ID,
				ExpiresAt: now.Add(time.Hour), CreatedAt: now}
			hash := uuid.NewString()
			if err := s.CreateLinkToken(context.Background(), l, hash, nil); err != nil {
				return err
			}
			_, err := s.ConsumeLinkToken(ctx, token.Verification, []string{hash}, now)
			return err
		}},
		{"ImportIdentities", func(ctx context.Context, x subject) error {
			return s.ImportIdentities(ctx, []kratos.IdentityRecord{{Identity: x.i, Fingerprint: "f"}})
		}},
		{"ImportSessions", func(ctx context.Context, x subject) error {
			return s.ImportSessions(ctx, []kratos.SessionRecord{{ID: x.ss.ID, IdentityID: x.i.ID, TokenHash: x.hash, Active: false,
				IssuedAt: now, ExpiresAt: now.Add(time.Hour), AuthenticatedAt: now, Fingerprint: "f"}})
		}},
		{"ForgetImported sessions", func(ctx context.Context, x subject) error {
			return s.ForgetImported(ctx, kratos.KindSession, []string{x.ss.ID.String()})
		}},
		{"ForgetImported identities", func(ctx context.Context, x subject) error {
			return s.ForgetImported(ctx, kratos.KindIdentity, []string{x.i.ID.String()})
		}},
	} {
		t.Run(w.name, func(t *testing.T) {
			x := newSubject(t)
			before := stampOf(t, x)
			if n := counter(t, before.Bucket); n != before.N {
				t.Fatalf("the counter reads %d alone but %d with the session", n, before.N)
			}
			noted, changed := store.TrackChanges(ctx, func() {})
			if err := w.write(noted, x); err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			if !changed() {
				t.Errorf("%s noted no change", w.name)
			}
			if n := counter(t, before.Bucket); n == before.N {
				t.Errorf("%s left the counter of the identity's bucket at %d: other instances would keep serving the old answer", w.name, n)
			}
		})
	}
}
