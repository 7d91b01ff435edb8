package logout_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestLogoutWithBearerTokenLeavesTheCookie: as in the reference, a logout
// carrying "Authorization: Bearer" revokes that token and neither revokes
// nor expires the session cookie sent alongside.
func TestLogoutWithBearerTokenLeavesTheCookie(t *testing.T) {
	t.Parallel()
	e := start(t, false)
	cookie, bearer := e.session(), e.session()
	r := e.logout(cookie, "Authorization", "Bearer "+bearer)
	if r.StatusCode != http.StatusFound {
		t.Fatalf("logout: %d, want 302", r.StatusCode)
	}
	if c := cleared(r); c != nil {
		t.Errorf("Set-Cookie %v: the session cookie was touched", r.Header.Values("Set-Cookie"))
	}
	if e.whoami(bearer) != http.StatusUnauthorized || e.whoami(cookie) != http.StatusOK {
		t.Errorf("whoami: bearer %d (want 401), cookie %d (want 200)", e.whoami(bearer), e.whoami(cookie))
	}
}

// TestLogoutUnsafeMethods: any method but GET on the logout URL meets the
// anti-CSRF guard first: without the cookie and its token back it is the
// reference's 400 envelope; with them, the router's plain 405.
func TestLogoutUnsafeMethods(t *testing.T) {
	t.Parallel()
	e := start(t, false)
	u := e.srv.PublicURL + "self-service/browser/flows/logout"
	name := sdk.CSRFCookieName(e.srv.PublicURL)
	const tok = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG" // 43 characters, as issued
	const want400 = `{"error":{"code":400,"status":"Bad Request","reason":"CSRF token is missing or invalid.","message":"The request was malformed or contained invalid parameters"}}`
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		for _, tc := range []struct {
			name    string
			headers []string
			body    string
		}{
			{name: "no cookie"},
			{name: "cookie without token", headers: []string{"Cookie", name + "=" + tok}},
			{name: "wrong token", headers: []string{"Cookie", name + "=" + tok, "X-CSRF-Token", strings.Repeat("x", 43)}},
			{name: "token without cookie", headers: []string{"X-CSRF-Token", tok}},
		} {
			r := sdk.Request(t, http.DefaultClient, method, u, "", nil, tc.headers...)
			if r.Status != http.StatusBadRequest || strings.TrimSpace(string(r.Body)) != want400 {
				t.Errorf("%s, %s: %d %s, want 400 %s", method, tc.name, r.Status, r.Body, want400)
			}
		}
		r := sdk.Request(t, http.DefaultClient, method, u, "", nil, "Cookie", name+"="+tok, "X-CSRF-Token", tok)
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != "GET, OPTIONS" || strings.TrimSpace(string(r.Body)) != "Method Not Allowed" {
			t.Errorf("%s with a valid pair: %d Allow %q %q, want the plain 405 with Allow: GET, OPTIONS", method, r.Status, r.Header.Get("Allow"), r.Body)
		}
	}
	// The token may come back as the csrf_token form field too.
	form := url.Values{"csrf_token": {tok}}.Encode()
	r := sdk.Request(t, http.DefaultClient, "POST", u, "application/x-www-form-urlencoded", []byte(form), "Cookie", name+"="+tok)
	if r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST with the token as a form field: %d %s, want 405", r.Status, r.Body)
	}
}
