package browsertest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRegistrationBrowserJourney signs up as a browser: two failed
// submissions on one flow, then success, then a duplicate from another
// browser.
func TestRegistrationBrowserJourney(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	r := b.Get(e.public + "self-service/registration/browser")
	loc := r.Location(t)
	if r.StatusCode != http.StatusFound || loc.Scheme+"://"+loc.Host+loc.Path != e.app+"registration" {
		t.Fatalf("start: %d to %s, want 302 to the registration UI", r.StatusCode, loc)
	}
	id := loc.Query().Get("flow")
	csrf := r.SetCookie(sdk.CSRFCookieName(e.public))
	f := b.registrationFlow(id)
	tok, _ := nodeValue(t, f.Ui.Nodes, "csrf_token")
	if csrf == nil || tok != csrf.Value || !csrf.HttpOnly {
		t.Fatalf("csrf_token node %q, cookie %+v: want an HttpOnly cookie holding the node's value", tok, csrf)
	}

	// failure submits form, expects the browser back on the same flow, and
	// reloads f as the app's page would.
	failure := func(form url.Values) {
		t.Helper()
		r := b.submit("registration", id, form)
		if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"registration?flow="+id {
			t.Fatalf("%d to %q, want 302 back to the same flow", r.StatusCode, r.Header.Get("Location"))
		}
		if r.SetCookie("ory_kratos_session") != nil {
			t.Fatal("a failed registration set a session cookie")
		}
		f = b.registrationFlow(id)
		if v, ok := nodeValue(t, f.Ui.Nodes, "password"); ok {
			t.Errorf("password node carries %q; the password must never be sent back", v)
		}
	}

	failure(url.Values{"csrf_token": {tok}, "method": {"password"}, "traits.email": {"not-an-email"}, "password": {password}})
	if v, _ := nodeValue(t, f.Ui.Nodes, "traits.email"); v != "not-an-email" {
		t.Errorf("traits.email = %q, want the submitted value kept", v)
	}
	if len(nodeMessages(f.Ui.Nodes, "traits.email")) == 0 {
		t.Error("no message on traits.email for an invalid address")
	}

	failure(url.Values{"csrf_token": {tok}, "method": {"password"}, "traits.email": {"grace@example.com"}, "password": {"grace@example.com"}})
	if !has(nodeMessages(f.Ui.Nodes, "password"), 4000005) || len(nodeMessages(f.Ui.Nodes, "traits.email")) != 0 {
		t.Errorf("password messages %v, email messages %v; want 4000005 on the password only",
			nodeMessages(f.Ui.Nodes, "password"), nodeMessages(f.Ui.Nodes, "traits.email"))
	}
	if v, _ := nodeValue(t, f.Ui.Nodes, "traits.email"); v != "grace@example.com" {
		t.Errorf("traits.email = %q, want the corrected value kept", v)
	}

	failure(url.Values{"csrf_token": {tok}, "method": {"nope"}, "traits.email": {"grace@example.com"}, "password": {password}})
	if ids := messageIDs(f.Ui.Messages); len(ids) != 1 || ids[0]/10 != 401000 {
		t.Errorf("unknown method: messages %v, want one 401000x", ids)
	}
	if n := len(e.identities()); n != 0 {
		t.Fatalf("%d identities after failed submissions, want 0", n)
	}

	// Success: a session cookie, the default return URL, one identity.
	r = b.submit("registration", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "traits.email": {"grace@example.com"}, "password": {password}})
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"app/" {
		t.Fatalf("registration: %d to %q, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
	}
	if r.SetCookie("ory_kratos_session") == nil {
		t.Fatal("no session cookie after registration with the session hook")
	}
	ids := e.identities()
	if len(ids) != 1 || ids[0].Traits.(map[string]any)["email"] != "grace@example.com" {
		t.Fatalf("identities = %v, want grace only", ids)
	}
	code, s := b.whoami()
	if code != http.StatusOK || s.Identity.Id != ids[0].Id {
		t.Fatalf("whoami = %d, want grace's session", code)
	}

	// Signed in, starting registration goes to the return URL.
	if r := b.Get(e.public + "self-service/registration/browser"); r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"app/" {
		t.Errorf("signed-in start: %d to %q, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
	}

	// The same address from another browser: back to its flow, 4000007.
	other := e.browser()
	oid := other.start("registration", "")
	otok, _ := nodeValue(t, other.registrationFlow(oid).Ui.Nodes, "csrf_token")
	r = other.submit("registration", oid, url.Values{"csrf_token": {otok}, "method": {"password"}, "traits.email": {"Grace@Example.com"}, "password": {password}})
	if r.StatusCode != http.StatusFound || r.Location(t).Query().Get("flow") != oid || r.SetCookie("ory_kratos_session") != nil {
		t.Fatalf("duplicate: %d to %q, want 302 back to its flow without a session", r.StatusCode, r.Header.Get("Location"))
	}
	if msgs := messageIDs(other.registrationFlow(oid).Ui.Messages); !has(msgs, 4000007) {
		t.Errorf("duplicate messages %v, want 4000007", msgs)
	}
	if n := len(e.identities()); n != 1 {
		t.Errorf("%d identities after the duplicate, want 1", n)
	}
}
