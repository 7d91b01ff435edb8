package recovery_test

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRecoveryEndsOtherSessions: whoever was signed in to the account
// before the owner recovered it is signed out at once (Latchkey's default,
// stricter than the reference); the recovering browser's session works.
// With selfservice.flows.recovery.revoke_active_sessions off, the other
// sessions survive, as in the reference.
func TestRecoveryEndsOtherSessions(t *testing.T) {
	for _, revoke := range []bool{true, false} {
		e := start(t, func(c *config.Config) {
			if !revoke {
				c.SelfService.Flows.Recovery.RevokeActiveSessions = &revoke
			}
		})
		reg := sdk.Register(t, e.Server, "taken@example.com", sdk.GoodPassword)
		intruder := sdk.Login(t, e.Server, "taken@example.com", sdk.GoodPassword).SessionToken

		b := e.Browser()
		e.wantRecovered(b, b.Get(e.requestLink("taken@example.com")), reg.Identity.Id)

		want := http.StatusUnauthorized
		if !revoke {
			want = http.StatusOK
		}
		for name, tok := range map[string]string{"the registration's session": reg.SessionToken, "the intruder's session": intruder} {
			if got := sdk.WhoamiStatus(t, e.Server, tok); got != want {
				t.Errorf("revoke_active_sessions=%v: %s after recovery: whoami %d, want %d", revoke, name, got, want)
			}
		}
		if code, _ := b.Whoami(); code != http.StatusOK {
			t.Errorf("revoke_active_sessions=%v: the recovering browser: whoami %d, want 200", revoke, code)
		}
	}
}
