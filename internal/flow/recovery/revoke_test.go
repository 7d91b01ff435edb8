package recovery_test

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRecoveryEndsOtherSessions: whoever was signed in to the account
// before the owner recovered it is signed out at once (Latchkey's default,
// stricter than the reference); the recovering browser's session works.
// With selfservice.flows.recovery.revoke_active_sessions off, the other
// sessions survive, as in the reference.
func TestRecoveryEndsOtherSessions(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		recoverWhileSignedInElsewhere(t, dsn, "taken@example.com", true)
		recoverWhileSignedInElsewhere(t, testkit.NewDatabase(t, "sqlite"), "kept@example.com", false)
	})
}

func recoverWhileSignedInElsewhere(t *testing.T, dsn, email string, revoke bool) {
	e := startOn(t, dsn, func(c *config.Config) {
		if !revoke {
			c.SelfService.Flows.Recovery.RevokeActiveSessions = &revoke
		}
	})
	reg := sdk.Register(t, e.Server, email, sdk.GoodPassword)
	intruder := sdk.Login(t, e.Server, email, sdk.GoodPassword).SessionToken

	b := e.Browser()
	e.wantRecovered(b, b.Get(e.requestLink(email)), reg.Identity.Id)

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
