package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestDisabledFlowsAnswerAsTheReference: with recovery and verification
// turned off, their routes answer the reference's error, "Recovery is not
// allowed because it was disabled." (400), as JSON for API clients and
// through the error page for browsers, instead of a bare 404.
func TestDisabledFlowsAnswerAsTheReference(t *testing.T) {
	s := testkit.StartSQLite(t, func(c *config.Config) {
		c.SelfService.Flows.Recovery.Enabled = false
		c.SelfService.Flows.Verification.Enabled = false
	})
	for _, kind := range []string{"recovery", "verification"} {
		reason := strings.ToUpper(kind[:1]) + kind[1:] + " is not allowed because it was disabled."
		for _, u := range []string{s.PublicURL + "self-service/" + kind + "/api", s.PublicURL + "self-service/" + kind + "/flows?id=00000000-0000-0000-0000-000000000001", s.AdminURL + "self-service/" + kind + "/flows?id=00000000-0000-0000-0000-000000000001"} {
			r := sdk.Do(t, http.MethodGet, u, "", nil)
			if e := sdk.WantError(t, r, http.StatusBadRequest); e["reason"] != reason {
				t.Errorf("GET %s: reason %v, want %q", u, e["reason"], reason)
			}
		}
		r := sdk.Do(t, http.MethodPost, s.PublicURL+"self-service/"+kind+"?flow=00000000-0000-0000-0000-000000000001", "application/json", []byte(`{"email":"a@example.com","method":"link"}`))
		if e := sdk.WantError(t, r, http.StatusBadRequest); e["reason"] != reason {
			t.Errorf("POST %s: reason %v", kind, e["reason"])
		}
		b := sdk.NewBrowser(t, s.PublicURL, nil)
		br := b.Get(s.PublicURL + "self-service/" + kind + "/browser")
		if loc := br.Location(t); br.StatusCode != http.StatusFound || !strings.Contains(loc.String(), "error=") {
			t.Errorf("browser %s: %d to %v, want 302 to the error page", kind, br.StatusCode, loc)
		}
	}
	r := sdk.Do(t, http.MethodPost, s.AdminURL+"recovery/link", "application/json", []byte(`{"identity_id":"00000000-0000-0000-0000-000000000001"}`))
	if e := sdk.WantError(t, r, http.StatusBadRequest); e["reason"] != "Recovery is not allowed because it was disabled." {
		t.Errorf("admin recovery link: reason %v", e["reason"])
	}
}
