package browsertest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestCSRFCookieIssuedAndRenewedAsTheReference: the anti-CSRF cookie is
// set by any guarded public path a browser without one reaches (not by the
// api endpoints), kept while it is valid, and renewed on logout and when a
// browser signs in as another identity, but not on a refresh sign-in as
// the same one.
func TestCSRFCookieIssuedAndRenewedAsTheReference(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	name := sdk.CSRFCookieName(e.public)
	setsCSRF := func(r sdk.BrowserResponse) bool { return r.SetCookie(name) != nil }

	b := e.browser()
	if r := b.Get(e.public + "self-service/login/api"); setsCSRF(r) {
		t.Errorf("api init set the anti-CSRF cookie")
	}
	if r := b.Get(e.public + "sessions/whoami"); setsCSRF(r) {
		t.Errorf("whoami set the anti-CSRF cookie")
	}
	r := b.Get(e.public + "health/alive")
	if !setsCSRF(r) {
		t.Fatalf("a guarded GET without the cookie did not set it: %v", r.Header.Values("Set-Cookie"))
	}
	if n := strings.Count(strings.Join(r.Header.Values("Set-Cookie"), "\n"), name+"="); n != 1 {
		t.Errorf("%d anti-CSRF Set-Cookie lines, want 1", n)
	}
	first := b.CSRFToken()
	if r := b.Get(e.public + "self-service/registration/browser"); setsCSRF(r) {
		t.Errorf("a browser with a valid cookie got a new one on init")
	}
	if tok := b.CSRFToken(); tok != first {
		t.Fatalf("token changed from %q to %q without a reason", first, tok)
	}

	// Signing up signs the browser in as a new identity: new token.
	b.register("renew@example.com")
	signedUp := b.CSRFToken()
	if signedUp == first {
		t.Errorf("sign-up kept the anti-CSRF token")
	}
	// A refresh sign-in as the same identity keeps it.
	if r := b.login("refresh=true", "renew@example.com", password); r.SetCookie("ory_kratos_session") == nil || setsCSRF(r) {
		t.Errorf("refresh login: session %v, anti-CSRF %v; want a session and the token kept", r.SetCookie("ory_kratos_session"), r.SetCookie(name))
	}
	// Logout always renews it.
	if r := b.Get(e.public + "self-service/browser/flows/logout"); r.StatusCode != http.StatusFound || !setsCSRF(r) {
		t.Errorf("logout: %d, anti-CSRF %v; want 302 and a new token", r.StatusCode, r.SetCookie(name))
	}
	if b.CSRFToken() == signedUp {
		t.Errorf("logout kept the anti-CSRF token")
	}
	// Signing in as someone (after being nobody) renews it again.
	before := b.CSRFToken()
	if r := b.login("", "renew@example.com", password); !setsCSRF(r) || b.CSRFToken() == before {
		t.Errorf("login after logout kept the anti-CSRF token")
	}
}
