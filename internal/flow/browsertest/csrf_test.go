package browsertest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// forgery is one way a submission can lack this browser's anti-CSRF proof.
// victim is the browser that opened the flow; the returned browser sends
// the forged submission with the returned token.
type forgery struct {
	name  string
	forge func(e *env, victim *browser, kind, victimToken string) (*browser, string, bool)
}

var forgeries = []forgery{
	{"token missing", func(_ *env, v *browser, _, _ string) (*browser, string, bool) {
		return v, "", false
	}},
	{"token empty", func(_ *env, v *browser, _, _ string) (*browser, string, bool) {
		return v, "", true
	}},
	{"token wrong", func(_ *env, v *browser, _, _ string) (*browser, string, bool) {
		return v, strings.Repeat("A", 43), true
	}},
	// A cross-site form post from a browser that never opened a flow: it
	// has no CSRF cookie at all, even though the attacker copied the token.
	{"right token, no cookie", func(e *env, _ *browser, _, tok string) (*browser, string, bool) {
		return e.browser(), tok, true
	}},
	// The attacker's own browser opens a flow of the same kind and uses its
	// (valid) token and cookie against the victim's flow.
	{"token and cookie from another jar's flow", func(e *env, _ *browser, kind, _ string) (*browser, string, bool) {
		a := e.browser()
		a.start(kind, "")
		return a, a.CSRFToken(), true
	}},
	// The victim's token arrives with another browser's cookie.
	{"victim's token with another jar's cookie", func(e *env, _ *browser, kind, tok string) (*browser, string, bool) {
		a := e.browser()
		a.start(kind, "")
		return a, tok, true
	}},
}

// TestCSRFRefusedOnRegistration: every forgery ends on the error page with
// a 403, creates no identity and no session, and leaves the victim's flow
// usable.
func TestCSRFRefusedOnRegistration(t *testing.T) {
	e := start(t, nil)
	for _, fg := range forgeries {
		t.Run(fg.name, func(t *testing.T) {
			victim := e.browser()
			id := victim.start("registration", "")
			tok, _ := nodeValue(t, victim.registrationFlow(id).Ui.Nodes, "csrf_token")
			sender, forged, send := fg.forge(e, victim, "registration", tok)
			form := url.Values{"method": {"password"}, "traits.email": {"forged@example.com"}, "password": {password}}
			if send {
				form.Set("csrf_token", forged)
			}
			r := sender.submit("registration", id, form)
			e.wantErrorPage(r, http.StatusForbidden)
			if r.SetCookie("ory_kratos_session") != nil {
				t.Error("a refused submission set a session cookie")
			}
			if n := len(e.identities()); n != 0 {
				t.Fatalf("%d identities after a forged registration, want 0", n)
			}
			if code, _ := sender.whoami(); code != http.StatusUnauthorized {
				t.Errorf("sender's whoami = %d, want 401", code)
			}
		})
	}

	// The real browser can still finish its own flow afterwards.
	b := e.browser()
	b.register("real@example.com")
	if n := len(e.identities()); n != 1 {
		t.Errorf("%d identities, want the real one", n)
	}
}

// TestCSRFRefusedOnLogin: a forged login must not sign anyone in, which
// would let an attacker log a victim into the attacker's account.
func TestCSRFRefusedOnLogin(t *testing.T) {
	e := start(t, nil)
	e.browser().register("target@example.com")
	for _, fg := range forgeries {
		t.Run(fg.name, func(t *testing.T) {
			victim := e.browser()
			id := victim.start("login", "")
			tok, _ := nodeValue(t, victim.loginFlow(id).Ui.Nodes, "csrf_token")
			sender, forged, send := fg.forge(e, victim, "login", tok)
			form := url.Values{"method": {"password"}, "password_identifier": {"target@example.com"}, "password": {password}}
			if send {
				form.Set("csrf_token", forged)
			}
			r := sender.submit("login", id, form)
			e.wantErrorPage(r, http.StatusForbidden)
			if r.SetCookie("ory_kratos_session") != nil {
				t.Error("a refused login set a session cookie")
			}
			for _, b := range []*browser{sender, victim} {
				if code, _ := b.whoami(); code != http.StatusUnauthorized {
					t.Errorf("whoami = %d after a forged login, want 401", code)
				}
			}
			// The victim's flow still works with the real token.
			r = victim.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"target@example.com"}, "password": {password}})
			if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
				t.Errorf("the victim's own submission afterwards: %d, want 302 with a session", r.StatusCode)
			}
		})
	}

	// Login CSRF proper: the attacker opens a flow and makes the victim's
	// browser (which has a CSRF cookie of its own) post the attacker's
	// credentials with the attacker's token to the attacker's flow.
	e.browser().register("attacker@example.com")
	attacker, victim := e.browser(), e.browser()
	victim.start("login", "")
	aid := attacker.start("login", "")
	atok := attacker.CSRFToken()
	r := victim.submit("login", aid, url.Values{"csrf_token": {atok}, "method": {"password"}, "password_identifier": {"attacker@example.com"}, "password": {password}})
	e.wantErrorPage(r, http.StatusForbidden)
	if code, _ := victim.whoami(); code != http.StatusUnauthorized {
		t.Errorf("the victim was signed into the attacker's account: whoami %d", code)
	}
}

// TestCSRFRefusedOnSettings: the signed-in owner's browser, tricked into
// posting without the right token, changes nothing.
func TestCSRFRefusedOnSettings(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.register("owner@example.com")
	id := b.start("settings", "")
	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"token missing", url.Values{}},
		{"token wrong", url.Values{"csrf_token": {strings.Repeat("B", 43)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := tc.form
			form.Set("method", "profile")
			form.Set("traits.email", "attacker@example.com")
			e.wantErrorPage(b.submit("settings", id, form), http.StatusForbidden)
			if got := e.identities()[0].Traits.(map[string]any)["email"]; got != "owner@example.com" {
				t.Errorf("email is now %v, want it unchanged", got)
			}
		})
	}
}

// TestCSRFJSONClientGetsJSON: a single-page app posting JSON gets the 403
// as an error body it can read, not a redirect it cannot follow.
func TestCSRFJSONClientGetsJSON(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	id := b.start("registration", "")
	r := b.postJSON(e.public+"self-service/registration?flow="+id, map[string]any{"method": "password", "csrf_token": "nope", "traits": map[string]any{"email": "spa@example.com"}, "password": password})
	if r.StatusCode != http.StatusForbidden || r.Header.Get("Location") != "" {
		t.Fatalf("JSON forged submit: %d, Location %q; want 403 without a redirect", r.StatusCode, r.Header.Get("Location"))
	}
	if m := sdk.DecodeObject(t, r.Body); m["error"].(map[string]any)["code"] != float64(403) {
		t.Errorf("body %s, want the 403 error envelope", r.Body)
	}
	if n := len(e.identities()); n != 0 {
		t.Errorf("%d identities, want 0", n)
	}
}
