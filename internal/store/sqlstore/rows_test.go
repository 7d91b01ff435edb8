package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// TestWritesToMissingRowsAreNotFound: a write that must change one row and
// finds none says so, instead of reporting success for nothing done.
func TestWritesToMissingRowsAreNotFound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s, _ := openStore(t, dsn)
		missing := uuid.New()
		now := time.Now().UTC()
		f := flow.New(now, flow.Login, flow.API, time.Hour, "http://localhost", httptest.NewRequest("GET", "/", nil), "")
		for what, err := range map[string]error{
			"UpdateFlow":    s.UpdateFlow(ctx, f),
			"MarkSent":      s.MarkSent(ctx, missing, now, false),
			"MarkFailed":    s.MarkFailed(ctx, missing, "boom", now, false),
			"ExtendSession": s.ExtendSession(ctx, missing, now.Add(time.Hour), now),
			"RevokeSession": s.RevokeSession(ctx, uuid.Nil, missing, now),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s of a missing row = %v, want ErrNotFound", what, err)
			}
		}
	})
}

// TestUpdateFlowAdvancesUpdatedAt: every update stamps updated_at from the
// store's clock, whatever the caller left in the flow.
func TestUpdateFlowAdvancesUpdatedAt(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		_, db := openStore(t, dsn)
		var clk clock.Adjustable
		s := sqlstore.New(db, clk.Clock())
		created := clk.Clock().Now()
		f := flow.New(created, flow.Settings, flow.Browser, time.Hour, "http://localhost", httptest.NewRequest("GET", "/", nil), "csrf")
		if err := s.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		prev := created
		for range 2 {
			clk.Advance(time.Minute)
			f.State = "show_form"
			if err := s.UpdateFlow(ctx, f); err != nil {
				t.Fatal(err)
			}
			got, err := s.Flow(ctx, flow.Settings, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.UpdatedAt.After(prev.Add(time.Minute - time.Second)) {
				t.Errorf("updated_at = %s after an update a minute past %s", got.UpdatedAt, prev)
			}
			if !got.UpdatedAt.Equal(f.UpdatedAt) || !got.CreatedAt.Equal(created) {
				t.Errorf("read back updated_at %s created_at %s, want %s and %s", got.UpdatedAt, got.CreatedAt, f.UpdatedAt, created)
			}
			prev = got.UpdatedAt
		}
	})
}

// TestUpdateFlowWritesTheIndexedColumns: an update that gives a flow its
// identity or a new expiry is read back with both, and one that changes
// neither keeps them (SQLite's update sets them only where they differ).
func TestUpdateFlowWritesTheIndexedColumns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s, _ := openStore(t, dsn)
		now := time.Now().UTC().Truncate(time.Microsecond) // what every dialect keeps
		f := flow.New(now, flow.Login, flow.API, time.Hour, "http://localhost", httptest.NewRequest("GET", "/", nil), "")
		if err := s.CreateFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
		who := uuid.New()
		if err := s.CreateIdentity(ctx, &identity.Identity{ID: who, SchemaID: "default", Traits: json.RawMessage(`{}`), CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			name     string
			identity uuid.UUID
			expires  time.Time
		}{
			{"identity set", who, f.ExpiresAt},
			{"expiry moved", who, f.ExpiresAt.Add(-30 * time.Minute)},
			{"state only", who, f.ExpiresAt.Add(-30 * time.Minute)},
			{"identity cleared", uuid.Nil, f.ExpiresAt.Add(-30 * time.Minute)},
		} {
			f.IdentityID, f.ExpiresAt, f.State = step.identity, step.expires, step.name
			if err := s.UpdateFlow(ctx, f); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			got, err := s.Flow(ctx, flow.Login, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.IdentityID != step.identity || !got.ExpiresAt.Equal(step.expires) || got.State != step.name {
				t.Errorf("%s: read back identity %s, expires %s, state %q; want %s, %s, %q",
					step.name, got.IdentityID, got.ExpiresAt, got.State, step.identity, step.expires, step.name)
			}
		}
	})
}
