package verification_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// TestVerificationLinkFlowFirst: a link's flow is looked up before its
// token: an unknown flow goes to the error page (404) and leaves the token
// unspent; the real link then works.
func TestVerificationLinkFlowFirst(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("first@example.com")
	link := e.requestLink("first@example.com")
	u, _ := url.Parse(link)
	q := u.Query()
	q.Set("flow", "2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90")
	u.RawQuery = q.Encode()

	r := e.Browser().Get(u.String())
	loc := r.Location(t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"error?error=") {
		t.Fatalf("unknown flow: %d to %s, want 302 to the error UI", r.StatusCode, loc)
	}
	c, _, err := e.Admin.AdminApi.GetSelfServiceError(t.Context()).Error_(loc.Query().Get("error")).Execute()
	if err != nil || len(c.Errors) != 1 {
		t.Fatalf("GetSelfServiceError: %v", err)
	}
	if code, _ := c.Errors[0]["code"].(float64); code != 404 {
		t.Errorf("error page shows %v, want code 404", c.Errors[0])
	}
	e.wantAddress(i.Id, "first@example.com", false, "pending")

	e.wantVerified(e.Browser().Get(link))
	e.wantAddress(i.Id, "first@example.com", true, "completed")
}
