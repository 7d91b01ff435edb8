package wiretest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// TestEnteringWithSession covers what the browser tests leave out: a
// signed-in browser starting login with a return_to under
// <public>/self-service is sent there, and so is one starting recovery
// (any other return_to sends recovery to the default); verification never
// looks at the session (submit and link work as for anyone, and the
// session stays); a verification link goes to its flow's allowed
// return_to.
func TestEnteringWithSession(t *testing.T) {
	const after = "https://app.example/after"
	e := startWith(t, func(c *config.Config) { c.SelfService.WhitelistedReturnURLs = []string{after} })
	e.signUp()
	e.Mail.WaitCount(t, 1)
	b := e.browser()
	b.signIn()

	own := e.Public + "self-service/settings/browser"
	r := b.Get(e.Public + "self-service/login/browser?return_to=" + url.QueryEscape(own))
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != own {
		t.Errorf("login init signed in, return_to under self-service: %d to %q, want 302 to %s", r.StatusCode, r.Header.Get("Location"), own)
	}

	// Recovery, signed in, uses registration's rule: a return_to under
	// self-service is followed, any other (even allow-listed) is not.
	r = b.Get(e.Public + "self-service/recovery/browser?return_to=" + url.QueryEscape(own))
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != own {
		t.Errorf("recovery init signed in, return_to under self-service: %d to %q, want 302 to %s", r.StatusCode, r.Header.Get("Location"), own)
	}
	r = b.Get(e.Public + "self-service/recovery/browser?return_to=" + url.QueryEscape(after))
	if r.StatusCode != http.StatusFound || r.Header.Get("Location") != mailtest.UIBase+"home" {
		t.Errorf("recovery init signed in, allow-listed return_to: %d to %q, want 302 to the default return URL", r.StatusCode, r.Header.Get("Location"))
	}

	r = b.Get(e.Public + "self-service/verification/browser?return_to=" + url.QueryEscape(after))
	id := flowID(t, r.Location(t).String())
	b.form("verification", id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+"verification?flow="+id)
	link := e.MailedLink(e.Mail.WaitCount(t, 2)[1], "self-service/verification")
	if r := b.Get(link); r.StatusCode != http.StatusFound || r.Header.Get("Location") != after {
		t.Errorf("verification link, signed in: %d to %q, want 302 to the flow's return_to %s", r.StatusCode, r.Header.Get("Location"), after)
	}
	if code, _ := b.Whoami(); code != http.StatusOK {
		t.Errorf("whoami after verifying = %d, want the session untouched", code)
	}
}
