package session_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestDatabaseOutageIsServiceUnavailable: when the database cannot be
// reached, whoami must answer 503 so gateways retry, never 401, which
// would log every user out; readiness turns 503 on both ports so load
// balancers stop sending traffic.
func TestDatabaseOutageIsServiceUnavailable(t *testing.T) {
	for _, tc := range []struct {
		dialect string
		// cut makes the database unreachable and returns how to restore it,
		// or nil when it cannot come back.
		cut func(t *testing.T, e *env, dsn string) (restore func())
	}{
		{"sqlite", func(t *testing.T, e *env, dsn string) func() {
			// Closing the pools (readers' and writer's) is what a vanished
			// file system looks like to the handlers: every query fails.
			// The whoami cache's own connection, which keeps the WAL index
			// in place, goes with them (App.Close closes it before the
			// pools too).
			if c := e.srv.App.Sessions.Cache; c != nil {
				c.Close()
			}
			e.srv.App.DB.SQL.Close()
			e.srv.App.DB.W.Close()
			return nil
		}},
		{"postgres", cutPostgres},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			dsn := testkit.NewDatabase(t, tc.dialect)
			e := start(t, dsn)
			_, tok := e.login("outage@example.com")
			if r := e.whoami("GET", "X-Session-Token", tok); r.Status != 200 {
				t.Fatalf("whoami before the outage: %d", r.Status)
			}

			// Where whoami answers from memory, the instance must first
			// notice the outage (it stops trusting memory then).
			var noticed <-chan struct{}
			if c := e.srv.App.Sessions.Cache; c != nil && tc.dialect == "postgres" {
				noticed = c.Invalidated(uuid.New())
			}
			restore := tc.cut(t, e, dsn)
			if noticed != nil {
				select {
				case <-noticed:
				case <-time.After(10 * time.Second):
					t.Fatal("the whoami cache did not notice the outage within 10s")
				}
			}

			for _, headers := range [][]string{{"X-Session-Token", tok}, {"Authorization", "Bearer " + tok}, {"Cookie", "ory_kratos_session=" + tok}} {
				sdk.WantError(t, e.whoami("GET", headers...), http.StatusServiceUnavailable)
			}
			// Without any credential there is nothing to look up: still 401.
			sdk.WantError(t, e.whoami("GET"), http.StatusUnauthorized)
			for _, base := range []string{e.srv.PublicURL, e.srv.AdminURL} {
				if r := do(t, "GET", base+"health/ready", "", nil); r.Status != http.StatusServiceUnavailable {
					t.Errorf("%shealth/ready during the outage: %d, want 503", base, r.Status)
				}
				if r := do(t, "GET", base+"health/alive", "", nil); r.Status != http.StatusOK {
					t.Errorf("%shealth/alive during the outage: %d, want 200 (the process is alive)", base, r.Status)
				}
			}

			if restore == nil {
				return
			}
			restore()
			if r := e.whoami("GET", "X-Session-Token", tok); r.Status != 200 {
				t.Errorf("whoami after the database came back: %d %s", r.Status, r.Body)
			}
			if r := do(t, "GET", e.srv.PublicURL+"health/ready", "", nil); r.Status != 200 {
				t.Errorf("health/ready after the database came back: %d", r.Status)
			}
		})
	}
}

// cutPostgres refuses new connections to the test database and ends the
// open ones, as a failover or a network cut would.
func cutPostgres(t *testing.T, e *env, dsn string) func() {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	admin, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := admin.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS false`)
	exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name)
	restored := false
	restore := func() {
		if !restored {
			restored = true
			exec(`ALTER DATABASE ` + name + ` ALLOW_CONNECTIONS true`)
		}
	}
	t.Cleanup(restore)
	return restore
}
