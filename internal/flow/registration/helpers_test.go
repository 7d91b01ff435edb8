package registration_test

import (
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// body renders a registration submission as JSON.
func body(t *testing.T, method, email, password string) []byte {
	t.Helper()
	return sdk.Marshal(t, map[string]any{"method": method, "password": password, "traits": map[string]any{"email": email, "name": "Alice"}})
}

// submit posts a JSON body to a fresh api registration flow.
func submit(t *testing.T, s *testkit.Server, b []byte, headers ...string) sdk.Response {
	t.Helper()
	f := sdk.Init(t, s, "registration")
	return sdk.Submit(t, s, "registration", f.ID, "application/json", b, headers...)
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
