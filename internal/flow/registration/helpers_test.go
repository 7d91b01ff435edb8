package registration_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// goodPassword passes the policy: long enough, not common, unlike the
// emails the tests use.
const goodPassword = "vD7#kq2!Lm9z"

// start runs Latchkey on a fresh SQLite database with the test config,
// changed by mutate.
func start(t *testing.T, mutate func(*config.Config)) *testkit.Server {
	t.Helper()
	return testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), mutate))
}

// body renders a registration submission as JSON.
func body(t *testing.T, method, email, password string) []byte {
	t.Helper()
	v := map[string]any{"method": method, "password": password, "traits": map[string]any{"email": email, "name": "Alice"}}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// submit posts a JSON body to a fresh api registration flow.
func submit(t *testing.T, s *testkit.Server, b []byte, headers ...string) sdk.Response {
	t.Helper()
	f := sdk.Init(t, s, "registration")
	return sdk.Submit(t, s, "registration", f.ID, "application/json", b, headers...)
}

// wantFlow checks a response is the flow answered with status 400 and
// returns it.
func wantFlow(t *testing.T, r sdk.Response) sdk.Flow {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 with the flow; body %s", r.Status, r.Body)
	}
	f := sdk.DecodeFlow(t, r.Body)
	if f.Type != "api" || !strings.HasSuffix(f.UI.Action, "self-service/registration?flow="+f.ID) {
		t.Errorf("answer is not the api registration flow: type %q, action %q", f.Type, f.UI.Action)
	}
	return f
}

// wantNoIdentities checks that nothing was written.
func wantNoIdentities(t *testing.T, s *testkit.Server) {
	t.Helper()
	if ids := sdk.Identities(t, s); len(ids) != 0 {
		t.Errorf("%d identities were created (%v), want none", len(ids), sdk.Emails(ids))
	}
}

// withHooks replaces the after-registration hooks.
func withHooks(hooks ...config.Hook) func(*config.Config) {
	return func(c *config.Config) { c.SelfService.Flows.Registration.After.Password.Hooks = hooks }
}
