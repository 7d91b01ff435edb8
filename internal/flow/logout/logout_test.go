package logout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const app = "https://app.example/"

type env struct {
	t   *testing.T
	srv *testkit.Server
	n   int
}

// start runs Latchkey with its app on https://app.example (allowed as a
// whole), errors shown at <app>error, and logout.after set unless noAfter.
func start(t *testing.T, noAfter bool) *env {
	t.Helper()
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.DefaultBrowserReturnURL = app + "home"
		c.SelfService.WhitelistedReturnURLs = []string{app}
		c.SelfService.Flows.Error.UIURL = app + "error"
		if !noAfter {
			c.SelfService.Flows.Logout.After.DefaultBrowserReturnURL = app + "signed-out"
		}
	})
	return &env{t: t, srv: testkit.Start(t, cfg)}
}

// session signs a new identity in and returns its cookie value, as the
// browser holds it after a login.
func (e *env) session() string {
	e.t.Helper()
	e.n++
	ctx := context.Background()
	i, err := e.srv.App.Identities.Create(ctx, identity.Draft{Traits: json.RawMessage(fmt.Sprintf(`{"email":"user%d@example.com"}`, e.n))})
	if err != nil {
		e.t.Fatal(err)
	}
	_, tok, err := e.srv.App.Sessions.Issue(ctx, i, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type response struct {
	*http.Response
	body []byte
}

// get sends a GET without following redirects; headers in name, value
// pairs.
func (e *env) get(u string, headers ...string) response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for k := 0; k+1 < len(headers); k += 2 {
		req.Header.Set(headers[k], headers[k+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res, b}
}

func (e *env) logout(cookie string, headers ...string) response {
	e.t.Helper()
	if cookie != "" {
		headers = append(headers, "Cookie", "ory_kratos_session="+cookie)
	}
	return e.get(e.srv.PublicURL+"self-service/browser/flows/logout", headers...)
}

func (e *env) whoami(cookie string) int {
	e.t.Helper()
	return e.get(e.srv.PublicURL+"sessions/whoami", "Cookie", "ory_kratos_session="+cookie).StatusCode
}

// errorCode follows an error-page redirect to the stored error's code.
func (e *env) errorCode(r response) int {
	e.t.Helper()
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), app+"error?error=") {
		e.t.Fatalf("answer %d to %q, want a redirect to the error page", r.StatusCode, r.Header.Get("Location"))
	}
	got := e.get(e.srv.AdminURL + "self-service/errors?error=" + loc.Query().Get("error"))
	var c struct {
		Errors []struct{ Code int } `json:"errors"`
	}
	if err := json.Unmarshal(got.body, &c); err != nil || len(c.Errors) != 1 {
		e.t.Fatalf("stored error: %d %s", got.StatusCode, got.body)
	}
	return c.Errors[0].Code
}

func cleared(r response) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == "ory_kratos_session" {
			return c
		}
	}
	return nil
}

// TestLogoutFromTheSameSite: requests from here (or with no say about where
// they come from) sign out: the session is revoked, the cookie expired, and
// the browser sent on.
func TestLogoutFromTheSameSite(t *testing.T) {
	e := start(t, false)
	public := strings.TrimSuffix(e.srv.PublicURL, "/")
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"no headers", nil},
		{"Origin of the public URL", []string{"Origin", public}},
		{"Referer on the public URL", []string{"Referer", public + "/self-service/login/browser"}},
		{"Origin of the allowed app", []string{"Origin", "https://app.example"}},
		{"Referer on the allowed app", []string{"Referer", app + "account?tab=1"}},
		{"Sec-Fetch-Site same-origin", []string{"Sec-Fetch-Site", "same-origin"}},
		{"Sec-Fetch-Site none (typed URL)", []string{"Sec-Fetch-Site", "none"}},
		{"all three from the app", []string{"Sec-Fetch-Site", "same-site", "Origin", "https://app.example", "Referer", app}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := e.session()
			r := e.logout(tok, tc.headers...)
			if r.StatusCode != http.StatusFound || r.Header.Get("Location") != app+"signed-out" {
				t.Fatalf("logout: %d to %q, want 302 to logout.after.default_browser_return_url", r.StatusCode, r.Header.Get("Location"))
			}
			c := cleared(r)
			if c == nil || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly {
				t.Errorf("Set-Cookie %v, want ory_kratos_session emptied with Max-Age=0, Path=/, HttpOnly", r.Header.Values("Set-Cookie"))
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if code := e.whoami(tok); code != http.StatusUnauthorized {
				t.Errorf("whoami with the old cookie = %d, want 401: the session must be revoked, not just forgotten", code)
			}
		})
	}
}

