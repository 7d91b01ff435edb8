package browsertest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestCookieAttributes checks the session and anti-CSRF cookies a browser
// receives, in dev mode and outside it, with defaults and with the
// session.cookie keys set. Dev mode drops Secure so plain-http localhost
// works; everywhere else both cookies must be Secure.
func TestCookieAttributes(t *testing.T) {
	bptr := func(v bool) *bool { return &v }
	for _, tc := range []struct {
		name       string
		dev        bool
		cookie     config.SessionCookie
		lifespan   time.Duration
		wantSecure bool
		wantSite   http.SameSite
		wantPath   string
		wantDomain string
		persistent bool
	}{
		{name: "dev defaults", dev: true, wantSite: http.SameSiteLaxMode, wantPath: "/", persistent: true},
		{name: "production defaults", wantSecure: true, wantSite: http.SameSiteLaxMode, wantPath: "/", persistent: true},
		{name: "strict, domain, path, lifespan", dev: true, lifespan: 2 * time.Hour,
			cookie:   config.SessionCookie{SameSite: "Strict", Domain: "127.0.0.1", Path: "/auth"},
			wantSite: http.SameSiteStrictMode, wantPath: "/auth", wantDomain: "127.0.0.1", persistent: true},
		{name: "same_site None outside dev", cookie: config.SessionCookie{SameSite: "None"},
			wantSecure: true, wantSite: http.SameSiteNoneMode, wantPath: "/", persistent: true},
		{name: "not persistent", dev: true, cookie: config.SessionCookie{Persistent: bptr(false)},
			wantSite: http.SameSiteLaxMode, wantPath: "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, func(c *config.Config, _ string) {
				c.Dev = tc.dev
				c.Session.Cookie = tc.cookie
				c.Session.Lifespan = config.Duration(tc.lifespan)
			})
			b := e.browser()
			r := b.Get(e.public + "self-service/registration/browser")
			// The anti-CSRF cookie is the reference's whatever the
			// session.cookie keys say: named after the public base URL,
			// on its host and path, for a year, SameSite=None outside dev.
			csrfName := sdk.CSRFCookieName(e.public)
			csrf, line := r.SetCookie(csrfName), raw(r, csrfName)
			wantCSRFSite := http.SameSiteLaxMode
			if !tc.dev {
				wantCSRFSite = http.SameSiteNoneMode
			}
			if csrf == nil || !csrf.HttpOnly || csrf.Secure == tc.dev || csrf.Path != "/" || csrf.Domain != "127.0.0.1" ||
				csrf.MaxAge != 31536000 || csrf.SameSite != wantCSRFSite || strings.Contains(line, "Expires=") {
				t.Errorf("CSRF cookie %q, want Path=/; Domain=127.0.0.1; Max-Age=31536000; HttpOnly; SameSite=%v; Secure=%v and no Expires",
					line, wantCSRFSite, !tc.dev)
			}

			// The jar treats loopback as secure, so Secure cookies still
			// flow and the registration completes as in a browser.
			r = b.register("cookie@example.com")
			c := r.SetCookie("ory_kratos_session")
			line = raw(r, "ory_kratos_session")
			if !c.HttpOnly || c.Secure != tc.wantSecure || c.SameSite != tc.wantSite || c.Path != tc.wantPath || c.Domain != tc.wantDomain {
				t.Errorf("session cookie %q; want HttpOnly, Secure=%v, SameSite=%v, Path=%q, Domain=%q",
					line, tc.wantSecure, tc.wantSite, tc.wantPath, tc.wantDomain)
			}
			lifespan := tc.lifespan
			if lifespan == 0 {
				lifespan = 24 * time.Hour
			}
			if tc.persistent {
				got := time.Duration(c.MaxAge) * time.Second
				if got > lifespan || got < lifespan-time.Minute {
					t.Errorf("session cookie %q: Max-Age %v, want about session.lifespan %v", line, got, lifespan)
				}
				// As the reference's cookie store does, Expires says the
				// same for clients that ignore Max-Age.
				if want := time.Now().Add(lifespan); c.Expires.Before(want.Add(-time.Minute)) || c.Expires.After(want.Add(time.Minute)) {
					t.Errorf("session cookie %q: Expires %v, want about now + session.lifespan (%v)", line, c.Expires, want)
				}
			} else if c.MaxAge != 0 || strings.Contains(line, "Expires=") {
				t.Errorf("session cookie %q: want neither Max-Age nor Expires for a browser-session cookie", line)
			}
		})
	}
}

// raw is the Set-Cookie line for a cookie name, for messages.
func raw(r sdk.BrowserResponse, name string) string {
	for _, l := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, name+"=") {
			return l
		}
	}
	return ""
}
