package webui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// These tests need no browser: they load the pages as a browser with
// JavaScript off does, and read the HTML.

// TestPagesArePlainForms loads every flow page and checks that it works
// without JavaScript: each form posts to its flow's action with the
// anti-CSRF token, every visible input has a label bound to it, and the
// page has no script and a Content-Security-Policy that allows none.
func TestPagesArePlainForms(t *testing.T) {
	srv := uiServer(t, nil)
	c := client()

	// Sign up with the plain form, so the settings page has a session.
	resp, body := get(t, c, srv.PublicURL+"ui/registration")
	reg := parsePage(t, resp.Request.URL, body)
	resp, home := submit(t, c, reg, 0, map[string]string{"traits.email": email, "password": "plain-Passw0rd-1"})
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), srv.PublicURL+"ui/") || !strings.Contains(home.all("h1")[0].Text, "You are signed in") {
		t.Fatalf("signing up without JavaScript ended at %s (%d) with the heading %q, want the signed-in home page", resp.Request.URL, resp.StatusCode, home.all("h1")[0].Text)
	}

	for _, kind := range []string{"login", "registration", "settings", "recovery", "verification"} {
		t.Run(kind, func(t *testing.T) {
			c := c
			if kind != "settings" {
				c = client() // signed out: a signed-in browser is sent away from login and registration
			}
			resp, body := get(t, c, srv.PublicURL+"ui/"+kind)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /ui/%s ended with %d at %s", kind, resp.StatusCode, resp.Request.URL)
			}
			u := resp.Request.URL
			flowID := u.Query().Get("flow")
			if u.Path != "/ui/"+kind || flowID == "" {
				t.Fatalf("GET /ui/%s ended at %s, want /ui/%s?flow=<id>", kind, u, kind)
			}
			checkHeaders(t, resp)
			p := parsePage(t, u, body)
			if s := p.all("script"); len(s) > 0 {
				t.Errorf("the page has %d script elements, want none", len(s))
			}
			if len(p.forms) == 0 {
				t.Fatalf("the page has no form:\n%s", body)
			}
			wantAction := srv.PublicURL + "self-service/" + kind + "?flow=" + flowID
			for i, f := range p.forms {
				if f.Attr["action"] != wantAction || strings.ToUpper(f.Attr["method"]) != "POST" {
					t.Errorf("form %d posts with %q to %q, want POST to %q", i, f.Attr["method"], f.Attr["action"], wantAction)
				}
				var csrf, buttons int
				for _, e := range p.elems {
					if e.Form != i {
						continue
					}
					if e.Name == "input" && e.Attr["type"] == "hidden" && e.Attr["name"] == "csrf_token" && e.Attr["value"] != "" {
						csrf++
					}
					if e.Name == "button" && e.Attr["type"] == "submit" && e.Text != "" {
						buttons++
					}
				}
				if csrf != 1 || buttons == 0 {
					t.Errorf("form %d has %d filled csrf_token inputs and %d labelled submit buttons, want 1 and at least 1", i, csrf, buttons)
				}
			}
			checkLabels(t, p)
		})
	}
}

// checkLabels checks that every input a user fills has a unique id and a
// label bound to it by for/id.
func checkLabels(t *testing.T, p *page) {
	t.Helper()
	ids := map[string]bool{}
	for _, e := range p.all("input") {
		if _, hidden := e.Attr["hidden"]; hidden || e.Attr["type"] == "hidden" {
			continue // not shown, so not filled in: e.g. the username for password managers
		}
		id := e.Attr["id"]
		if id == "" {
			t.Errorf("the input %q has no id, so no label can be bound to it", e.Attr["name"])
			continue
		}
		if ids[id] {
			t.Errorf("two elements have the id %q", id)
		}
		ids[id] = true
		if text, ok := p.labelFor(id); !ok || text == "" {
			t.Errorf("the input %q (id %q) has no label with for=%q and a text", e.Attr["name"], id, id)
		}
	}
}

// checkHeaders checks that a page allows no script, no frame and no
// foreign style.
func checkHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	for _, bad := range []string{"script-src", "unsafe-inline", "unsafe-eval"} {
		if strings.Contains(csp, bad) {
			t.Errorf("Content-Security-Policy %q has %q; the pages need no script and no inline style", csp, bad)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}
}

