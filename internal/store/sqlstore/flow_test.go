package sqlstore_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// TestNewFlowsSkipTheWaitForTheDisk: on PostgreSQL a flow just begun is
// written through the pool whose commits do not wait for the WAL to reach
// the disk (sqldb.DB.Relaxed), and reads back whole.
func TestNewFlowsSkipTheWaitForTheDisk(t *testing.T) {
	ctx := context.Background()
	s, db := openStore(t, testdb.New(t, "postgres"))
	now := time.Date(2026, 12, 1, 10, 0, 0, 123456000, time.UTC)
	f := flow.New(now, flow.Login, flow.API, time.Hour, "http://127.0.0.1/", httptest.NewRequest("GET", "/self-service/login/api", nil), "")
	if err := s.CreateFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	if n := db.Relaxed.Stats().OpenConnections; n != 1 {
		t.Errorf("relaxed pool: %d connections after creating a flow, want 1 (the flow went through another pool)", n)
	}
	got, err := s.Flow(ctx, flow.Login, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != f.ID || !got.ExpiresAt.Equal(f.ExpiresAt) || got.UI.Action != f.UI.Action {
		t.Errorf("read back %+v, want %+v", got, f)
	}
}
