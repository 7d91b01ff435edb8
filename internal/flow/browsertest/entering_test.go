package browsertest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// wantRedirect checks r is a 302 to exactly want.
func wantRedirect(t *testing.T, what string, r sdk.BrowserResponse, want string) {
	t.Helper()
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != want {
		t.Errorf("%s: %d to %q, want 302 to %q", what, r.StatusCode, r.Header.Get("Location"), want)
	}
}

// wantReason checks r is the error envelope with status and reason.
func wantReason(t *testing.T, what string, r sdk.BrowserResponse, status int, reason string) {
	t.Helper()
	body := sdk.WantError(t, sdk.Response{Status: r.StatusCode, Header: r.Header, Body: r.Body}, status)
	if body["reason"] != reason {
		t.Errorf("%s: reason %v, want %q", what, body["reason"], reason)
	}
}

// TestEnteringLoginWithSession: a signed-in client starting login without
// refresh is refused (api, 400) or sent on (browser: to an allowed
// return_to, else the default); with refresh it gets a forced flow. A
// non-forced browser flow submitted while signed in goes to the default
// return URL whatever its return_to, JSON clients too.
func TestEnteringLoginWithSession(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.register("enter@example.com")
	// A flow started before signing in, with a return_to of its own.
	early := e.browser()
	earlyID := early.start("login", "return_to="+url.QueryEscape("https://allowed.example/app/x"))
	earlyTok, _ := nodeValue(t, early.loginFlow(earlyID).Ui.Nodes, "csrf_token")
	early.Jar.SetCookies(mustParse(t, e.public), []*http.Cookie{{Name: "ory_kratos_session", Value: b.Cookie("ory_kratos_session")}})

	cookie := "ory_kratos_session=" + b.Cookie("ory_kratos_session")
	r := b.Get(e.public+"self-service/login/api", "Accept", "application/json")
	wantReason(t, "api init with a session", r, http.StatusBadRequest, "A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?")
	if r := sdk.Do(t, http.MethodGet, e.public+"self-service/login/api?refresh=true", "", nil, "Cookie", cookie); r.Status != http.StatusOK || sdk.DecodeFlow(t, r.Body).Forced == nil || !*sdk.DecodeFlow(t, r.Body).Forced {
		t.Errorf("api init with refresh: %d %s, want 200 and a forced flow", r.Status, r.Body)
	}

	wantRedirect(t, "browser init", b.Get(e.public+"self-service/login/browser"), e.app+"app/")
	wantRedirect(t, "browser init with return_to", b.Get(e.public+"self-service/login/browser?return_to="+url.QueryEscape("https://allowed.example/app/y")), "https://allowed.example/app/y")
	if id := b.start("login", "refresh=true"); !b.loginFlow(id).GetForced() {
		t.Error("browser init with refresh: flow not forced")
	}

	form := url.Values{"csrf_token": {earlyTok}, "method": {"password"}, "password_identifier": {"enter@example.com"}, "password": {password}}
	wantRedirect(t, "submit while signed in", early.submit("login", earlyID, form), e.app+"app/")
	wantRedirect(t, "JSON submit while signed in", early.postJSON(e.public+"self-service/login?flow="+earlyID,
		map[string]string{"csrf_token": earlyTok, "method": "password", "password_identifier": "enter@example.com", "password": password}), e.app+"app/")
}

// TestEnteringRegistrationWithSession: api init with a session is 400; a
// browser is sent to a return_to only under <public>/self-service, else
// (even an allow-listed one) to the default; a submission while signed in
// is 400 for JSON clients and that same redirect otherwise.
func TestEnteringRegistrationWithSession(t *testing.T) {
	e := start(t, nil)
	early := e.browser()
	earlyID := early.start("registration", "")
	earlyTok, _ := nodeValue(t, early.registrationFlow(earlyID).Ui.Nodes, "csrf_token")
	b := e.browser()
	b.register("second@example.com")
	early.Jar.SetCookies(mustParse(t, e.public), []*http.Cookie{{Name: "ory_kratos_session", Value: b.Cookie("ory_kratos_session")}})

	wantReason(t, "api init with a session", b.Get(e.public+"self-service/registration/api", "Accept", "application/json"),
		http.StatusBadRequest, "A valid session was detected and thus registration is not possible.")
	wantRedirect(t, "browser init", b.Get(e.public+"self-service/registration/browser"), e.app+"app/")
	wantRedirect(t, "browser init, allow-listed return_to",
		b.Get(e.public+"self-service/registration/browser?return_to="+url.QueryEscape("https://allowed.example/app/z")), e.app+"app/")
	own := e.public + "self-service/settings/browser"
	wantRedirect(t, "browser init, return_to under self-service", b.Get(e.public+"self-service/registration/browser?return_to="+url.QueryEscape(own)), own)

	body := map[string]any{"csrf_token": earlyTok, "method": "password", "password": password, "traits": map[string]any{"email": "third@example.com"}}
	wantReason(t, "JSON submit while signed in", early.postJSON(e.public+"self-service/registration?flow="+earlyID, body),
		http.StatusBadRequest, "A valid session was detected and thus registration is not possible.")
	form := url.Values{"csrf_token": {earlyTok}, "method": {"password"}, "password": {password}, "traits.email": {"third@example.com"}}
	wantRedirect(t, "form submit while signed in", early.submit("registration", earlyID, form), e.app+"app/")
	if n := len(e.identities()); n != 1 {
		t.Errorf("%d identities, want 1: a signed-in submission must not register", n)
	}
}

// TestEnteringSettingsWithoutSession: the api init is 403; fetching or
// submitting (POST or GET) is 401 for JSON clients and a 302 straight to
// the login UI for anyone else, decided before the flow id is looked at.
func TestEnteringSettingsWithoutSession(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	wantReason(t, "api init", b.Get(e.public+"self-service/settings/api", "Accept", "application/json"),
		http.StatusForbidden, "This endpoint can only be accessed with a valid session. Please log in and try again.")
	const missing = "A valid Ory Session Cookie or Ory Session Token is missing."
	for _, q := range []string{"", "?flow=not-a-uuid", "?flow=2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90"} {
		u := e.public + "self-service/settings" + q
		wantReason(t, "JSON submit "+q, b.postJSON(u, map[string]string{"method": "profile"}), http.StatusUnauthorized, missing)
		wantRedirect(t, "form submit "+q, b.PostForm(u, url.Values{"method": {"profile"}}), e.app+"login")
		wantRedirect(t, "GET "+q, b.Get(u), e.app+"login")
	}
	wantReason(t, "JSON fetch", b.Get(e.public+"self-service/settings/flows?id=x", "Accept", "application/json"), http.StatusUnauthorized, missing)
	wantRedirect(t, "browser fetch", b.Get(e.public+"self-service/settings/flows?id=x"), e.app+"login")
}

// TestEnteringVerificationWithSession: verification never looks at the
// session.
func TestEnteringVerificationWithSession(t *testing.T) {
	e := start(t, func(c *config.Config, _ string) { c.SelfService.Flows.Verification.Enabled = true })
	b := e.browser()
	b.register("verify@example.com")
	b.start("verification", "")
	if r := b.Get(e.public+"self-service/verification/api", "Accept", "application/json"); r.StatusCode != http.StatusOK {
		t.Errorf("api init with a session: %d, want 200", r.StatusCode)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