// TestWrongPasswordWithoutJavaScript signs in with a wrong password by the
// plain form: the page shows the error as an alert, and the inputs point at
// it.
func TestWrongPasswordWithoutJavaScript(t *testing.T) {
	srv := uiServer(t, nil)
	c := client()
	resp, body := get(t, c, srv.PublicURL+"ui/registration")
	submit(t, c, parsePage(t, resp.Request.URL, body), 0, map[string]string{"traits.email": email, "password": "plain-Passw0rd-1"})

	c = client()
	resp, body = get(t, c, srv.PublicURL+"ui/login")
	resp, p := submit(t, c, parsePage(t, resp.Request.URL, body), 0, map[string]string{"password_identifier": email, "password": "not-the-Passw0rd"})
	if resp.Request.URL.Path != "/ui/login" {
		t.Fatalf("a wrong password ended at %s, want the login page", resp.Request.URL)
	}
	var alert *element
	for _, e := range p.all("p") {
		if e.Attr["role"] == "alert" && e.Attr["data-message-id"] == "4000006" && e.Text != "" {
			alert = &e
		}
	}
	if alert == nil || alert.Attr["id"] == "" {
		t.Fatalf("the page has no alert with an id saying the credentials are invalid; alert = %+v", alert)
	}
	for _, in := range p.all("input") {
		if name := in.Attr["name"]; name == "password_identifier" || name == "password" {
			if in.Attr["aria-invalid"] != "true" || in.Attr["aria-describedby"] != alert.Attr["id"] {
				t.Errorf("the %s input has aria-invalid=%q aria-describedby=%q, want \"true\" and %q", name, in.Attr["aria-invalid"], in.Attr["aria-describedby"], alert.Attr["id"])
			}
		}
		if in.Attr["name"] == "password_identifier" && in.Attr["value"] != email {
			t.Errorf("the identifier input holds %q after the error, want %q", in.Attr["value"], email)
		}
	}
}

// TestRootRedirectsToHome: the server's root sends a browser to /ui/.
func TestRootRedirectsToHome(t *testing.T) {
	srv := uiServer(t, nil)
	resp, _ := get(t, noRedirects(), srv.PublicURL)
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != srv.PublicURL+"ui/" {
		t.Errorf("GET / = %d to %q, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), srv.PublicURL+"ui/")
	}
	resp, body := get(t, client(), srv.PublicURL+"ui/")
	checkHeaders(t, resp)
	if !strings.Contains(body, "Create an account") {
		t.Errorf("the signed-out home page does not offer to create an account:\n%s", body)
	}
	resp, _ = get(t, client(), srv.PublicURL+"ui/style.css")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /ui/style.css = %d %q, want 200 text/css", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestDevMailboxOnlyInDevWithoutSMTP: the dev mailbox shows in dev mode
// without SMTP only; the home page links it only then.
func TestDevMailboxOnlyInDevWithoutSMTP(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		on     bool
	}{
		{"dev without SMTP", nil, true},
		{"not dev", func(c *config.Config) { c.Dev = false }, false},
		{"dev with SMTP", func(c *config.Config) { c.Courier.SMTP.ConnectionURI = "smtp://127.0.0.1:1/?disable_starttls=true" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := uiServer(t, func(c *config.Config) {
				off := false
				c.WatchCourier = &off // no mail is sent here
				if tc.mutate != nil {
					tc.mutate(c)
				}
			})
			resp, body := get(t, client(), srv.PublicURL+"ui/dev/mail")
			_, home := get(t, client(), srv.PublicURL+"ui/")
			if !strings.Contains(home, "Welcome") {
				t.Fatalf("the home page does not load:\n%s", home)
			}
			linked := strings.Contains(home, "Open the dev mailbox")
			if tc.on {
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Dev mailbox") || !linked {
					t.Errorf("GET /ui/dev/mail = %d (home links it: %v), want the mailbox, linked from home", resp.StatusCode, linked)
				}
				return
			}
			if resp.StatusCode != http.StatusNotFound || linked {
				t.Errorf("GET /ui/dev/mail = %d (home links it: %v), want 404 and no link", resp.StatusCode, linked)
			}
		})
	}
}

// TestBuiltInPageOffWhenUIElsewhere: configuring a flow's ui_url elsewhere
// turns its built-in page off and leaves the others on; recovery and
// verification pages are off while their flows are disabled.
func TestBuiltInPageOffWhenUIElsewhere(t *testing.T) {
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.Flows.Login.UIURL = "https://app.example/login"
		c.SelfService.Flows.Error.UIURL = "https://app.example/error"
	}))
	for path, want := range map[string]int{
		"ui/login":        http.StatusNotFound,
		"ui/error":        http.StatusNotFound,
		"ui/recovery":     http.StatusNotFound, // recovery is disabled
		"ui/verification": http.StatusNotFound, // verification is disabled
		"ui/registration": http.StatusFound,    // on: starts a flow
		"ui/":             http.StatusOK,
	} {
		resp, _ := get(t, noRedirects(), srv.PublicURL+path)
		if resp.StatusCode != want {
			t.Errorf("GET /%s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	// The login flow now goes to the configured page.
	resp, _ := get(t, noRedirects(), srv.PublicURL+"self-service/login/browser")
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "https://app.example/login?flow=") {
		t.Errorf("starting a login goes to %q, want the configured https://app.example/login", loc)
	}
}
