package browsertest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestLoginBrowserJourney signs in as a browser: start, fail, retry,
// succeed, then start again while signed in (with and without refresh).
func TestLoginBrowserJourney(t *testing.T) {
	e := start(t, nil)
	e.browser().register("ada@example.com")

	b := e.browser()
	r := b.Get(e.public + "self-service/login/browser")
	loc := r.Location(t)
	if r.StatusCode != http.StatusFound || loc.Scheme+"://"+loc.Host+loc.Path != e.app+"login" {
		t.Fatalf("start: %d to %s, want 302 to the login UI", r.StatusCode, loc)
	}
	id := loc.Query().Get("flow")
	csrf := r.SetCookie(sdk.CSRFCookieName(e.public))
	if csrf == nil || !csrf.HttpOnly || csrf.Secure || csrf.Path != "/" || csrf.SameSite != http.SameSiteLaxMode {
		t.Fatalf("CSRF cookie = %+v, want HttpOnly, Path=/, SameSite=Lax and (in dev) not Secure", csrf)
	}
	f := b.loginFlow(id)
	if f.Id != id || f.GetType() != "browser" || f.GetForced() || f.Ui.Method != "POST" || f.Ui.Action != e.public+"self-service/login?flow="+id {
		t.Errorf("flow = id %s type %s forced %v, ui %s %s", f.Id, f.GetType(), f.GetForced(), f.Ui.Method, f.Ui.Action)
	}
	tok, _ := nodeValue(t, f.Ui.Nodes, "csrf_token")
	if tok == "" || tok != csrf.Value {
		t.Fatalf("csrf_token node %q, cookie %q: want the same non-empty value", tok, csrf.Value)
	}

	// A wrong password sends the browser back to the same flow, which
	// says why, keeps the identifier and never echoes the password.
	r = b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"ada@example.com"}, "password": {"wrong-password-123"}})
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"login?flow="+id {
		t.Fatalf("wrong password: %d to %q, want 302 to the same flow", r.StatusCode, r.Header.Get("Location"))
	}
	if r.SetCookie("ory_kratos_session") != nil {
		t.Fatal("a failed login set a session cookie")
	}
	f = b.loginFlow(id)
	if !has(messageIDs(f.Ui.Messages), 4000006) {
		t.Errorf("messages %v, want 4000006 (invalid credentials)", messageIDs(f.Ui.Messages))
	}
	if v, _ := nodeValue(t, f.Ui.Nodes, "password_identifier"); v != "ada@example.com" {
		t.Errorf("password_identifier = %q, want the submitted identifier", v)
	}
	if v, ok := nodeValue(t, f.Ui.Nodes, "password"); ok {
		t.Errorf("password node carries a value %q; it must never be sent back", v)
	}

	// An empty password is a second failure on the same flow.
	r = b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"ada@example.com"}})
	if r.StatusCode != http.StatusFound || r.Location(t).Query().Get("flow") != id {
		t.Fatalf("missing password: %d to %q, want 302 to the same flow", r.StatusCode, r.Header.Get("Location"))
	}
	f = b.loginFlow(id)
	if !has(nodeMessages(f.Ui.Nodes, "password"), 4000002) || has(messageIDs(f.Ui.Messages), 4000006) {
		t.Errorf("password messages %v, form messages %v; want 4000002 on the password and the old message gone",
			nodeMessages(f.Ui.Nodes, "password"), messageIDs(f.Ui.Messages))
	}
	if code, _ := b.whoami(); code != http.StatusUnauthorized {
		t.Fatalf("whoami after failures = %d, want 401", code)
	}

	// The retry with the right password completes the flow.
	r = b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"ADA@example.com"}, "password": {password}})
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"app/" {
		t.Fatalf("login: %d to %q, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
	}
	sc := r.SetCookie("ory_kratos_session")
	if sc == nil || sc.Value == "" {
		t.Fatal("login set no session cookie")
	}
	code, s := b.whoami()
	if code != http.StatusOK || s.Identity.Traits.(map[string]any)["email"] != "ada@example.com" {
		t.Fatalf("whoami = %d %v, want ada's session", code, s)
	}
	if r := b.Get(e.public + "self-service/login/flows?id=" + id); r.StatusCode != http.StatusOK {
		t.Errorf("completed flow fetch = %d, want 200", r.StatusCode)
	} else if f = b.loginFlow(id); f.GetActive() != "password" {
		t.Errorf("completed flow active = %q, want password", f.GetActive())
	}

	// Signed in, starting login again goes to the return URL at once.
	r = b.Get(e.public + "self-service/login/browser")
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"app/" {
		t.Errorf("signed-in start: %d to %q, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
	}
	r = b.Get(e.public + "self-service/login/browser?return_to=" + url.QueryEscape(e.app+"app/inbox"))
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"app/inbox" {
		t.Errorf("signed-in start with return_to: %d to %q, want 302 to return_to", r.StatusCode, r.Header.Get("Location"))
	}

	// refresh=true asks for the password again: a forced flow, and a new
	// session whose cookie replaces the old; the old session stays valid.
	id = b.start("login", "refresh=true")
	if f = b.loginFlow(id); !f.GetForced() {
		t.Errorf("refresh flow forced = %v, want true", f.GetForced())
	}
	tok, _ = nodeValue(t, f.Ui.Nodes, "csrf_token")
	r = b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"ada@example.com"}, "password": {password}})
	nc := r.SetCookie("ory_kratos_session")
	if r.StatusCode != http.StatusFound || nc == nil || nc.Value == sc.Value {
		t.Fatalf("refresh login: %d, cookie %v; want 302 with a new session cookie", r.StatusCode, nc)
	}
	old := e.browser()
	if r := old.Get(e.public+"sessions/whoami", "Cookie", "ory_kratos_session="+sc.Value); r.StatusCode != http.StatusOK {
		t.Errorf("the pre-refresh session answers %d, want 200", r.StatusCode)
	}
}

