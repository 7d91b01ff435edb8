package recovery_test

import (
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRecoveryThrottledPerAddress: one client asking for recovery mails to
// one address is refused past the limit (4009001, before any mail is
// queued), while the same address asked for from another client still gets
// its mail; the same holds for verification.
func TestRecoveryThrottledPerAddress(t *testing.T) {
	s := testkit.StartSQLite(t, func(c *config.Config) {
		c.Serve.Public.TrustedProxies = []string{"127.0.0.1"}
		d := config.Duration(0)
		c.Throttle.Identifier = config.ThrottleRule{Limit: 3, Window: config.Duration(time.Hour), Delay: &d}
		c.SelfService.Flows.Recovery.Enabled, c.SelfService.Flows.Verification.Enabled = true, true
	})
	for _, kind := range []string{"recovery", "verification"} {
		ask := func(client string) sdk.Flow {
			f := sdk.Init(t, s, kind)
			r := sdk.Submit(t, s, kind, f.ID, "application/json", []byte(`{"method":"link","email":"victim@example.com"}`), "X-Forwarded-For", client)
			return sdk.DecodeFlow(t, r.Body)
		}
		for k := 0; k < 3; k++ {
			if f := ask("198.51.100.5"); f.HasMessage(4009001) {
				t.Fatalf("%s submit %d throttled: %v", kind, k+1, f.MessageIDs())
			}
		}
		if f := ask("198.51.100.5"); !f.HasMessage(4009001) {
			t.Errorf("%s: fourth submit from one client not throttled: %v", kind, f.MessageIDs())
		}
		if f := ask("203.0.113.8"); f.HasMessage(4009001) {
			t.Errorf("%s: another client throttled too: %v", kind, f.MessageIDs())
		}
	}
}
