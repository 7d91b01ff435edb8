package wiretest_test

import (
	"net/http"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

func TestVerificationAPI(t *testing.T) { linkFlowAPI[client.VerificationFlow](t, "verification") }

func TestVerificationBrowser(t *testing.T) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1)
	b := e.browser()
	id := linkFlowBrowserForm[client.VerificationFlow](e, b, "verification")

	// Following the link verifies the address; the flow has passed.
	msgs := e.Mail.WaitCount(t, 2)
	link := e.MailedLink(msgs[1], "self-service/verification")
	if r := b.Get(link); r.StatusCode != http.StatusFound || r.Location(t).String() != mailtest.UIBase+"verified" {
		t.Fatalf("verification link: %d to %s, want 302 to the return URL", r.StatusCode, r.Header.Get("Location"))
	}
	check[client.VerificationFlow](e, "verification/browser-passed", b.fetch("verification", id, http.StatusOK))
	r := b.Get(link)
	check[client.VerificationFlow](e, "verification/browser-used-link", b.fetch("verification", flowID(t, r.Location(t).String()), http.StatusOK))

	linkFlowBrowserExpired[client.VerificationFlow](e, "verification")
}
