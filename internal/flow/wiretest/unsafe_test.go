package wiretest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestUnsafeRequestsMeetCSRFFirst: an unsafe request to a public path
// that is not a flow submit, an api init, whoami or /sessions is stopped by
// the anti-CSRF guard before routing: without the cookie and its token it
// is the reference's 400 envelope; with them it is routed, and a route
// that does not exist is Latchkey's 404 envelope (the reference's router
// answers plain text there: a deliberate difference, see the README). The
// exempt paths never answer the CSRF error.
func TestUnsafeRequestsMeetCSRFFirst(t *testing.T) {
	e := start(t)
	name := sdk.CSRFCookieName(e.Public)
	const tok = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
	const csrf400 = `{"error":{"code":400,"status":"Bad Request","reason":"CSRF token is missing or invalid.","message":"The request was malformed or contained invalid parameters"}}`
	for _, c := range []struct{ method, path string }{
		{"POST", "self-service/errors?error=stub:500"},
		{"DELETE", "schemas/default"},
		{"PUT", "self-service/login/browser"},
		{"PATCH", "self-service/settings/flows?id=x"},
		{"POST", "no/such/path"},
	} {
		r := sdk.Request(t, http.DefaultClient, c.method, e.Public+c.path, "", nil)
		if r.Status != http.StatusBadRequest || strings.TrimSpace(string(r.Body)) != csrf400 {
			t.Errorf("%s /%s without a pair: %d %s, want the CSRF 400", c.method, c.path, r.Status, r.Body)
		}
		r = sdk.Request(t, http.DefaultClient, c.method, e.Public+c.path, "", nil, "Cookie", name+"="+tok, "X-CSRF-Token", tok)
		sdk.WantError(t, r, http.StatusNotFound)
	}
	for _, c := range []struct{ method, path string }{
		{"POST", "self-service/login?flow=1b4e28ba-2fa1-41d2-883f-0016d3cca427"},
		{"POST", "self-service/registration/api"},
		{"POST", "sessions/whoami"},
		{"DELETE", "sessions"},
	} {
		r := sdk.Request(t, http.DefaultClient, c.method, e.Public+c.path, "application/json", []byte(`{}`))
		if strings.Contains(string(r.Body), "CSRF token is missing") {
			t.Errorf("%s /%s: the CSRF guard answered, but the path is exempt: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
}
