package login_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// credentials renders a password login submission as JSON.
func credentials(t *testing.T, identifier, password string) []byte {
	t.Helper()
	return sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": identifier, "password": password})
}

// submit posts a body to a fresh api login flow.
func submit(t *testing.T, s *testkit.Server, contentType string, b []byte, headers ...string) sdk.Response {
	t.Helper()
	f := sdk.Init(t, s, "login")
	return sdk.Submit(t, s, "login", f.ID, contentType, b, headers...)
}

// loginResult is the answer to a successful api login.
type loginResult struct {
	SessionToken string `json:"session_token"`
	Session      struct {
		ID              string `json:"id"`
		AuthenticatedAt string `json:"authenticated_at"`
		Identity        struct {
			ID string `json:"id"`
		} `json:"identity"`
	} `json:"session"`
}

// wantSession checks a response is a successful login and returns it.
func wantSession(t *testing.T, r sdk.Response) loginResult {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200 with a session; body %s", r.Status, r.Body)
	}
	var out loginResult
	if err := json.Unmarshal(r.Body, &out); err != nil || out.SessionToken == "" || out.Session.ID == "" {
		t.Fatalf("answer is not {session, session_token}: %v %s", err, r.Body)
	}
	return out
}
