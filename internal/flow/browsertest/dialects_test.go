package browsertest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

// TestBrowserJourneyOnEveryDatabase runs one whole browser life on each
// database: sign up, sign out, fail to sign in, sign in, change the
// profile, sign out. Flows, CSRF tokens, sessions and stored errors all
// round-trip through the dialect.
func TestBrowserJourneyOnEveryDatabase(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		e := startOn(t, dsn, nil)
		b := e.browser()
		b.register("every@example.com")
		if code, _ := b.whoami(); code != http.StatusOK {
			t.Fatalf("whoami after sign-up = %d, want 200", code)
		}
		oldCookie := b.Cookie("ory_kratos_session")

		r := b.Get(e.public + "self-service/browser/flows/logout")
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != e.app+"app/" {
			t.Fatalf("logout: %d to %q, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
		}
		if code, _ := b.whoami(); code != http.StatusUnauthorized {
			t.Fatalf("whoami after logout = %d, want 401", code)
		}
		if r := e.browser().Get(e.public+"sessions/whoami", "Cookie", "ory_kratos_session="+oldCookie); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the signed-out cookie value still answers %d, want 401", r.StatusCode)
		}

		// A forged submission lands on a stored 403 error.
		id := b.start("login", "")
		e.wantErrorPage(b.submit("login", id, url.Values{"method": {"password"}, "password_identifier": {"every@example.com"}, "password": {password}}), http.StatusForbidden)

		tok := b.CSRFToken()
		r = b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"every@example.com"}, "password": {"not-the-password-1"}})
		if r.StatusCode != http.StatusFound || r.Location(t).Query().Get("flow") != id {
			t.Fatalf("wrong password: %d to %q, want 302 back to the flow", r.StatusCode, r.Header.Get("Location"))
		}
		if msgs := messageIDs(b.loginFlow(id).Ui.Messages); !has(msgs, 4000006) {
			t.Errorf("messages %v, want 4000006", msgs)
		}
		r = b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"every@example.com"}, "password": {password}})
		if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
			t.Fatalf("login: %d, want 302 with a session", r.StatusCode)
		}

		// Signing in renewed the anti-CSRF token, as the reference does.
		sid := b.start("settings", "")
		r = b.submit("settings", sid, url.Values{"csrf_token": {b.CSRFToken()}, "method": {"profile"}, "traits.email": {"every@example.com"}, "traits.name": {"Every Base"}})
		if r.StatusCode != http.StatusFound || b.settingsFlow(sid).State != "success" {
			t.Fatalf("settings: %d, want 302 and a successful flow", r.StatusCode)
		}
		if ids := e.identities(); len(ids) != 1 || ids[0].Traits.(map[string]any)["name"] != "Every Base" {
			t.Errorf("identities = %v, want one with the new name", ids)
		}

		b.Get(e.public + "self-service/browser/flows/logout")
		if code, _ := b.whoami(); code != http.StatusUnauthorized {
			t.Errorf("whoami after the second logout = %d, want 401", code)
		}
	})
}
