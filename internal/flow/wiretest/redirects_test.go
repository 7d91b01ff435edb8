package wiretest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestEveryRedirectIs302: every redirect the reference sends is a 302
// Found, on GET and POST alike: browser init, browser-flow submits
// (refused, done, expired), the recovery and verification links, logout,
// the hand-off to the error page, settings without a session and
// re-authentication. Never 303 or 307.
func TestEveryRedirectIs302(t *testing.T) {
	e := start(t)
	e.signUp()
	ui := mailtest.UIBase
	b := e.browser()
	b.signIn()
	nobody := e.browser()

	type step struct {
		name string
		do   func() sdk.BrowserResponse
		want string // the Location's prefix
	}
	form := func(br *browser, kind, id string, v url.Values) func() sdk.BrowserResponse {
		return func() sdk.BrowserResponse {
			v.Set("csrf_token", br.CSRFToken())
			return br.PostForm(e.Public+"self-service/"+kind+"?flow="+id, v)
		}
	}
	get := func(br *browser, u string) func() sdk.BrowserResponse {
		return func() sdk.BrowserResponse { return br.Get(u) }
	}
	loginID := nobody.init("login")
	steps := []step{
		{"login init", get(nobody, e.Public+"self-service/login/browser"), ui + "login?flow="},
		{"registration init", get(nobody, e.Public+"self-service/registration/browser"), ui + "registration?flow="},
		{"recovery init", get(nobody, e.Public+"self-service/recovery/browser"), ui + "recovery?flow="},
		{"verification init", get(nobody, e.Public+"self-service/verification/browser"), ui + "verification?flow="},
		{"settings init", get(b, e.Public+"self-service/settings/browser"), ui + "settings?flow="},
		{"settings without a session", get(nobody, e.Public+"self-service/settings/browser"), ui + "login"},
		{"refused submit", form(nobody, "login", loginID, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {"wrong-password-here"}}), ui + "login?flow=" + loginID},
		{"submit without the CSRF token", func() sdk.BrowserResponse {
			return nobody.PostForm(e.Public+"self-service/login?flow="+loginID, url.Values{"method": {"password"}})
		}, ui + "error?error="},
		{"successful submit", form(nobody, "login", loginID, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {password}}), ui + "home"},
		{"logout", get(nobody, e.Public+"self-service/browser/flows/logout"), ui + "home"},
	}
	for _, s := range steps {
		r := s.do()
		if loc := r.Header.Get("Location"); r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, s.want) {
			t.Errorf("%s (%s): %d to %q, want 302 to %s…", s.name, r.Request.Method, r.StatusCode, loc, s.want)
		}
	}

	// Expiry, and re-authentication for a password change on a session
	// older than privileged_session_max_age (1h).
	exp := e.browser()
	id := exp.init("registration")
	e.Server.Clock.Advance(expire)
	r := form(exp, "registration", id, url.Values{"method": {"password"}, "traits.email": {"late@example.com"}, "password": {password}})()
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusFound || !strings.HasPrefix(loc, ui+"registration?flow=") || strings.Contains(loc, id) {
		t.Errorf("expired submit: %d to %q, want 302 to a new flow", r.StatusCode, loc)
	}
	id = b.init("settings")
	r = form(b, "settings", id, url.Values{"method": {"password"}, "password": {"another-" + password}})()
	want := e.Public + "self-service/login/browser?refresh=true&return_to=" + url.QueryEscape(e.Public+"self-service/settings?flow="+id)
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusFound || loc != want {
		t.Errorf("re-authentication: %d to %q, want 302 to %q", r.StatusCode, loc, want)
	}
	// It depends on the flow's type only: a script asking for JSON is
	// sent the same way.
	id = b.init("settings")
	r = b.Do(http.MethodPost, e.Public+"self-service/settings?flow="+id, "application/json",
		sdk.Marshal(t, map[string]string{"csrf_token": b.CSRFToken(), "method": "password", "password": "another-" + password}), "Accept", "application/json")
	want = e.Public + "self-service/login/browser?refresh=true&return_to=" + url.QueryEscape(e.Public+"self-service/settings?flow="+id)
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusFound || loc != want {
		t.Errorf("re-authentication asked as JSON: %d to %q, want 302 to %q", r.StatusCode, loc, want)
	}

	// The links in mails.
	rec := e.browser()
	id = rec.init("recovery")
	rec.form("recovery", id, url.Values{"method": {"link"}, "email": {email}}, ui+"recovery?flow="+id)
	link := e.MailedLink(e.Mail.WaitCount(t, 2)[1], "self-service/recovery")
	// (A completed recovery signs the other sessions out: it comes last.)
	if r := rec.Get(link); r.StatusCode != http.StatusFound || !strings.HasPrefix(r.Header.Get("Location"), ui+"settings?flow=") {
		t.Errorf("recovery link: %d to %q, want 302 to settings", r.StatusCode, r.Header.Get("Location"))
	}
	ver := e.browser()
	id = ver.init("verification")
	ver.form("verification", id, url.Values{"method": {"link"}, "email": {email}}, ui+"verification?flow="+id)
	link = e.MailedLink(e.Mail.WaitCount(t, 3)[2], "self-service/verification")
	if r := ver.Get(link); r.StatusCode != http.StatusFound || r.Header.Get("Location") != ui+"verified" {
		t.Errorf("verification link: %d to %q, want 302 to the return URL", r.StatusCode, r.Header.Get("Location"))
	}
}
