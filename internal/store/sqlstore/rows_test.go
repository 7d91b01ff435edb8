package sqlstore_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/flow"
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
