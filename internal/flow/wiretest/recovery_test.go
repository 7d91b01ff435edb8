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

// Recovery and verification are recorded the same way: "invalid" is a
// malformed address, "success" the mail sent.
func TestRecoveryAPI(t *testing.T) { linkFlowAPI[client.RecoveryFlow](t, "recovery") }

// linkFlowAPI records an api flow of kind (recovery or verification; F its
// SDK type): started, an invalid address, the mail sent, and a submit to
// an expired flow, which answers with its replacement.
func linkFlowAPI[F any](t *testing.T, kind string) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1) // the verification mail of the sign-up

	f := e.want("init", e.api("GET", "self-service/"+kind+"/api", nil), http.StatusOK)
	check[F](e, kind+"/api-init", f.Body)
	id := sdk_id(t, f.Body)

	r := e.want("bad email", e.api("POST", "self-service/"+kind+"?flow="+id, linkBody("not-an-email")), http.StatusBadRequest)
	check[F](e, kind+"/api-invalid", r.Body)

	r = e.want("send", e.api("POST", "self-service/"+kind+"?flow="+id, linkBody(email)), http.StatusOK)
	check[F](e, kind+"/api-success", r.Body)

	f = e.want("init", e.api("GET", "self-service/"+kind+"/api", nil), http.StatusOK)
	id = sdk_id(t, f.Body)
	e.Server.Clock.Advance(expire)
	r = e.want("fetch expired", e.api("GET", "self-service/"+kind+"/flows?id="+id, nil), http.StatusGone)
	check[client.JsonError](e, kind+"/api-expired-fetch", r.Body)
	r = e.want("submit expired", e.api("POST", "self-service/"+kind+"?flow="+id, linkBody(email)), http.StatusFound)
	r = e.want("fetch the new flow", e.api("GET", "self-service/"+kind+"/flows?id="+flowID(t, r.Header.Get("Location")), nil), http.StatusOK)
	check[F](e, kind+"/api-expired", r.Body)
}

// linkFlowBrowserForm records a browser flow of kind up to the mail sent:
// started, an invalid address, the address sent. It returns the flow id.
func linkFlowBrowserForm[F any](e *env, b *browser, kind string) string {
	id := b.init(kind)
	check[F](e, kind+"/browser-init", b.fetch(kind, id, http.StatusOK))

	b.form(kind, id, url.Values{"method": {"link"}, "email": {"not-an-email"}}, mailtest.UIBase+kind+"?flow="+id)
	check[F](e, kind+"/browser-invalid", b.fetch(kind, id, http.StatusOK))

	b.form(kind, id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+kind+"?flow="+id)
	check[F](e, kind+"/browser-success", b.fetch(kind, id, http.StatusOK))
	return id
}

// linkFlowBrowserExpired records a browser flow of kind that expired: its
// fetch is 410, a submit to it answers with its replacement.
func linkFlowBrowserExpired[F any](e *env, kind string) {
	b := e.browser()
	id := b.init(kind)
	e.Server.Clock.Advance(expire)
	check[client.JsonError](e, kind+"/browser-expired-fetch", b.fetch(kind, id, http.StatusGone))
	id = b.form(kind, id, url.Values{"method": {"link"}, "email": {email}}, mailtest.UIBase+kind+"?flow=")
	check[F](e, kind+"/browser-expired", b.fetch(kind, id, http.StatusOK))
}

func TestRecoveryBrowser(t *testing.T) {
	e := start(t)
	e.signUp()
	e.Mail.WaitCount(t, 1)
	b := e.browser()
	linkFlowBrowserForm[client.RecoveryFlow](e, b, "recovery")

	// The link signs the browser in and opens settings; used again, it
	// starts a new flow that says so.
	link := e.MailedLink(e.Mail.WaitCount(t, 2)[1], "self-service/recovery")
	r := b.Get(link)
	sid := flowID(t, r.Location(t).String())
	check[client.SettingsFlow](e, "recovery/browser-recovered", b.fetch("settings", sid, http.StatusOK))
	nb := e.browser()
	r = nb.Get(link)
	check[client.RecoveryFlow](e, "recovery/browser-used-link", nb.fetch("recovery", flowID(t, r.Location(t).String()), http.StatusOK))

	linkFlowBrowserExpired[client.RecoveryFlow](e, "recovery")
}
