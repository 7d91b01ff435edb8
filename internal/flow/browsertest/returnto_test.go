package browsertest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
)

// hostile lists return_to values that must never be honoured, written
// against this suite's allow-list: the app's /app/ and UI pages, and
// https://allowed.example/app. app is the app's base URL.
func hostile(app string) []string {
	host := strings.TrimSuffix(strings.TrimPrefix(app, "http://"), "/")
	port := host[strings.LastIndex(host, ":")+1:]
	return []string{
		"https://evil.com@allowed.example/app",
		"https://allowed.example@evil.com/app",
		"https://allowed.example.evil.com/app",
		"https://allowed.example/app/../admin",
		`/\evil.com`,
		`\\evil.com`,
		"//evil.com",
		"///evil.com",
		"javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)",
		"https:evil.com",
		"https:///evil.com",
		"http://allowed.example/app",
		"https://allowed.example:8443/app",
		"https://allowed.example/application",
		"https://allowed.example/app%2f..%2fadmin",
		"https://allowed.example/app/%2e%2e/admin",
		"https://allowed.example/app\r\nSet-Cookie: planted=1",
		"https://\u0430llowed.example/app",
		"https://evil.com/",
		"https://evil.com/?next=https://allowed.example/app",
		app + "app/../admin",
		app + "application",
		"/../admin",
		"http://evil.com@" + host + "/app/",
		"http://127.0.0.1.evil.com:" + port + "/app/",
		"http://127.0.0.1:1/app/",
	}
}

// TestHostileReturnToRefusedAtStart: starting a browser flow with a
// hostile return_to ends on the error page with a 400 and never on the
// hostile URL, signed in or not.
func TestHostileReturnToRefusedAtStart(t *testing.T) {
	e := start(t, nil)
	signedIn := e.browser()
	signedIn.register("signed-in@example.com")
	appURL, _ := url.Parse(e.app)
	cases := []struct {
		name, kind string
		b          *browser
	}{
		{"login", "login", e.browser()},
		// The reference's bug: signed in, it redirects before checking.
		{"login signed in", "login", signedIn},
		{"registration", "registration", e.browser()},
		{"settings", "settings", signedIn},
	}
	values := hostile(e.app)
	if len(values) < 20 {
		t.Fatalf("only %d hostile values", len(values))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, v := range values {
				r := c.b.Get(e.public + "self-service/" + c.kind + "/browser?return_to=" + url.QueryEscape(v))
				loc := r.Location(t)
				if loc.Host != appURL.Host || loc.Path != "/error" {
					t.Errorf("return_to=%q: %d to %s, want the error page only", v, r.StatusCode, loc)
					continue
				}
				if got := e.errorAt(loc); got["code"] != float64(http.StatusBadRequest) {
					t.Errorf("return_to=%q: error page shows %v, want code 400", v, got)
				}
				if r.SetCookie("ory_kratos_session") != nil {
					t.Errorf("return_to=%q: a session cookie was set", v)
				}
			}
		})
	}
	// The signed-in browser was not signed out or altered by any of this.
	if code, _ := signedIn.whoami(); code != http.StatusOK {
		t.Errorf("signed-in browser's whoami = %d, want 200", code)
	}
}

// TestAllowedReturnToHonouredAfterLogin: allowed values, exact, below an
// allowed path, or relative to the default return URL, are where the
// browser goes once signed in (or signed up, or its settings saved).
func TestAllowedReturnToHonouredAfterLogin(t *testing.T) {
	e := start(t, nil)
	e.browser().register("traveller@example.com")
	for _, tc := range []struct{ returnTo, want string }{
		{"https://allowed.example/app", "https://allowed.example/app"},
		{"https://allowed.example/app/deep/page?x=1", "https://allowed.example/app/deep/page?x=1"},
		{e.app + "app/", e.app + "app/"},
		{e.app + "app/inbox?folder=2#top", e.app + "app/inbox?folder=2#top"},
		{e.app + "settings", e.app + "settings"},
		{e.app + "app/./x/../y", e.app + "app/y"},
		{"dashboard", e.app + "app/dashboard"},
		{"/app/reports", e.app + "app/reports"},
	} {
		t.Run(tc.returnTo, func(t *testing.T) {
			r := e.browser().login("return_to="+url.QueryEscape(tc.returnTo), "traveller@example.com", password)
			if r.StatusCode != http.StatusFound || r.Header.Get("Location") != tc.want {
				t.Errorf("login: %d to %q, want 302 to %q", r.StatusCode, r.Header.Get("Location"), tc.want)
			}
		})
	}

	// Registration honours it too, and a browser that follows ends there.
	b := e.browser()
	id := b.start("registration", "return_to="+url.QueryEscape(e.app+"app/welcome"))
	tok, _ := nodeValue(t, b.registrationFlow(id).Ui.Nodes, "csrf_token")
	r := b.submit("registration", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "traits.email": {"newcomer@example.com"}, "password": {password}})
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != e.app+"app/welcome" {
		t.Fatalf("registration: %d to %q, want 302 to return_to", r.StatusCode, r.Header.Get("Location"))
	}
	if end, page := b.follow(r.Header.Get("Location")); end.String() != e.app+"app/welcome" || page.StatusCode != http.StatusOK {
		t.Errorf("browser ended at %s (%d), want the app's welcome page", end, page.StatusCode)
	}

	// Settings started with return_to goes there once saved, instead of
	// back to the form.
	// Signing up renewed the anti-CSRF token, as the reference does.
	sid := b.start("settings", "return_to="+url.QueryEscape("https://allowed.example/app/profile-saved"))
	r = b.submit("settings", sid, url.Values{"csrf_token": {b.CSRFToken()}, "method": {"profile"}, "traits.email": {"newcomer@example.com"}, "traits.name": {"New"}})
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != "https://allowed.example/app/profile-saved" {
		t.Errorf("settings: %d to %q, want 302 to return_to", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestAfterURLs: without return_to, the method's after URL wins over the
// flow's, which wins over the default; return_to wins over all of them.
func TestAfterURLs(t *testing.T) {
	e := start(t, func(c *config.Config, app string) {
		f := &c.SelfService.Flows
		f.Login.After.DefaultBrowserReturnURL = app + "app/after-login"
		f.Login.After.Password.DefaultBrowserReturnURL = app + "app/after-login-password"
		f.Registration.After.DefaultBrowserReturnURL = app + "app/after-registration"
	})
	r := e.browser().register("after@example.com")
	if got := r.Header.Get("Location"); got != e.app+"app/after-registration" {
		t.Errorf("registration went to %q, want the flow's after URL", got)
	}
	if r := e.browser().login("", "after@example.com", password); r.Header.Get("Location") != e.app+"app/after-login-password" {
		t.Errorf("login went to %q, want the password method's after URL", r.Header.Get("Location"))
	}
	if r := e.browser().login("return_to="+url.QueryEscape(e.app+"app/asked"), "after@example.com", password); r.Header.Get("Location") != e.app+"app/asked" {
		t.Errorf("login with return_to went to %q, want return_to", r.Header.Get("Location"))
	}
}
