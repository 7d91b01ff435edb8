package wiretest_test

import (
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

func linkBody(address string) map[string]any {
	return map[string]any{"method": "link", "email": address}
}

// TestRecoveryAPI and the tests below record recovery and verification the
// same way: "invalid" is a malformed address, "success" the mail sent.
func TestRecoveryAPI(t *testing.T) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1) // the verification mail of the sign-up

	f := e.want("init", e.api("GET", "self-service/recovery/api", nil), http.StatusOK)
	check[client.RecoveryFlow](e, "recovery/api-init", f.Body)
	id := sdk_id(t, f.Body)

	r := e.want("bad email", e.api("POST", "self-service/recovery?flow="+id, linkBody("not-an-email")), http.StatusBadRequest)
	check[client.RecoveryFlow](e, "recovery/api-invalid", r.Body)

	r = e.want("send", e.api("POST", "self-service/recovery?flow="+id, linkBody(email)), http.StatusOK)
	check[client.RecoveryFlow](e, "recovery/api-success", r.Body)

	f = e.want("init", e.api("GET", "self-service/recovery/api", nil), http.StatusOK)
	id = sdk_id(t, f.Body)
	e.Server.Clock.Advance(expire)
	r = e.want("fetch expired", e.api("GET", "self-service/recovery/flows?id="+id, nil), http.StatusGone)
	check[client.JsonError](e, "recovery/api-expired-fetch", r.Body)
	r = e.want("submit expired", e.api("POST", "self-service/recovery?flow="+id, linkBody(email)), http.StatusFound)
	r = e.want("fetch the new flow", e.api("GET", "self-service/recovery/flows?id="+flowID(t, r.Header.Get("Location")), nil), http.StatusOK)
	check[client.RecoveryFlow](e, "recovery/api-expired", r.Body)
}

func TestRecoveryBrowser(t *testing.T) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1)
	b := e.browser()

	id := b.init("recovery")
	check[client.RecoveryFlow](e, "recovery/browser-init", b.fetch("recovery", id, http.StatusOK))

	b.form("recovery", id, url.Values{"method": {"link"}, "email": {"not-an-email"}}, mailtest.UIBase+"recovery?flow="+id)
	check[client.RecoveryFlow](e, "recovery/browser-invalid", b.fetch("recovery", id, http.StatusOK))

	b.form("recovery", id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+"recovery?flow="+id)
	check[client.RecoveryFlow](e, "recovery/browser-success", b.fetch("recovery", id, http.StatusOK))

	// The link signs the browser in and opens settings; used again, it
	// starts a new flow that says so.
	link := e.MailedLink(e.Mail.WaitCount(t, 2)[1], "self-service/recovery")
	r := b.Get(link)
	sid := flowID(t, r.Location(t).String())
	check[client.SettingsFlow](e, "recovery/browser-recovered", b.fetch("settings", sid, http.StatusOK))
	nb := e.browser()
	r = nb.Get(link)
	check[client.RecoveryFlow](e, "recovery/browser-used-link", nb.fetch("recovery", flowID(t, r.Location(t).String()), http.StatusOK))

	b = e.browser()
	id = b.init("recovery")
	e.Server.Clock.Advance(expire)
	check[client.JsonError](e, "recovery/browser-expired-fetch", b.fetch("recovery", id, http.StatusGone))
	id = b.form("recovery", id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+"recovery?flow=")
	check[client.RecoveryFlow](e, "recovery/browser-expired", b.fetch("recovery", id, http.StatusOK))
}
