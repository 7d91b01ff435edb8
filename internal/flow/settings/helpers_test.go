package settings_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// user is a registered identity with its session token.
type user struct {
	id, email, token string
}

// signUp registers an email with sdk.GoodPassword.
func signUp(t *testing.T, s *testkit.Server, email string) user {
	t.Helper()
	reg := sdk.Register(t, s, email, sdk.GoodPassword)
	return user{id: reg.Identity.Id, email: email, token: reg.SessionToken}
}

// initFlow starts an api settings flow as u.
func initFlow(t *testing.T, s *testkit.Server, u user) sdk.Flow {
	t.Helper()
	return sdk.Init(t, s, "settings", "X-Session-Token", u.token)
}

// profile renders a profile submission as JSON.
func profile(t *testing.T, email, name string) []byte {
	t.Helper()
	return sdk.Marshal(t, map[string]any{"method": "profile", "traits": map[string]any{"email": email, "name": name}})
}

// password renders a password submission as JSON.
func password(t *testing.T, pw string) []byte {
	t.Helper()
	return sdk.Marshal(t, map[string]any{"method": "password", "password": pw})
}

// submitAs posts a JSON body to a settings flow with u's token.
func submitAs(t *testing.T, s *testkit.Server, u user, flowID string, b []byte, headers ...string) sdk.Response {
	t.Helper()
	return sdk.Submit(t, s, "settings", flowID, "application/json", b, append([]string{"X-Session-Token", u.token}, headers...)...)
}

// result is the answer to a successful api settings submission.
type result struct {
	Flow     sdk.Flow `json:"flow"`
	Identity struct {
		ID                  string         `json:"id"`
		Traits              map[string]any `json:"traits"`
		VerifiableAddresses []struct {
			Value    string `json:"value"`
			Verified bool   `json:"verified"`
			Status   string `json:"status"`
		} `json:"verifiable_addresses"`
		RecoveryAddresses []struct {
			Value string `json:"value"`
		} `json:"recovery_addresses"`
	} `json:"identity"`
}

// wantSaved checks a response is a successful settings submission.
func wantSaved(t *testing.T, r sdk.Response) result {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.Status, r.Body)
	}
	var out result
	if err := json.Unmarshal(r.Body, &out); err != nil || out.Flow.ID == "" || out.Identity.ID == "" {
		t.Fatalf("answer is not {flow, identity}: %v %s", err, r.Body)
	}
	if out.Flow.State != "success" || !out.Flow.HasMessage(1050001) {
		t.Errorf("flow state %q messages %v, want success with 1050001", out.Flow.State, out.Flow.MessageIDs())
	}
	return out
}
