package session_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestWhoamiReadsEveryCredentialTransport: browsers send the cookie, apps
// X-Session-Token or a bearer token; gateways forward any of them.
func TestWhoamiReadsEveryCredentialTransport(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		i, tok := e.login("who@example.com")
		for _, tc := range []struct {
			name    string
			headers []string
			status  int
		}{
			{"cookie", []string{"Cookie", "ory_kratos_session=" + tok}, 200},
			{"X-Session-Token", []string{"X-Session-Token", tok}, 200},
			{"Bearer", []string{"Authorization", "Bearer " + tok}, 200},
			{"bearer in lower case", []string{"Authorization", "bearer " + tok}, 200},
			{"BEARER in upper case", []string{"Authorization", "BEARER " + tok}, 200},
			{"bare Authorization", []string{"Authorization", tok}, 401},
			{"Basic scheme", []string{"Authorization", "Basic " + tok}, 401},
			{"another cookie name", []string{"Cookie", "session=" + tok}, 401},
			{"nothing", nil, 401},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.whoami("GET", tc.headers...)
				if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store", cc)
				}
				if tc.status != 200 {
					sdk.WantError(t, r, tc.status)
					if h := r.Header.Get("X-Kratos-Authenticated-Identity-Id"); h != "" {
						t.Errorf("a refused request carries X-Kratos-Authenticated-Identity-Id %q", h)
					}
					return
				}
				if r.Status != 200 {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				if h := r.Header.Get("X-Kratos-Authenticated-Identity-Id"); h != i.ID.String() {
					t.Errorf("X-Kratos-Authenticated-Identity-Id = %q, want %s", h, i.ID)
				}
			})
		}

		// The reference's SDK reads the session.
		s, resp, err := e.sdk.PublicApi.ToSession(context.Background()).XSessionToken(tok).Execute()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("SDK ToSession: %v", err)
		}
		if s.Identity.Id != i.ID.String() || s.Active == nil || !*s.Active {
			t.Errorf("SDK session = %+v", s)
		}
	})
}

// TestWhoamiAnswersEveryCommonMethod: gateways forward the original
// request's method, so whoami must not care which it is.
func TestWhoamiAnswersEveryCommonMethod(t *testing.T) {
	e := start(t, testkit.NewDatabase(t, "sqlite"))
	i, tok := e.login("methods@example.com")
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		t.Run(m, func(t *testing.T) {
			r := e.whoami(m, "X-Session-Token", tok)
			if r.Status != 200 || r.Header.Get("X-Kratos-Authenticated-Identity-Id") != i.ID.String() {
				t.Fatalf("%s whoami: %d %s", m, r.Status, r.Body)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", r.Header.Get("Cache-Control"))
			}
			// Without credentials every method is a 401, not a 404 or 405.
			sdk.WantError(t, e.whoami(m), http.StatusUnauthorized)
		})
	}
	t.Run("HEAD", func(t *testing.T) {
		r := e.whoami("HEAD", "X-Session-Token", tok)
		if r.Status != 200 || len(r.Body) != 0 {
			t.Errorf("HEAD whoami: %d with %d body bytes", r.Status, len(r.Body))
		}
	})
	t.Run("TRACE", func(t *testing.T) {
		if r := e.whoami("TRACE", "X-Session-Token", tok); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("TRACE whoami: %d, want 405", r.Status)
		}
	})
}

