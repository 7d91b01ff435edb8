package settings_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSettingsHooksPerMethod: a settings change runs the hooks of the
// method used; the password section's own list replaces the flow's list,
// while a profile change, which has none, runs the flow's.
func TestSettingsHooksPerMethod(t *testing.T) {
	paths := make(chan string, 8)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { paths <- r.URL.Path }))
	t.Cleanup(rc.Close)
	hook := func(path string) config.Hook {
		return config.Hook{Hook: "web_hook", Config: &config.WebHookConfig{URL: rc.URL + path, Method: "POST"}}
	}
	s := testkit.StartSQLite(t, func(c *config.Config) {
		c.SelfService.Flows.Settings.After.Hooks = []config.Hook{hook("/settings")}
		c.SelfService.Flows.Settings.After.Password.Hooks = []config.Hook{hook("/settings-password")}
	})
	u := signUp(t, s, "hooks@example.com")
	next := func() string {
		select {
		case p := <-paths:
			return p
		case <-time.After(15 * time.Second):
			t.Fatal("no settings hook was called")
			return ""
		}
	}
	wantSaved(t, submitAs(t, s, u, initFlow(t, s, u).ID, password(t, "a-brand-new-passphrase-77")))
	if p := next(); p != "/settings-password" {
		t.Errorf("password change called %s, want only the password section's hook", p)
	}
	wantSaved(t, submitAs(t, s, u, initFlow(t, s, u).ID, profile(t, "hooks@example.com", "Ada")))
	if p := next(); p != "/settings" {
		t.Errorf("profile change called %s, want the flow's hook", p)
	}
	select {
	case p := <-paths:
		t.Errorf("unexpected extra hook call %s", p)
	default:
	}
}

// TestPasswordChangeRevokesOtherSessions: with revoke_active_sessions in
// selfservice.flows.settings.after.password.hooks (as the later reference
// versions allow), a password change signs every other device out at once
// and keeps the session that made it; a profile change ends nothing.
func TestPasswordChangeRevokesOtherSessions(t *testing.T) {
	s := testkit.StartSQLite(t, func(c *config.Config) {
		c.SelfService.Flows.Settings.After.Password.Hooks = []config.Hook{{Hook: "revoke_active_sessions"}}
	})
	u := signUp(t, s, "careful@example.com")
	other := sdk.Login(t, s, u.email, sdk.GoodPassword).SessionToken

	wantSaved(t, submitAs(t, s, u, initFlow(t, s, u).ID, profile(t, u.email, "Ada")))
	if got := sdk.WhoamiStatus(t, s, other); got != http.StatusOK {
		t.Fatalf("after a profile change the other device: whoami %d, want 200", got)
	}
	wantSaved(t, submitAs(t, s, u, initFlow(t, s, u).ID, password(t, "a-brand-new-passphrase-77")))
	if got := sdk.WhoamiStatus(t, s, other); got != http.StatusUnauthorized {
		t.Errorf("after a password change the other device: whoami %d, want 401", got)
	}
	if got := sdk.WhoamiStatus(t, s, u.token); got != http.StatusOK {
		t.Errorf("the session that changed the password: whoami %d, want 200", got)
	}
}