// TestLogoutFromAnotherSiteRefused: any page can make a browser GET the
// logout URL (an <img>); when the browser says the request comes from
// elsewhere, nothing happens.
func TestLogoutFromAnotherSiteRefused(t *testing.T) {
	e := start(t, false)
	public := strings.TrimSuffix(e.srv.PublicURL, "/")
	host := strings.TrimPrefix(public, "http://")
	for _, tc := range []struct {
		name    string
		headers []string
	}{
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"cross-site despite a same-origin Origin", []string{"Sec-Fetch-Site", "cross-site", "Origin", public}},
		{"Origin of another site", []string{"Origin", "https://evil.example"}},
		{"Referer on another site", []string{"Referer", "https://evil.example/x"}},
		{"Origin null (sandboxed frame)", []string{"Origin", "null"}},
		{"Origin on another port", []string{"Origin", "http://127.0.0.1:1"}},
		{"Origin with another scheme", []string{"Origin", "https://" + host}},
		{"Referer under a look-alike host", []string{"Referer", "http://" + host + ".evil.example/"}},
		{"Referer on a subdomain of evil", []string{"Referer", "https://app.example.evil.example/"}},
		{"Referer naming us in its query", []string{"Referer", "https://evil.example/?from=" + public}},
		{"same Origin but evil Referer", []string{"Origin", public, "Referer", "https://evil.example/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := e.session()
			r := e.logout(tok, tc.headers...)
			if code := e.errorCode(r); code != http.StatusForbidden {
				t.Errorf("error page shows %d, want 403", code)
			}
			if c := cleared(r); c != nil {
				t.Errorf("a refused logout touched the session cookie: %v", c)
			}
			if code := e.whoami(tok); code != http.StatusOK {
				t.Errorf("whoami after a refused logout = %d, want 200 (still signed in)", code)
			}
		})
	}

	// A client asking for JSON gets the refusal as JSON.
	tok := e.session()
	r := e.logout(tok, "Origin", "https://evil.example", "Accept", "application/json")
	if r.StatusCode != http.StatusForbidden || !strings.Contains(string(r.body), `"code":403`) {
		t.Errorf("JSON client: %d %s, want the 403 envelope", r.StatusCode, r.body)
	}
	if code := e.whoami(tok); code != http.StatusOK {
		t.Errorf("whoami = %d, want 200", code)
	}
}

func TestLogoutReturnTo(t *testing.T) {
	e := start(t, false)

	tok := e.session()
	r := e.get(e.srv.PublicURL+"self-service/browser/flows/logout?return_to="+url.QueryEscape(app+"goodbye?x=1"), "Cookie", "ory_kratos_session="+tok)
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != app+"goodbye?x=1" {
		t.Errorf("allowed return_to: %d to %q, want 302 to it", r.StatusCode, r.Header.Get("Location"))
	}

	// A hostile return_to is refused before the session is touched.
	for _, v := range []string{"https://evil.example/", "//evil.example", "https://app.example@evil.example/", "javascript:alert(1)"} {
		tok := e.session()
		r := e.get(e.srv.PublicURL+"self-service/browser/flows/logout?return_to="+url.QueryEscape(v), "Cookie", "ory_kratos_session="+tok)
		if code := e.errorCode(r); code != http.StatusBadRequest {
			t.Errorf("return_to=%q: error %d, want 400", v, code)
		}
		if e.whoami(tok) != http.StatusOK || cleared(r) != nil {
			t.Errorf("return_to=%q: the refused logout signed the browser out", v)
		}
	}
}

func TestLogoutWithoutSessionAndDefaults(t *testing.T) {
	// Without logout.after, the default return URL is used; without a
	// session, the browser is sent on all the same. A session cookie that
	// was sent, valid or not, is expired as the reference expires it; a
	// browser that sent none gets no session Set-Cookie at all. Either way
	// the anti-CSRF token is renewed.
	e := start(t, true)
	csrfName := sdk.CSRFCookieName(e.srv.PublicURL)
	for _, cookie := range []string{"", "not-a-session-token", e.session()} {
		r := e.logout(cookie)
		if r.StatusCode != http.StatusFound || r.Header.Get("Location") != app+"home" {
			t.Errorf("cookie %q: %d to %q, want 302 to the default return URL", cookie, r.StatusCode, r.Header.Get("Location"))
		}
		var sessionLine string
		renewed := false
		for _, l := range r.Header.Values("Set-Cookie") {
			if strings.HasPrefix(l, "ory_kratos_session=") {
				sessionLine = l
			}
			renewed = renewed || strings.HasPrefix(l, csrfName+"=")
		}
		if !renewed {
			t.Errorf("cookie %q: Set-Cookie %v, want a new anti-CSRF cookie", cookie, r.Header.Values("Set-Cookie"))
		}
		if cookie == "" {
			if sessionLine != "" {
				t.Errorf("no session cookie sent, yet Set-Cookie %q", sessionLine)
			}
			continue
		}
		if !strings.Contains(sessionLine, "; Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax") {
			t.Errorf("cookie %q: Set-Cookie %q, want Path=/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; HttpOnly; SameSite=Lax", cookie, sessionLine)
		}
	}
}

// TestLogoutOriginIgnoresDefaultPorts: browsers never put a default port in
// Origin or Referer, so a base URL or allowed URL written with ":443" must
// still match them (as return_to matching already does).
func TestLogoutOriginIgnoresDefaultPorts(t *testing.T) {
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.Serve.Public.BaseURL = "https://auth.example:443/"
		c.SelfService.WhitelistedReturnURLs = []string{"https://app.example:443/"}
	})
	// The base URL is not the listener's, so the router is called directly.
	srv := testkit.Start(t, cfg)
	for _, origin := range []string{"https://auth.example", "https://app.example"} {
		r := httptest.NewRequest("GET", "https://auth.example/self-service/browser/flows/logout", nil)
		r.Header.Set("Origin", origin)
		w := httptest.NewRecorder()
		srv.App.Public.ServeHTTP(w, r)
		if w.Code != http.StatusFound || w.Header().Get("Location") != "https://auth.example:443/ui/" {
			t.Errorf("Origin %s: %d to %q, want 302 to the default return URL", origin, w.Code, w.Header().Get("Location"))
		}
	}
}
