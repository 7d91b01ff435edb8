package totp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestStepUpIsThrottled: guessing codes is bounded per identity (the
// throttle.identifier rule), across sessions; once refused even the right
// code waits for the window to end.
func TestStepUpIsThrottled(t *testing.T) {
	s := start(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		free := 3
		c.Throttle.Identifier = config.ThrottleRule{Free: &free, Limit: 3, Window: config.Duration(15 * time.Minute)}
	})
	reg := sdk.Register(t, s, "guess@example.com", sdk.GoodPassword)
	key := enrol(t, s, reg.SessionToken)
	try := func(c string) sdk.Response {
		t.Helper()
		// A new session each time: the count follows the identity.
		li := sdk.Login(t, s, "guess@example.com", sdk.GoodPassword)
		init := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api?aal=aal2", "", nil, "X-Session-Token", li.SessionToken)
		return sdk.Submit(t, s, "login", decode(t, init.Body).ID, "application/json",
			sdk.Marshal(t, map[string]any{"method": "totp", "totp_code": c}), "X-Session-Token", li.SessionToken)
	}
	for range 3 {
		if r := try("000000"); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4000008") {
			t.Fatalf("wrong code: %d %s", r.Status, r.Body)
		}
	}
	s.Clock.Advance(30 * time.Second)
	if r := try(code(t, key, s.Clock.Now())); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "4009001") {
		t.Fatalf("right code after the limit: %d %s", r.Status, r.Body)
	}
	s.Clock.Advance(16 * time.Minute)
	if r := try(code(t, key, s.Clock.Now())); r.Status != http.StatusOK {
		t.Errorf("right code after the window: %d %s", r.Status, r.Body)
	}
}
