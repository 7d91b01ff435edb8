package totp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRecoveryKeepsTheSecondFactor: a recovery link signs a TOTP user in
// at aal1 only (method link_recovery). Whoami and settings still want the
// code; the browser is sent to the step-up, and after the code the same
// session reaches settings.
func TestRecoveryKeepsTheSecondFactor(t *testing.T) {
	s := start(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) { c.SelfService.Flows.Recovery.Enabled = true })
	reg := sdk.Register(t, s, "recover@example.com", sdk.GoodPassword)
	key := enrol(t, s, reg.SessionToken)

	r := sdk.Do(t, http.MethodPost, s.AdminURL+"recovery/link", "application/json", sdk.Marshal(t, map[string]any{"identity_id": reg.Identity.Id}))
	link, _ := sdk.DecodeObject(t, r.Body)["recovery_link"].(string)
	if r.Status != 200 || link == "" {
		t.Fatalf("recovery link: %d %s", r.Status, r.Body)
	}
	b := sdk.NewBrowser(t, s.PublicURL, nil)
	settingsUI := b.Get(link).Location(t)
	flowID := settingsUI.Query().Get("flow")
	if flowID == "" {
		t.Fatalf("the recovery link led to %s", settingsUI)
	}
	if got, _ := b.Whoami(); got != http.StatusForbidden {
		t.Errorf("whoami after recovery: %d, want 403", got)
	}
	fetch := b.Get(s.PublicURL+"self-service/settings/flows?id="+flowID, "Accept", "application/json")
	if fetch.StatusCode != http.StatusForbidden || !strings.Contains(string(fetch.Body), "session_aal2_required") {
		t.Fatalf("settings at aal1 after recovery: %d %s", fetch.StatusCode, fetch.Body)
	}
	// A browser opening settings is sent to add the code.
	to := b.Get(s.PublicURL + "self-service/settings/browser").Location(t)
	if to.Path != "/self-service/login/browser" || to.Query().Get("aal") != "aal2" {
		t.Fatalf("settings sent the browser to %s", to)
	}
	loginUI := b.Get(to.String()).Location(t)
	lf := loginUI.Query().Get("flow")
	s.Clock.Advance(30e9)
	form := url.Values{"csrf_token": {b.CSRFToken()}, "method": {"totp"}, "totp_code": {code(t, key, s.Clock.Now())}}
	done := b.PostForm(s.PublicURL+"self-service/login?flow="+lf, form)
	if done.StatusCode != http.StatusFound {
		t.Fatalf("step-up: %d %s", done.StatusCode, done.Body)
	}
	after := b.Get(s.PublicURL+"sessions/whoami", "Accept", "application/json")
	if after.StatusCode != 200 || !strings.Contains(string(after.Body), `"aal2"`) || !strings.Contains(string(after.Body), `"link_recovery"`) {
		t.Errorf("whoami after step-up: %d %s", after.StatusCode, after.Body)
	}
	if fetch := b.Get(s.PublicURL+"self-service/settings/flows?id="+flowID, "Accept", "application/json"); fetch.StatusCode != 200 {
		t.Errorf("settings after step-up: %d %s", fetch.StatusCode, fetch.Body)
	}
}
