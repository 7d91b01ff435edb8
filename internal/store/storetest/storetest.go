// Package storetest is the one conformance suite every storage
// implementation passes on every dialect: SQLite always, PostgreSQL and
// MariaDB when their DSN variables are set. It checks what callers of
// identity.Store and session.Store rely on, and reads the tables directly
// where the interfaces do not show what happened (cascades, rollbacks) or
// to plant what they would never write (a corrupt id, which must read as
// an error, not as the zero id). It gets its databases from testkit/testdb
// and links no more of Latchkey than the two domain packages.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// Stores is what the suite exercises: both storage interfaces over one
// database.
type Stores interface {
	identity.Store
	session.Store
}

// Opener wraps a migrated database in the implementation under test.
type Opener func(t *testing.T, db *sqldb.DB) Stores

// h is what each case gets: the store under test and the raw database
// behind it.
type h struct {
	t   *testing.T
	ctx context.Context
	s   Stores
	db  *sqldb.DB
}

type testCase struct {
	name string
	run  func(h *h)
}

// Run runs every case as a subtest, each on a fresh, migrated database of
// every dialect.
func Run(t *testing.T, open Opener) {
	t.Helper()
	cases := append(append(identityCases(), sessionCases()...), corruptCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, dsn string) {
				ctx := context.Background()
				db, err := sqldb.Open(ctx, dsn)
				if err != nil {
					t.Fatalf("open database: %v", err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatalf("migrate: %v", err)
				}
				c.run(&h{t: t, ctx: ctx, s: open(t, db), db: db})
			})
		})
	}
}

// base is a fixed instant with microseconds, the precision every dialect
// stores, so reads can be compared with what was written.
var base = time.Date(2021, 6, 1, 12, 30, 45, 123456000, time.UTC)

// at returns base plus n seconds and n microseconds.
func at(n int) time.Time {
	return base.Add(time.Duration(n)*time.Second + time.Duration(n)*time.Microsecond)
}

// newIdentity builds an identity whose verifiable and recovery addresses
// and password identifiers are the given emails, created at created.
func newIdentity(created time.Time, emails ...string) *identity.Identity {
	traits, _ := json.Marshal(map[string]any{"email": firstOr(emails, ""), "name": "Test Person"})
	i := &identity.Identity{
		ID: uuid.New(), SchemaID: "default", Traits: traits,
		CreatedAt: created, UpdatedAt: created,
		VerifiableAddresses: []identity.VerifiableAddress{},
		RecoveryAddresses:   []identity.RecoveryAddress{},
	}
	for k, e := range emails {
		ts := created.Add(time.Duration(k) * time.Millisecond)
		i.VerifiableAddresses = append(i.VerifiableAddresses, identity.VerifiableAddress{
			ID: uuid.New(), Value: e, Via: "email", Status: identity.StatusPending, CreatedAt: ts, UpdatedAt: ts,
		})
		i.RecoveryAddresses = append(i.RecoveryAddresses, identity.RecoveryAddress{
			ID: uuid.New(), Value: e, Via: "email", CreatedAt: ts, UpdatedAt: ts,
		})
	}
	i.Credentials = map[identity.CredentialType]*identity.Credential{identity.CredentialPassword: {
		ID: uuid.New(), Type: identity.CredentialPassword, Identifiers: emails,
		Config:    json.RawMessage(`{"hashed_password":"$2a$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzABCDE"}`),
		CreatedAt: created, UpdatedAt: created,
	}}
	return i
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}

func (h *h) create(i *identity.Identity) {
	h.t.Helper()
	if err := h.s.CreateIdentity(h.ctx, i); err != nil {
		h.t.Fatalf("CreateIdentity: %v", err)
	}
}

func (h *h) load(id uuid.UUID) *identity.Identity {
	h.t.Helper()
	got, err := h.s.Identity(h.ctx, id)
	if err != nil {
		h.t.Fatalf("Identity(%s): %v", id, err)
	}
	if got == nil {
		h.t.Fatalf("Identity(%s) returned nil without an error", id)
	}
	return got
}

