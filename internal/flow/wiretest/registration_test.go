package wiretest_test

import (
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

func registrationBody(emailTrait string) map[string]any {
	return map[string]any{"method": "password", "password": password, "traits": map[string]any{"email": emailTrait, "name": "Golden"}}
}

func TestRegistrationAPI(t *testing.T) {
	e := start(t)

	f := e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK)
	check[client.RegistrationFlow](e, "registration/api-init", f.Body)
	id := sdk_id(t, f.Body)

	r := e.want("bad email", e.api("POST", "self-service/registration?flow="+id, registrationBody("not-an-email")), http.StatusBadRequest)
	check[client.RegistrationFlow](e, "registration/api-invalid", r.Body)

	r = e.want("sign up", e.api("POST", "self-service/registration?flow="+id, registrationBody(email)), http.StatusOK)
	check[client.RegistrationViaApiResponse](e, "registration/api-success", r.Body)

	f = e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK)
	id = sdk_id(t, f.Body)
	r = e.want("taken", e.api("POST", "self-service/registration?flow="+id, registrationBody(email)), http.StatusBadRequest)
	check[client.RegistrationFlow](e, "registration/api-duplicate", r.Body)

	f = e.want("init", e.api("GET", "self-service/registration/api", nil), http.StatusOK)
	id = sdk_id(t, f.Body)
	e.Server.Clock.Advance(expire)
	r = e.want("fetch expired", e.api("GET", "self-service/registration/flows?id="+id, nil), http.StatusGone)
	check[client.JsonError](e, "registration/api-expired-fetch", r.Body)
	r = e.want("submit expired", e.api("POST", "self-service/registration?flow="+id, registrationBody("late@example.com")), http.StatusFound)
	r = e.want("fetch the new flow", e.api("GET", "self-service/registration/flows?id="+flowID(t, r.Header.Get("Location")), nil), http.StatusOK)
	check[client.RegistrationFlow](e, "registration/api-expired", r.Body)
}

func TestRegistrationBrowser(t *testing.T) {
	e := start(t)
	b := e.browser()

	id := b.init("registration")
	check[client.RegistrationFlow](e, "registration/browser-init", b.fetch("registration", id, http.StatusOK))

	form := url.Values{"method": {"password"}, "password": {password}, "traits.email": {"not-an-email"}, "traits.name": {"Golden"}}
	b.form("registration", id, form, mailtest.UIBase+"registration?flow="+id)
	check[client.RegistrationFlow](e, "registration/browser-invalid", b.fetch("registration", id, http.StatusOK))

	check[client.Session](e, "registration/browser-success", b.json("registration", id, registrationBody(email), http.StatusOK))

	b = e.browser()
	id = b.init("registration")
	form.Set("traits.email", email)
	b.form("registration", id, form, mailtest.UIBase+"registration?flow="+id)
	check[client.RegistrationFlow](e, "registration/browser-duplicate", b.fetch("registration", id, http.StatusOK))

	id = b.init("registration")
	e.Server.Clock.Advance(expire)
	check[client.JsonError](e, "registration/browser-expired-fetch", b.fetch("registration", id, http.StatusGone))
	form.Set("traits.email", "late@example.com")
	id = b.form("registration", id, form, mailtest.UIBase+"registration?flow=")
	check[client.RegistrationFlow](e, "registration/browser-expired", b.fetch("registration", id, http.StatusOK))
}
