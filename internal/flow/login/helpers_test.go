package login_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// goodPassword passes the policy and is unlike the emails the tests use.
const goodPassword = "vD7#kq2!Lm9z"

// start runs Latchkey on a fresh SQLite database with the test config,
// changed by mutate.
func start(t *testing.T, mutate func(*config.Config)) *testkit.Server {
	t.Helper()
	return testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), mutate))
}

// credentials renders a password login submission as JSON.
func credentials(t *testing.T, identifier, password string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]string{"method": "password", "password_identifier": identifier, "password": password})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// submit posts a body to a fresh api login flow.
func submit(t *testing.T, s *testkit.Server, contentType string, b []byte, headers ...string) sdk.Response {
	t.Helper()
	f := sdk.Init(t, s, "login")
	return sdk.Submit(t, s, "login", f.ID, contentType, b, headers...)
}

// wantFlow checks a response is the login flow answered with 400.
func wantFlow(t *testing.T, r sdk.Response) sdk.Flow {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 with the flow; body %s", r.Status, r.Body)
	}
	f := sdk.DecodeFlow(t, r.Body)
	if f.Type != "api" || !strings.HasSuffix(f.UI.Action, "self-service/login?flow="+f.ID) {
		t.Errorf("answer is not the api login flow: type %q, action %q", f.Type, f.UI.Action)
	}
	return f
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
