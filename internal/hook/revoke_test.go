package hook_test

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRevokeActiveSessions: with revoke_active_sessions after login,
// signing in ends the identity's older sessions (registration's and
// earlier logins'), keeps the new one, and leaves other identities alone.
// Without the hook the same sequence keeps every session.
func TestRevokeActiveSessions(t *testing.T) {
	for _, hooked := range []bool{true, false} {
		name := "without hook"
		if hooked {
			name = "with hook"
		}
		t.Run(name, func(t *testing.T) {
			s := start(t, func(c *config.Config) {
				if hooked {
					c.SelfService.Flows.Login.After.Hooks = []config.Hook{{Hook: "revoke_active_sessions"}}
				}
			})
			reg := sdk.Register(t, s, "device@example.com", goodPassword)
			bystander := sdk.Register(t, s, "bystander@example.com", goodPassword)
			first := sdk.Login(t, s, "device@example.com", goodPassword)
			last := sdk.Login(t, s, "device@example.com", goodPassword)

			older := http.StatusOK
			if hooked {
				older = http.StatusUnauthorized
			}
			want := []struct {
				what, token string
				status      int
			}{
				{"registration session", reg.SessionToken, older},
				{"first login", first.SessionToken, older},
				{"latest login", last.SessionToken, http.StatusOK},
				{"another identity", bystander.SessionToken, http.StatusOK},
			}
			for _, w := range want {
				if got := sdk.WhoamiStatus(t, s, w.token); got != w.status {
					t.Errorf("%s: whoami %d, want %d", w.what, got, w.status)
				}
			}
		})
	}
}
