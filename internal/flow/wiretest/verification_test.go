package wiretest_test

import (
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

func TestVerificationAPI(t *testing.T) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1)

	f := e.want("init", e.api("GET", "self-service/verification/api", nil), http.StatusOK)
	check[client.VerificationFlow](e, "verification/api-init", f.Body)
	id := sdk_id(t, f.Body)

	r := e.want("bad email", e.api("POST", "self-service/verification?flow="+id, linkBody("not-an-email")), http.StatusBadRequest)
	check[client.VerificationFlow](e, "verification/api-invalid", r.Body)

	r = e.want("send", e.api("POST", "self-service/verification?flow="+id, linkBody(email)), http.StatusOK)
	check[client.VerificationFlow](e, "verification/api-success", r.Body)

	f = e.want("init", e.api("GET", "self-service/verification/api", nil), http.StatusOK)
	id = sdk_id(t, f.Body)
	e.Server.Clock.Advance(expire)
	r = e.want("fetch expired", e.api("GET", "self-service/verification/flows?id="+id, nil), http.StatusGone)
	check[client.JsonError](e, "verification/api-expired-fetch", r.Body)
	r = e.want("submit expired", e.api("POST", "self-service/verification?flow="+id, linkBody(email)), http.StatusFound)
	r = e.want("fetch the new flow", e.api("GET", "self-service/verification/flows?id="+flowID(t, r.Header.Get("Location")), nil), http.StatusOK)
	check[client.VerificationFlow](e, "verification/api-expired", r.Body)
}

func TestVerificationBrowser(t *testing.T) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1)
	b := e.browser()

	id := b.init("verification")
	check[client.VerificationFlow](e, "verification/browser-init", b.fetch("verification", id, http.StatusOK))

	b.form("verification", id, url.Values{"method": {"link"}, "email": {"not-an-email"}}, mailtest.UIBase+"verification?flow="+id)
	check[client.VerificationFlow](e, "verification/browser-invalid", b.fetch("verification", id, http.StatusOK))

	b.form("verification", id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+"verification?flow="+id)
	check[client.VerificationFlow](e, "verification/browser-success", b.fetch("verification", id, http.StatusOK))

	// Following the link verifies the address; the flow has passed.
	msgs := e.Mail.WaitCount(t, 2)
	link := e.MailedLink(msgs[1], "self-service/verification")
	if r := b.Get(link); r.StatusCode != http.StatusFound || r.Location(t).String() != mailtest.UIBase+"verified" {
		t.Fatalf("verification link: %d to %s, want 302 to the return URL", r.StatusCode, r.Header.Get("Location"))
	}
	check[client.VerificationFlow](e, "verification/browser-passed", b.fetch("verification", id, http.StatusOK))
	r := b.Get(link)
	check[client.VerificationFlow](e, "verification/browser-used-link", b.fetch("verification", flowID(t, r.Location(t).String()), http.StatusOK))

	b = e.browser()
	id = b.init("verification")
	e.Server.Clock.Advance(expire)
	check[client.JsonError](e, "verification/browser-expired-fetch", b.fetch("verification", id, http.StatusGone))
	id = b.form("verification", id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+"verification?flow=")
	check[client.VerificationFlow](e, "verification/browser-expired", b.fetch("verification", id, http.StatusOK))
}
