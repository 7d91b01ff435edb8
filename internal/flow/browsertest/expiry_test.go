package browsertest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestExpiredBrowserFlows submits flows past their lifespan: each browser
// is sent to a new flow of the same kind that says why, nothing of the
// submission takes effect, and the old flow answers 410.
func TestExpiredBrowserFlows(t *testing.T) {
	// The clock moves past it once for all three kinds.
	lifespan := 10 * time.Minute
	e := start(t, func(c *config.Config, _ string) {
		f := &c.SelfService.Flows
		f.Login.Lifespan = config.Duration(lifespan)
		f.Registration.Lifespan = config.Duration(lifespan)
		f.Settings.Lifespan = config.Duration(lifespan)
	})
	owner := e.browser()
	owner.register("owner@example.com")
	e.browser().register("known@example.com")

	type started struct {
		kind, id, token string
		b               *browser
		form            url.Values
		message         int64
	}
	var flows []started
	lb := e.browser()
	lid := lb.start("login", "return_to="+url.QueryEscape(e.app+"app/after-expiry"))
	ltok, _ := nodeValue(t, lb.loginFlow(lid).Ui.Nodes, "csrf_token")
	flows = append(flows, started{"login", lid, ltok, lb,
		url.Values{"method": {"password"}, "password_identifier": {"known@example.com"}, "password": {password}}, 4010001})
	rb := e.browser()
	rid := rb.start("registration", "")
	rtok, _ := nodeValue(t, rb.registrationFlow(rid).Ui.Nodes, "csrf_token")
	flows = append(flows, started{"registration", rid, rtok, rb,
		url.Values{"method": {"password"}, "traits.email": {"late@example.com"}, "password": {password}}, 4040001})
	sid := owner.start("settings", "")
	stok, _ := nodeValue(t, owner.settingsFlow(sid).Ui.Nodes, "csrf_token")
	flows = append(flows, started{"settings", sid, stok, owner,
		url.Values{"method": {"profile"}, "traits.email": {"changed@example.com"}}, 4050001})

	e.srv.Clock.Advance(lifespan + time.Second)

	for _, f := range flows {
		t.Run(f.kind, func(t *testing.T) {
			form := url.Values{"csrf_token": {f.token}}
			for k, v := range f.form {
				form[k] = v
			}
			r := f.b.submit(f.kind, f.id, form)
			loc := r.Location(t)
			next := loc.Query().Get("flow")
			if r.StatusCode != http.StatusFound || loc.Scheme+"://"+loc.Host+loc.Path != e.app+f.kind || next == "" || next == f.id {
				t.Fatalf("expired submit: %d to %s, want 302 to the %s UI with a new flow", r.StatusCode, loc, f.kind)
			}
			if r.SetCookie("ory_kratos_session") != nil {
				t.Error("an expired flow issued a session")
			}
			var msgs []int64
			var nodes []client.UiNode
			switch f.kind {
			case "login":
				ui := f.b.loginFlow(next).Ui
				msgs, nodes = messageIDs(ui.Messages), ui.Nodes
			case "registration":
				ui := f.b.registrationFlow(next).Ui
				msgs, nodes = messageIDs(ui.Messages), ui.Nodes
			case "settings":
				ui := f.b.settingsFlow(next).Ui
				msgs, nodes = messageIDs(ui.Messages), ui.Nodes
			}
			if !has(msgs, f.message) {
				t.Errorf("new flow's messages %v, want %d", msgs, f.message)
			}
			// What the user typed is still there, except the password.
			for name, typed := range f.form {
				if name == "method" {
					continue
				}
				got, _ := nodeValue(t, nodes, name)
				if want := typed[0]; name == "password" && got != "" {
					t.Errorf("the new flow carries the typed password")
				} else if name != "password" && got != want {
					t.Errorf("new flow's %s = %q, want the typed %q", name, got, want)
				}
			}

			old := f.b.Get(e.public + "self-service/" + f.kind + "/flows?id=" + f.id)
			if old.StatusCode != http.StatusGone {
				t.Fatalf("fetching the expired flow: %d, want 410", old.StatusCode)
			}
			details, _ := sdk.DecodeObject(t, old.Body)["error"].(map[string]any)["details"].(map[string]any)
			if details["redirect_to"] != e.public+"self-service/"+f.kind+"/browser" {
				t.Errorf("410 details %v, want redirect_to the %s browser start", details, f.kind)
			}

			// The login replacement keeps the original return_to.
			if f.kind == "login" {
				tok := f.b.CSRFToken()
				r := f.b.submit("login", next, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {"known@example.com"}, "password": {password}})
				if r.StatusCode != http.StatusFound || r.Header.Get("Location") != e.app+"app/after-expiry" {
					t.Errorf("replacement login: %d to %q, want 302 to the original return_to", r.StatusCode, r.Header.Get("Location"))
				}
			}
		})
	}

	// Nothing the expired submissions carried took effect.
	for _, i := range e.identities() {
		if email := i.Traits.(map[string]any)["email"]; email == "late@example.com" || email == "changed@example.com" {
			t.Errorf("an expired flow changed the identities: %v", email)
		}
	}
}

// TestExpiredFlowIgnoresForgedValues: a cross-site form posted to an
// expired flow without its anti-CSRF token is still answered with a new
// flow, but nothing it carried is written into the victim's form.
func TestExpiredFlowIgnoresForgedValues(t *testing.T) {
	lifespan := 10 * time.Minute
	e := start(t, func(c *config.Config, _ string) {
		c.SelfService.Flows.Login.Lifespan = config.Duration(lifespan)
	})
	b := e.browser()
	id := b.start("login", "")
	e.srv.Clock.Advance(lifespan + time.Second)

	r := b.submit("login", id, url.Values{"csrf_token": {"forged"}, "method": {"password"}, "password_identifier": {"planted@example.com"}})
	next := r.Location(t).Query().Get("flow")
	if r.StatusCode != http.StatusFound || next == "" || next == id {
		t.Fatalf("forged expired submit: %d to %s, want 302 to a new flow", r.StatusCode, r.Location(t))
	}
	if got, _ := nodeValue(t, b.loginFlow(next).Ui.Nodes, "password_identifier"); got != "" {
		t.Errorf("the new flow carries the forged identifier %q", got)
	}
}
