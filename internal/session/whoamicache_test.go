package session_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestWhoamiCacheAcrossInstances runs two instances on one database: A
// answers whoami from its cache, B revokes or changes what A keeps by
// every path there is, and A's next answer shows it. On SQLite A checks
// the database's change log before answering from memory, and on MariaDB
// the change counter of the identity's bucket, so the very next request
// must see it; on PostgreSQL the change arrives as a notification, which
// the test waits for (with a deadline, no sleeping) before asking A.
func TestWhoamiCacheAcrossInstances(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		a, b := start(t, dsn), start(t, dsn)
		cache := a.srv.App.Sessions.Cache
		if cache == nil {
			t.Fatalf("no whoami cache on %s", dsn)
		}
		ctx := context.Background()
		for _, tc := range []struct {
			name   string
			change func(t *testing.T, id uuid.UUID, tok string)
			want   int // A's answer afterwards
			check  func(t *testing.T, r sdk.Response)
		}{
			{"logout by token on B", func(t *testing.T, _ uuid.UUID, tok string) {
				if r := b.revoke("application/json", `{"session_token":"`+tok+`"}`); r.Status != http.StatusNoContent {
					t.Fatalf("DELETE /sessions on B: %d %s", r.Status, r.Body)
				}
			}, http.StatusUnauthorized, nil},
			{"the identity's sessions revoked on B", func(t *testing.T, id uuid.UUID, _ string) {
				if err := b.srv.App.Store.RevokeIdentitySessions(ctx, id, uuid.Nil); err != nil {
					t.Fatal(err)
				}
			}, http.StatusUnauthorized, nil},
			{"one session revoked by id on B", func(t *testing.T, id uuid.UUID, tok string) {
				s, err := b.srv.App.Sessions.FromToken(ctx, tok)
				if err != nil {
					t.Fatal(err)
				}
				if err := b.srv.App.Store.RevokeSession(ctx, uuid.Nil, s.ID, time.Now()); err != nil {
					t.Fatal(err)
				}
			}, http.StatusUnauthorized, nil},
			{"identity deleted on B", func(t *testing.T, id uuid.UUID, _ string) {
				if r := do(t, "DELETE", b.srv.AdminURL+"identities/"+id.String(), "", nil); r.Status != http.StatusNoContent {
					t.Fatalf("DELETE /identities on B: %d %s", r.Status, r.Body)
				}
			}, http.StatusUnauthorized, nil},
			{"traits changed on B", func(t *testing.T, id uuid.UUID, _ string) {
				body := `{"schema_id":"default","traits":{"email":"renamed-` + id.String() + `@example.com","name":"Test"}}`
				if r := do(t, "PUT", b.srv.AdminURL+"identities/"+id.String(), "application/json", []byte(body)); r.Status != http.StatusOK {
					t.Fatalf("PUT /identities on B: %d %s", r.Status, r.Body)
				}
			}, http.StatusOK, func(t *testing.T, r sdk.Response) {
				if !strings.Contains(string(r.Body), `"renamed-`) {
					t.Errorf("A still answers the old traits: %s", r.Body)
				}
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				i, tok := a.login(strings.ReplaceAll(tc.name, " ", "-") + "@example.com")
				for range 2 {
					if r := a.whoami("GET", "X-Session-Token", tok); r.Status != http.StatusOK {
						t.Fatalf("whoami on A: %d %s", r.Status, r.Body)
					}
				}
				if cache.Len() == 0 {
					t.Fatal("A's cache kept nothing after two whoami")
				}
				changed := cache.Invalidated(i.ID)
				tc.change(t, i.ID, tok)
				if strings.HasPrefix(dsn, "postgres") {
					select {
					case <-changed:
					case <-time.After(10 * time.Second):
						t.Fatal("A heard nothing of B's change within 10s")
					}
				}
				r := a.whoami("GET", "X-Session-Token", tok)
				if r.Status != tc.want {
					t.Fatalf("whoami on A after the change: %d %s, want %d", r.Status, r.Body, tc.want)
				}
				if tc.check != nil {
					tc.check(t, r)
				}
			})
		}
	})
}
