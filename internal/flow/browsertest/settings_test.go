package browsertest_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/flow"
)

func TestSettingsWithoutSessionGoesToLogin(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	// Straight to the login UI URL as configured: no flow, no return_to,
	// whatever the client accepts.
	for _, accept := range []string{"", "text/html", "application/json"} {
		r := b.Do("GET", e.public+"self-service/settings/browser", "", nil, "Accept", accept)
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != e.app+"login" {
			t.Fatalf("start without session (Accept %q): %d to %q, want 302 to %slogin", accept, r.StatusCode, r.Header.Get("Location"), e.app)
		}
	}
}

// TestSettingsBrowserJourney changes the profile, fails a password change,
// then changes it, and checks another identity cannot use the flow.
func TestSettingsBrowserJourney(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.register("hopper@example.com")

	id := b.start("settings", "")
	f := b.settingsFlow(id)
	tok, _ := nodeValue(t, f.Ui.Nodes, "csrf_token")
	if tok == "" || tok != b.CSRFToken() {
		t.Fatalf("csrf_token node %q, want the CSRF cookie's value %q", tok, b.CSRFToken())
	}
	if v, _ := nodeValue(t, f.Ui.Nodes, "traits.email"); f.State != "show_form" || v != "hopper@example.com" {
		t.Errorf("state %q, traits.email %q; want show_form and the current email", f.State, v)
	}

	// Profile: a new name is saved and the browser comes back to the form.
	r := b.submit("settings", id, url.Values{"csrf_token": {tok}, "method": {"profile"}, "traits.email": {"hopper@example.com"}, "traits.name": {"Grace Hopper"}})
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"settings?flow="+id {
		t.Fatalf("profile: %d to %q, want 302 to the settings UI with the same flow", r.StatusCode, r.Header.Get("Location"))
	}
	f = b.settingsFlow(id)
	if f.State != "success" || !has(messageIDs(f.Ui.Messages), 1050001) {
		t.Errorf("state %q, messages %v; want success and 1050001", f.State, messageIDs(f.Ui.Messages))
	}
	if ids := e.identities(); ids[0].Traits.(map[string]any)["name"] != "Grace Hopper" {
		t.Errorf("stored traits %v, want the new name", ids[0].Traits)
	}

	// A password the policy refuses: back to the flow, never echoed.
	r = b.submit("settings", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password": {"short"}})
	if r.StatusCode != http.StatusFound || r.Location(t).Query().Get("flow") != id {
		t.Fatalf("bad password: %d to %q, want 302 back to the flow", r.StatusCode, r.Header.Get("Location"))
	}
	f = b.settingsFlow(id)
	if !has(nodeMessages(f.Ui.Nodes, "password"), 4000005) || f.State != "show_form" {
		t.Errorf("password messages %v, state %q; want 4000005 and show_form", nodeMessages(f.Ui.Nodes, "password"), f.State)
	}
	if v, ok := nodeValue(t, f.Ui.Nodes, "password"); ok {
		t.Errorf("password node carries %q", v)
	}

	// Someone else's browser cannot submit or read this flow.
	intruder := e.browser()
	intruder.register("intruder@example.com")
	itok := intruder.CSRFToken()
	r = intruder.submit("settings", id, url.Values{"csrf_token": {itok}, "method": {"password"}, "password": {"intruder-password-99"}})
	e.wantErrorPage(r, http.StatusForbidden)
	if r := intruder.Get(e.public + "self-service/settings/flows?id=" + id); r.StatusCode != http.StatusForbidden || strings.Contains(string(r.Body), "hopper@") {
		t.Errorf("intruder fetch: %d %s, want 403 without the owner's traits", r.StatusCode, r.Body)
	}

	// The retry with a good password succeeds; the new one signs in.
	newPassword := "an-entirely-new-passphrase-7"
	r = b.submit("settings", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password": {newPassword}})
	if r.StatusCode != http.StatusFound || r.Location(t).Query().Get("flow") != id {
		t.Fatalf("password: %d to %q, want 302 back to the flow", r.StatusCode, r.Header.Get("Location"))
	}
	if f = b.settingsFlow(id); f.State != "success" {
		t.Errorf("state after the password change = %q, want success", f.State)
	}
	if r := e.browser().login("", "hopper@example.com", password); r.SetCookie("ory_kratos_session") != nil {
		t.Error("the old password still signs in")
	}
	if r := e.browser().login("", "hopper@example.com", newPassword); r.SetCookie("ory_kratos_session") == nil {
		t.Errorf("the new password does not sign in: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestSettingsPrivilegedSessionTooOld: with a sign-in older than
// privileged_session_max_age, a password change sends the browser to sign
// in again (refresh) with return_to the submit URL, keeping the change in
// the continuity cookie; coming back applies it without a resubmission.
func TestSettingsPrivilegedSessionTooOld(t *testing.T) {
	maxAge := 10 * time.Minute // the flow lives an hour: it outlasts the advance
	e := start(t, func(c *config.Config, _ string) {
		c.SelfService.Flows.Settings.PrivilegedSessionMaxAge = config.Duration(maxAge)
	})
	b := e.browser()
	b.register("lovelace@example.com")
	id := b.start("settings", "")
	tok, _ := nodeValue(t, b.settingsFlow(id).Ui.Nodes, "csrf_token")
	e.srv.Clock.Advance(maxAge + time.Second)

	// A trait change needs no recent sign-in.
	r := b.submit("settings", id, url.Values{"csrf_token": {tok}, "method": {"profile"}, "traits.email": {"lovelace@example.com"}, "traits.name": {"Ada"}})
	if r.StatusCode != http.StatusFound || r.Location(t).String() != e.app+"settings?flow="+id {
		t.Fatalf("profile on an old session: %d to %q, want 302 back to the flow", r.StatusCode, r.Header.Get("Location"))
	}

	r = b.submit("settings", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password": {"a-brand-new-passphrase-1"}})
	back := e.public + "self-service/settings?flow=" + id
	want := e.public + "self-service/login/browser?refresh=true&return_to=" + url.QueryEscape(back)
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != want {
		t.Fatalf("password on an old session: %d to %q, want 302 to %q", r.StatusCode, r.Header.Get("Location"), want)
	}
	if c := r.SetCookie("ory_kratos_continuity"); c == nil || c.MaxAge != 900 || !c.HttpOnly || c.Value == "" || strings.Contains(c.Value, "brand-new") {
		t.Fatalf("continuity cookie %+v, want an opaque HttpOnly cookie for 15 minutes", c)
	}
	// The server keeps the change sealed: its copy does not hold the
	// password either.
	stored, err := e.srv.App.Store.Flow(context.Background(), flow.Settings, uuid.MustParse(id))
	if err != nil || len(stored.Internal) == 0 || strings.Contains(string(stored.Internal), "brand-new") {
		t.Fatalf("stored flow: %v, internal %s; want the change kept sealed", err, stored.Internal)
	}
	if r := e.browser().login("", "lovelace@example.com", password); r.SetCookie("ory_kratos_session") == nil {
		t.Fatal("the refused change altered the password")
	}

	// The browser follows to the login page with a forced flow, signs in
	// again, and lands back on the settings flow.
	end, _ := b.follow(r.Header.Get("Location"))
	lid := end.Query().Get("flow")
	lf := b.loginFlow(lid)
	if end.Scheme+"://"+end.Host+end.Path != e.app+"login" || !lf.GetForced() {
		t.Fatalf("followed to %s (forced %v), want a forced login flow on the login UI", end, lf.GetForced())
	}
	ltok, _ := nodeValue(t, lf.Ui.Nodes, "csrf_token")
	r = b.submit("login", lid, url.Values{"csrf_token": {ltok}, "method": {"password"}, "password_identifier": {"lovelace@example.com"}, "password": {password}})
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != back {
		t.Fatalf("re-login: %d to %q, want 302 to %q", r.StatusCode, r.Header.Get("Location"), back)
	}

	// Coming back applies the kept change on the same flow, once.
	r = b.Get(back)
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != e.app+"settings?flow="+id {
		t.Fatalf("back after re-login: %d to %q, want 302 to the settings UI", r.StatusCode, r.Header.Get("Location"))
	}
	if c := r.SetCookie("ory_kratos_continuity"); c == nil || c.MaxAge >= 0 {
		t.Errorf("continuity cookie %+v, want it expired once used", c)
	}
	if f := b.settingsFlow(id); f.State != "success" {
		t.Errorf("state = %q, want success", f.State)
	}
	if r := e.browser().login("", "lovelace@example.com", "a-brand-new-passphrase-1"); r.SetCookie("ory_kratos_session") == nil {
		t.Error("the kept password change was not applied")
	}
}
