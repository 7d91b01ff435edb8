package webui_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const phoneAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"

// signInElsewhere signs the account in from another device (an app using
// the api flow with its own user agent) and returns that session's token.
func signInElsewhere(t *testing.T, srv *testkit.Server, password, agent string) string {
	t.Helper()
	f := sdk.Init(t, srv, "login")
	r := sdk.Submit(t, srv, "login", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": email, "password": password}), "User-Agent", agent)
	var out struct {
		Token string `json:"session_token"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &out) != nil || out.Token == "" {
		t.Fatalf("sign in from %s: %d %s", agent, r.Status, r.Body)
	}
	return out.Token
}

// TestBrowserSignsOutAnotherDevice: the settings page lists the devices the
// account is signed in on, this one marked; "Sign out this device" on the
// phone ends the phone's session at once (its next whoami is refused) and
// keeps the browser's; "Sign out all other devices" ends every other one.
func TestBrowserSignsOutAnotherDevice(t *testing.T) {
	srv := uiServer(t, nil)
	b := newBrowser(t, srv.PublicURL)
	b.open("ui/registration")
	b.heading("Create an account")
	b.fill("Email address", email)
	b.fill("Password", "first-Passw0rd-1")
	b.press("Sign up", "password")
	b.heading("You are signed in")
	phone := signInElsewhere(t, srv, "first-Passw0rd-1", phoneAgent)

	b.clickLink("Account settings")
	b.heading("Account settings")
	b.shows("Signed-in devices", "Safari on iOS", "Chrome on Linux")
	this := run(b, "read this device's entry", textOf(`//li[.//span[normalize-space()="This device"]]`))
	if !strings.Contains(this, "Chrome on Linux") || strings.Contains(this, "Safari") {
		t.Errorf("the entry marked as this device reads %q, want the browser's", this)
	}
	b.do("sign out the phone", clickXPath(`//li[contains(., "Safari on iOS")]//button[normalize-space()="Sign out this device"]`))
	b.heading("Account settings")
	b.shows("The device has been signed out.", "No other device is signed in.")
	if strings.Contains(b.text(), "Safari on iOS") {
		t.Error("the signed-out phone is still listed")
	}
	if got := sdk.WhoamiStatus(t, srv, phone); got != http.StatusUnauthorized {
		t.Errorf("the signed-out phone's whoami: %d, want 401", got)
	}

	// Two more devices, then all of them at once.
	tablet := signInElsewhere(t, srv, "first-Passw0rd-1", "TabletApp/2.1")
	laptop := signInElsewhere(t, srv, "first-Passw0rd-1", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0")
	b.open("ui/settings")
	b.heading("Account settings")
	b.shows("TabletApp/2.1", "Firefox on Windows")
	b.do("sign out all others", clickXPath(`//button[normalize-space()="Sign out all other devices"]`))
	b.heading("Account settings")
	b.shows("All other devices have been signed out.")
	for name, tok := range map[string]string{"tablet": tablet, "laptop": laptop} {
		if got := sdk.WhoamiStatus(t, srv, tok); got != http.StatusUnauthorized {
			t.Errorf("the %s after 'sign out all other devices': whoami %d, want 401", name, got)
		}
	}
	b.clickLink("Back to your account")
	b.heading("You are signed in")
}

// TestSignOutFormsAreGuarded: the sign-out forms need the anti-CSRF pair,
// so another site cannot post them with the user's cookie; with it, they
// end only the caller's own other sessions (never the current one, never
// another account's).
func TestSignOutFormsAreGuarded(t *testing.T) {
	srv := uiServer(t, nil)
	own := sdk.Register(t, srv, email, "first-Passw0rd-1")
	phone := signInElsewhere(t, srv, "first-Passw0rd-1", phoneAgent)
	stranger := sdk.Register(t, srv, "someone@example.org", "other-Passw0rd-2")
	var phoneID string
	r := sdk.Do(t, http.MethodGet, srv.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", phone)
	var who struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(r.Body, &who) != nil || who.ID == "" {
		t.Fatalf("whoami of the phone: %d %s", r.Status, r.Body)
	}
	phoneID = who.ID

	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := strings.Repeat("c", 43) // any token the browser holds in its cookie and echoes back
	post := func(form url.Values, withToken bool) int {
		t.Helper()
		cookie := "ory_kratos_session=" + own.SessionToken
		if withToken {
			cookie += "; " + sdk.CSRFCookieName(srv.PublicURL) + "=" + csrf
			form.Set("csrf_token", csrf)
		}
		return sdk.Request(t, noRedirects, http.MethodPost, srv.PublicURL+"ui/sessions", "application/x-www-form-urlencoded", []byte(form.Encode()), "Cookie", cookie).Status
	}
	if got := post(url.Values{"session": {phoneID}}, false); got != http.StatusBadRequest {
		t.Errorf("a sign-out form without the anti-CSRF pair: %d, want 400", got)
	}
	if got := sdk.WhoamiStatus(t, srv, phone); got != http.StatusOK {
		t.Fatalf("the phone after a refused form: whoami %d, want 200", got)
	}
	if got := post(url.Values{"session": {stranger.Session.Id}}, true); got != http.StatusFound {
		t.Errorf("another account's session id: %d, want 302 doing nothing", got)
	}
	if got := sdk.WhoamiStatus(t, srv, stranger.SessionToken); got != http.StatusOK {
		t.Errorf("another account's session after someone posted its id: whoami %d, want 200", got)
	}
	var me struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(sdk.Do(t, http.MethodGet, srv.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", own.SessionToken).Body, &me)
	if got := post(url.Values{"session": {me.ID}}, true); got != http.StatusBadRequest {
		t.Errorf("signing out the current session by id: %d, want 400 (use sign out)", got)
	}
	if got := post(url.Values{"session": {phoneID}}, true); got != http.StatusFound {
		t.Errorf("a guarded sign-out form: %d, want 302 back to settings", got)
	}
	if got := sdk.WhoamiStatus(t, srv, phone); got != http.StatusUnauthorized {
		t.Errorf("the phone after the form: whoami %d, want 401", got)
	}
	if got := sdk.WhoamiStatus(t, srv, own.SessionToken); got != http.StatusOK {
		t.Errorf("the session that posted the form: whoami %d, want 200", got)
	}
}