// TestLoginSecondTabWhileSignedIn submits a flow opened before signing in
// elsewhere. Signing in renewed the browser's anti-CSRF token (as in the
// reference), so the stale form is refused and no second session issued.
func TestLoginSecondTabWhileSignedIn(t *testing.T) {
	e := start(t, nil)
	e.browser().register("tabs@example.com")
	b := e.browser()
	tabA, tabB := b.start("login", ""), b.start("login", "")
	tokA, _ := nodeValue(t, b.loginFlow(tabA).Ui.Nodes, "csrf_token")
	tokB, _ := nodeValue(t, b.loginFlow(tabB).Ui.Nodes, "csrf_token")
	if tokA != tokB {
		t.Errorf("two tabs of one browser got CSRF tokens %q and %q; one cookie must serve both", tokA, tokB)
	}
	form := url.Values{"csrf_token": {tokA}, "method": {"password"}, "password_identifier": {"tabs@example.com"}, "password": {password}}
	if r := b.submit("login", tabA, form); r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("tab A: %d, want 302 with a session", r.StatusCode)
	}
	r := b.submit("login", tabB, form)
	if r.SetCookie("ory_kratos_session") != nil {
		t.Errorf("tab B: a second session cookie %v", r.SetCookie("ory_kratos_session"))
	}
	e.wantErrorPage(r, http.StatusForbidden)
}

// TestBrowserFlowsSubmittedAsJSON: a single-page app posts JSON with the
// flow's csrf_token and gets the session as JSON, with the cookie and never
// the token (scripts must not hold it). The login case signs in the user
// the registration case created.
func TestBrowserFlowsSubmittedAsJSON(t *testing.T) {
	e := start(t, nil)
	for _, kind := range []string{"registration", "login"} {
		t.Run(kind, func(t *testing.T) {
			b := e.browser()
			id := b.start(kind, "")
			var nodesTok string
			if kind == "login" {
				nodesTok, _ = nodeValue(t, b.loginFlow(id).Ui.Nodes, "csrf_token")
			} else {
				nodesTok, _ = nodeValue(t, b.registrationFlow(id).Ui.Nodes, "csrf_token")
			}
			body := map[string]any{"csrf_token": nodesTok, "method": "password", "password": password}
			if kind == "login" {
				body["password_identifier"] = "json@example.com"
			} else {
				body["traits"] = map[string]any{"email": "json@example.com"}
			}
			r := b.postJSON(e.public+"self-service/"+kind+"?flow="+id, body)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("JSON submit: %d %s, want 200", r.StatusCode, r.Body)
			}
			out := sdk.DecodeObject(t, r.Body)
			if _, ok := out["session_token"]; ok {
				t.Errorf("answer carries session_token; a browser flow must not hand it to scripts: %s", r.Body)
			}
			// The body is the session itself, as the reference sends it.
			if _, wrapped := out["session"]; wrapped || out["id"] == nil || out["identity"] == nil || out["active"] != true {
				t.Errorf("answer is not the bare session: %s", r.Body)
			}
			var s client.Session
			if err := json.Unmarshal(r.Body, &s); err != nil || s.Id == "" || s.Identity.Id == "" {
				t.Errorf("the SDK cannot read the session: %v %s", err, r.Body)
			}
			if r.SetCookie("ory_kratos_session") == nil {
				t.Error("no session cookie was set")
			}
			if code, _ := b.whoami(); code != http.StatusOK {
				t.Errorf("whoami = %d, want 200", code)
			}
		})
	}
}
