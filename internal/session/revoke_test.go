package session_test

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRevokeSession follows the reference's DELETE /sessions statuses: a
// known token (even revoked already) is 204, an unknown one or {} is 404,
// broken JSON or no body is 400.
func TestRevokeSession(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		_, tok := e.login("bye@example.com")
		_, other := e.login("stay@example.com")
		for _, tc := range []struct {
			name, contentType, body string
			status                  int
		}{
			{"known token", "application/json", `{"session_token":"` + tok + `"}`, 204},
			{"the same token again", "application/json", `{"session_token":"` + tok + `"}`, 204},
			{"unknown token", "application/json", `{"session_token":"not-a-token"}`, 404},
			{"empty token", "application/json", `{"session_token":""}`, 404},
			{"empty object", "application/json", `{}`, 404},
			{"over-long token", "application/json", `{"session_token":"` + strings.Repeat("t", 4096) + `"}`, 404},
			{"broken JSON", "application/json", `{"session_token":`, 400},
			{"empty body", "application/json", ``, 400},
			{"token of the wrong type", "application/json", `{"session_token":42}`, 400},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.revoke(tc.contentType, tc.body)
				if tc.status == http.StatusNoContent {
					if r.Status != tc.status || len(r.Body) != 0 {
						t.Fatalf("status %d body %q, want 204 without a body", r.Status, r.Body)
					}
					return
				}
				sdk.WantError(t, r, tc.status)
			})
		}
		sdk.WantError(t, e.whoami("GET", "X-Session-Token", tok), http.StatusUnauthorized)
		if r := e.whoami("GET", "X-Session-Token", other); r.Status != 200 {
			t.Errorf("revoking one session ended another: %d", r.Status)
		}

		// The reference's SDK revokes too.
		resp, err := e.sdk.PublicApi.RevokeSession(context.Background()).RevokeSession(*client.NewRevokeSession(other)).Execute()
		if err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("SDK RevokeSession: %v", err)
		}
		sdk.WantError(t, e.whoami("GET", "X-Session-Token", other), http.StatusUnauthorized)
	})
}

// TestSessionTokensAreStoredHashed: a copy of the sessions table must not
// let anyone sign in, so no column holds the token.
func TestSessionTokensAreStoredHashed(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := start(t, dsn)
		_, tok := e.login("hash@example.com")
		rows, err := e.srv.App.DB.SQL.QueryContext(context.Background(), `SELECT * FROM sessions`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for k := range vals {
				ptrs[k] = &vals[k]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for k, v := range vals {
				if strings.Contains(string(v), tok) {
					t.Errorf("column %s holds the session token", cols[k])
				}
				if cols[k] == "token_hash" && !regexp.MustCompile(`^[0-9a-f]{64}$`).Match(v) {
					t.Errorf("token_hash = %q, want a 64-digit hex hash", v)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d session rows, want 1", n)
		}
	})
}