// count counts the rows of a table that belong to an identity.
func (h *h) count(table string, identityID uuid.UUID) int {
	h.t.Helper()
	col := "identity_id"
	if table == "identities" {
		col = "id"
	}
	var n int
	if err := h.db.SQL.QueryRowContext(h.ctx, h.db.Q(`SELECT COUNT(*) FROM `+table+` WHERE `+col+` = ?`), identityID.String()).Scan(&n); err != nil {
		h.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// ownedTables are every table holding rows of an identity.
var ownedTables = []string{"identities", "identity_credentials", "identity_credential_identifiers", "identity_verifiable_addresses", "identity_recovery_addresses", "sessions"}

func (h *h) strings(query string, args ...any) []string {
	h.t.Helper()
	rows, err := h.db.SQL.QueryContext(h.ctx, h.db.Q(query), args...)
	if err != nil {
		h.t.Fatalf("query %q: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			h.t.Fatalf("scan: %v", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		h.t.Fatalf("rows: %v", err)
	}
	return out
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// sameTime checks a time read back equals the one written and is in UTC.
func sameTime(t *testing.T, field string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", field, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got.Location() != time.UTC {
		t.Errorf("%s is in %v, want UTC", field, got.Location())
	}
}

func sameJSON(t *testing.T, field string, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s is not JSON: %v (%q)", field, err, got)
	}
	_ = json.Unmarshal(want, &w)
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Errorf("%s = %s, want %s", field, gb, wb)
	}
}

// sameIdentity compares everything an identity read back must keep.
func sameIdentity(t *testing.T, got, want *identity.Identity) {
	t.Helper()
	if got.ID != want.ID || got.SchemaID != want.SchemaID {
		t.Errorf("identity = %s/%s, want %s/%s", got.ID, got.SchemaID, want.ID, want.SchemaID)
	}
	sameJSON(t, "traits", got.Traits, want.Traits)
	sameTime(t, "created_at", got.CreatedAt, want.CreatedAt)
	sameTime(t, "updated_at", got.UpdatedAt, want.UpdatedAt)
	sameVerifiable(t, got.VerifiableAddresses, want.VerifiableAddresses)
	sameRecovery(t, got.RecoveryAddresses, want.RecoveryAddresses)
}

func sameVerifiable(t *testing.T, got, want []identity.VerifiableAddress) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d verifiable addresses, want %d: %+v", len(got), len(want), got)
	}
	byID := map[uuid.UUID]identity.VerifiableAddress{}
	for _, a := range got {
		byID[a.ID] = a
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			t.Errorf("verifiable address %s (%s) missing", w.ID, w.Value)
			continue
		}
		if g.Value != w.Value || g.Via != w.Via || g.Verified != w.Verified || g.Status != w.Status {
			t.Errorf("verifiable address = %+v, want %+v", g, w)
		}
		switch {
		case (g.VerifiedAt == nil) != (w.VerifiedAt == nil):
			t.Errorf("verifiable address %s verified_at = %v, want %v", w.Value, g.VerifiedAt, w.VerifiedAt)
		case g.VerifiedAt != nil:
			sameTime(t, "verified_at", *g.VerifiedAt, *w.VerifiedAt)
		}
		sameTime(t, "verifiable created_at", g.CreatedAt, w.CreatedAt)
		sameTime(t, "verifiable updated_at", g.UpdatedAt, w.UpdatedAt)
	}
}

func sameRecovery(t *testing.T, got, want []identity.RecoveryAddress) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d recovery addresses, want %d: %+v", len(got), len(want), got)
	}
	byID := map[uuid.UUID]identity.RecoveryAddress{}
	for _, a := range got {
		byID[a.ID] = a
	}
	for _, w := range want {
		g, ok := byID[w.ID]
		if !ok {
			t.Errorf("recovery address %s (%s) missing", w.ID, w.Value)
			continue
		}
		if g.Value != w.Value || g.Via != w.Via {
			t.Errorf("recovery address = %+v, want %+v", g, w)
		}
		sameTime(t, "recovery created_at", g.CreatedAt, w.CreatedAt)
		sameTime(t, "recovery updated_at", g.UpdatedAt, w.UpdatedAt)
	}
}
