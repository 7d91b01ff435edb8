package session_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSignUpTellsNoCache: a sign-up (identity, addresses, password and
// its first session, in one transaction) reaches no instance's whoami
// cache, since no answer about the new identity can be kept anywhere yet:
// no row in SQLite's change log, no notification on PostgreSQL, no change
// counter bumped on MariaDB. The next write that can change an answer
// about it (a credential added while it has a session) still does.
func TestSignUpTellsNoCache(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		srv := testkit.Start(t, testkit.Config(t, dsn, nil))
		feed := watchFeed(t, srv)

		f := sdk.Init(t, srv, "registration")
		body := `{"method":"password","password":"correct-horse-battery-staple-42","traits":{"email":"feed@example.com","name":"Feed"}}`
		r := sdk.Submit(t, srv, "registration", f.ID, "application/json", []byte(body))
		var out struct {
			SessionToken string `json:"session_token"`
			Identity     struct {
				ID uuid.UUID `json:"id"`
			} `json:"identity"`
		}
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil || out.SessionToken == "" {
			t.Fatalf("api sign-up: %d %s", r.Status, r.Body)
		}
		if got := feed(out.Identity.ID); got != 0 {
			t.Errorf("the sign-up told the caches %d times of the new identity, want none", got)
		}

		ctx := context.Background()
		if err := srv.App.Store.SetCredentialConfig(ctx, out.Identity.ID, "totp", json.RawMessage(`{"totp_url":"otpauth://totp/x"}`)); err != nil {
			t.Fatal(err)
		}
		if got := feed(out.Identity.ID); got == 0 {
			t.Error("a credential added to an identity with a session told no cache")
		}
	})
}

// watchFeed returns a function that reports how many changes of an
// identity the database's whoami change feed carried since the last call.
func watchFeed(t *testing.T, srv *testkit.Server) func(uuid.UUID) int {
	t.Helper()
	ctx := context.Background()
	db := srv.App.DB
	switch db.Dialect {
	case sqldb.SQLite:
		var seen int64
		return func(id uuid.UUID) int {
			var n int
			err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(seq), ?) FROM session_invalidations WHERE seq > ? AND identity_id = ?`,
				seen, seen, id.String()).Scan(&n, &seen)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	case sqldb.Postgres:
		l, err := sqldb.Listen(ctx, db.Target.DriverDSN, "latchkey_sessions")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Close)
		// Notifications arrive in commit order: once a marker sent after
		// the write comes back, every notification of the write is in.
		return func(id uuid.UUID) int {
			marker := "marker-" + uuid.NewString()
			if _, err := db.SQL.ExecContext(ctx, `SELECT pg_notify('latchkey_sessions', $1)`, marker); err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			n := 0
			for {
				p, err := l.Wait(wctx)
				if err != nil {
					t.Fatalf("waiting for the marker notification: %v", err)
				}
				if p == marker {
					return n
				}
				if p == id.String() {
					n++
				}
			}
		}
	default:
		var last int64
		sum := func() int64 {
			var s int64
			if err := db.SQL.QueryRowContext(ctx, `SELECT SUM(n) FROM whoami_changes`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		last = sum()
		return func(uuid.UUID) int {
			s := sum()
			n := int(s - last)
			last = s
			return n
		}
	}
}