// TestWhoamiBody checks the session JSON clients read.
func TestWhoamiBody(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		i, tok := e.login("Body@Example.com")
		r := e.whoami("GET", "X-Session-Token", tok)
		if r.Status != 200 {
			t.Fatalf("whoami: %d %s", r.Status, r.Body)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		var s struct {
			ID              string    `json:"id"`
			Active          bool      `json:"active"`
			ExpiresAt       time.Time `json:"expires_at"`
			AuthenticatedAt time.Time `json:"authenticated_at"`
			IssuedAt        time.Time `json:"issued_at"`
			Identity        struct {
				ID                  string          `json:"id"`
				SchemaID            string          `json:"schema_id"`
				SchemaURL           string          `json:"schema_url"`
				Traits              json.RawMessage `json:"traits"`
				VerifiableAddresses []struct {
					ID, Value, Status string
				} `json:"verifiable_addresses"`
				RecoveryAddresses []struct{ ID, Value string } `json:"recovery_addresses"`
				CreatedAt         time.Time                    `json:"created_at"`
			} `json:"identity"`
		}
		if err := json.Unmarshal(r.Body, &s); err != nil {
			t.Fatalf("session JSON: %v: %s", err, r.Body)
		}
		if s.ID == "" || !s.Active || s.Identity.ID != i.ID.String() || s.Identity.SchemaID != "default" {
			t.Errorf("session = %s", r.Body)
		}
		if !s.ExpiresAt.Equal(s.IssuedAt.Add(24 * time.Hour)) {
			t.Errorf("expires_at %s is not issued_at %s + the 24h default lifespan", s.ExpiresAt, s.IssuedAt)
		}
		if s.AuthenticatedAt.IsZero() || s.IssuedAt.IsZero() {
			t.Errorf("authenticated_at or issued_at missing: %s", r.Body)
		}
		if s.Identity.SchemaURL != e.srv.PublicURL+"schemas/default" {
			t.Errorf("schema_url = %q", s.Identity.SchemaURL)
		}
		if !s.Identity.CreatedAt.Equal(i.CreatedAt) {
			t.Errorf("identity created_at = %s, want %s", s.Identity.CreatedAt, i.CreatedAt)
		}
		va, ra := s.Identity.VerifiableAddresses, s.Identity.RecoveryAddresses
		if len(va) != 1 || va[0].Value != "body@example.com" || va[0].ID != i.VerifiableAddresses[0].ID.String() || va[0].Status != "pending" {
			t.Errorf("verifiable_addresses = %+v", va)
		}
		if len(ra) != 1 || ra[0].Value != "body@example.com" {
			t.Errorf("recovery_addresses = %+v", ra)
		}
		if strings.Contains(string(r.Body), "credentials") || strings.Contains(string(r.Body), tok) {
			t.Errorf("whoami exposes credentials or the token: %s", r.Body)
		}
	})
}

// TestWhoamiRefusesUnusableSessions: unknown, expired and revoked sessions
// all answer 401, and no other session is affected.
func TestWhoamiRefusesUnusableSessions(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		ctx := context.Background()
		_, live := e.login("live@example.com")
		expired, expiredTok := e.login("expired@example.com")
		_, revokedTok := e.login("revoked@example.com")

		// Expire one session in the database rather than waiting for it.
		db := e.srv.App.DB
		if _, err := db.SQL.ExecContext(ctx, db.Q(`UPDATE sessions SET expires_at = ? WHERE identity_id = ?`),
			time.Now().UTC().Add(-time.Minute), expired.ID.String()); err != nil {
			t.Fatal(err)
		}
		if r := e.revoke("application/json", `{"session_token":"`+revokedTok+`"}`); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		for name, tok := range map[string]string{
			"unknown": unknownLike(live), "expired": expiredTok, "revoked": revokedTok,
			"over-long": strings.Repeat("a", 4096),
		} {
			t.Run(name, func(t *testing.T) {
				sdk.WantError(t, e.whoami("GET", "X-Session-Token", tok), http.StatusUnauthorized)
				sdk.WantError(t, e.whoami("GET", "Cookie", "ory_kratos_session="+tok), http.StatusUnauthorized)
			})
		}
		if r := e.whoami("GET", "X-Session-Token", live); r.Status != 200 {
			t.Errorf("the live session stopped working: %d", r.Status)
		}
	})
}

// unknownLike is a token of the same shape as tok that no session has.
func unknownLike(tok string) string {
	if tok[0] == 'x' {
		return "y" + tok[1:]
	}
	return "x" + tok[1:]
}
