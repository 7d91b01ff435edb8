package verification_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// timestamps matches RFC 3339 times in JSON, to compare answers without them.
var timestamps = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[^"]*"`)

// requestLink asks for a verification link with an api flow and returns it.
func (e *env) requestLink(email string) string {
	e.t.Helper()
	f := e.initAPI()
	if status, _, raw := e.submitAPI(f.Id, email); status != http.StatusOK {
		e.t.Fatalf("submit %s: %d %s", email, status, raw)
	}
	return e.MailedLink(e.Mail.Next(e.t, email), "self-service/verification/methods/link")
}

// TestVerificationBadLinks: an unknown token leads to a new flow with
// 4070001, an incomplete link to the error page (400); neither verifies
// anything nor spends the real token.
func TestVerificationBadLinks(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("lovelace@example.com")
	link := e.requestLink("lovelace@example.com")
	u, _ := url.Parse(link)
	base := e.Public + "self-service/verification"

	e.wantRetry(e.Browser().Get(base+"?"+url.Values{"flow": {u.Query().Get("flow")}, "token": {strings.Repeat("x", 43)}}.Encode()), 4070001)
	for name, q := range map[string]url.Values{
		"without flow":  {"token": {u.Query().Get("token")}},
		"without token": {"flow": {u.Query().Get("flow")}},
	} {
		r := e.Browser().Get(base + "?" + q.Encode())
		loc := r.Location(t)
		if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"error?error=") {
			t.Fatalf("%s: %d to %s, want 302 to the error UI", name, r.StatusCode, loc)
		}
		c, _, err := e.Admin.AdminApi.GetSelfServiceError(t.Context()).Error_(loc.Query().Get("error")).Execute()
		if err != nil || len(c.Errors) != 1 {
			t.Fatalf("%s: GetSelfServiceError: %v", name, err)
		}
		if code, _ := c.Errors[0]["code"].(float64); code != 400 {
			t.Errorf("%s: error page shows %v, want code 400", name, c.Errors[0])
		}
	}
	e.wantAddress(i.Id, "lovelace@example.com", false, "pending")
	e.wantVerified(e.Browser().Get(link))
	e.wantAddress(i.Id, "lovelace@example.com", true, "completed")
	e.wantRetry(e.Browser().Get(link), 4070001)
}

// TestVerificationLinkExpired: with a short verification lifespan, a link
// followed after it passed leads to a new flow of the expired one's type
// with 4070005 (for this api flow: its JSON, as the reference does) and
// leaves the address unverified.
func TestVerificationLinkExpired(t *testing.T) {
	e := start(t, func(c *config.Config) { c.SelfService.Flows.Verification.Lifespan = config.Duration(10 * time.Minute) })
	i := e.CreateIdentity("late@example.com")
	f := e.initAPI()
	if status, _, raw := e.submitAPI(f.Id, "late@example.com"); status != http.StatusOK {
		t.Fatalf("submit within the lifespan: %d %s (is the machine too slow for a 3s lifespan?)", status, raw)
	}
	link := e.MailedLink(e.Mail.Next(t, "late@example.com"), "self-service/verification/methods/link")
	e.Server.Clock.Advance(time.Until(*f.ExpiresAt) + time.Second)
	r := e.Browser().Get(link)
	loc := r.Location(t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), e.Public+"self-service/verification/flows?id=") {
		t.Fatalf("expired link: %d to %s, want 302 to a new api flow's JSON", r.StatusCode, loc)
	}
	if nf := e.flow(loc.Query().Get("id")); nf.Id == f.Id || nf.Type != "api" || !slices.Equal(mailtest.IDs(nf.Ui.Messages), []int64{4070005}) {
		t.Errorf("replacement flow %s (%s) with messages %v, want a new api flow with 4070005", nf.Id, nf.Type, mailtest.IDs(nf.Ui.Messages))
	}
	e.wantAddress(i.Id, "late@example.com", false, "pending")

	// Submitting the expired api flow again points the app to a new one.
	r = e.Browser().Do(http.MethodPost, e.Public+"self-service/verification?flow="+f.Id, "application/json", []byte(`{"email":"late@example.com"}`))
	loc = r.Location(t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), e.Public+"self-service/verification/flows?id=") {
		t.Fatalf("submit of the expired flow: %d to %s, want 302 to a new flow", r.StatusCode, loc)
	}
	if nf := e.flow(loc.Query().Get("id")); nf.Id == f.Id || nf.Type != "api" || !slices.Equal(mailtest.IDs(nf.Ui.Messages), []int64{4070005}) {
		t.Errorf("replacement flow %s (%s) with messages %v, want a new api flow with 4070005", nf.Id, nf.Type, mailtest.IDs(nf.Ui.Messages))
	}
}

// TestVerificationAfterEmailChange: changing the email in settings mails a
// link to the new address only; following it verifies the new address.
func TestVerificationAfterEmailChange(t *testing.T) {
	e := start(t, nil)
	id, token := e.register("first@example.com")
	e.Mail.Next(t, "first@example.com")

	e.settings(token, map[string]any{"method": "profile", "traits": map[string]any{"email": "Second@Example.com"}})
	e.wantAddress(id, "second@example.com", false, "sent")
	m := e.Mail.Next(t, "second@example.com")
	if n := e.queuedTo("first@example.com"); n != 1 {
		t.Errorf("%d messages queued to the old address, want only the sign-up one", n)
	}
	if n := e.queuedTo("second@example.com"); n != 1 {
		t.Errorf("%d messages queued to the new address, want 1", n)
	}
	e.wantVerified(e.Browser().Get(e.MailedLink(m, "self-service/verification")))
	e.wantAddress(id, "second@example.com", true, "completed")

	// Changing another trait mails nobody.
	e.settings(token, map[string]any{"method": "profile", "traits": map[string]any{"email": "second@example.com", "name": "Second"}})
	if n := e.queuedTo("second@example.com"); n != 1 {
		t.Errorf("%d messages queued to the address after a name change, want still 1", n)
	}
}

// TestVerificationNotResentOnPasswordChange: a password change creates no
// address, so it mails no verification link.
func TestVerificationNotResentOnPasswordChange(t *testing.T) {
	e := start(t, nil)
	_, token := e.register("steady@example.com")
	e.Mail.Next(t, "steady@example.com")
	e.settings(token, map[string]any{"method": "password", "password": password + "-new"})
	if n := e.queuedTo("steady@example.com"); n != 1 {
		t.Errorf("%d messages queued to the address after a password change, want only the sign-up one", n)
	}
}

// TestVerificationLinkDiesWithItsAddress: a verification link for an
// address the account has since replaced verifies nothing and says so
// (4070001) instead of reporting success.
func TestVerificationLinkDiesWithItsAddress(t *testing.T) {
	e := start(t, nil)
	id, token := e.register("old@example.com")
	link := e.MailedLink(e.Mail.Next(t, "old@example.com"), "self-service/verification")
	e.settings(token, map[string]any{"method": "profile", "traits": map[string]any{"email": "new@example.com"}})
	e.Mail.Next(t, "new@example.com")
	e.wantRetry(e.Browser().Get(link), 4070001)
	e.wantAddress(id, "new@example.com", false, "sent")
}

// TestVerificationLinkWithoutAfterURL: with no return_to and no
// verification.after.default_browser_return_url, a followed link lands on
// the verification UI with its flow, now passed_challenge, as the
// reference does.
func TestVerificationLinkWithoutAfterURL(t *testing.T) {
	e := start(t, func(c *config.Config) { c.SelfService.Flows.Verification.After.DefaultBrowserReturnURL = "" })
	i := e.CreateIdentity("plain@example.com")
	link := e.requestLink("plain@example.com")
	r := e.Browser().Get(link)
	loc := r.Location(t)
	want := mailtest.UIBase + "verification?flow="
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), want) {
		t.Fatalf("verification link: %d to %s, want 302 to %s<id>", r.StatusCode, loc, want)
	}
	if f := e.flow(loc.Query().Get("flow")); f.State != "passed_challenge" {
		t.Errorf("the flow shown after the link is in %q, want passed_challenge", f.State)
	}
	e.wantAddress(i.Id, "plain@example.com", true, "completed")
}
