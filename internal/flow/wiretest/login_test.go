package wiretest_test

import (
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

var (
	loginBody = map[string]any{"method": "password", "password_identifier": email, "password": password}
	wrongBody = map[string]any{"method": "password", "password_identifier": email, "password": "not-the-password-at-all"}
)

func TestLoginAPI(t *testing.T) {
	e := start(t)
	token := e.signUp()

	f := e.want("init", e.api("GET", "self-service/login/api", nil), http.StatusOK)
	check[client.LoginFlow](e, "login/api-init", f.Body)
	id := flowID(t, "?id="+sdk_id(t, f.Body))

	r := e.want("wrong password", e.api("POST", "self-service/login?flow="+id, wrongBody), http.StatusBadRequest)
	check[client.LoginFlow](e, "login/api-invalid", r.Body)

	r = e.want("sign in", e.api("POST", "self-service/login?flow="+id, loginBody), http.StatusOK)
	check[client.LoginViaApiResponse](e, "login/api-success", r.Body)

	r = e.want("refresh", e.api("GET", "self-service/login/api?refresh=true", nil, "X-Session-Token", token), http.StatusOK)
	check[client.LoginFlow](e, "login/api-refresh", r.Body)

	f = e.want("init", e.api("GET", "self-service/login/api", nil), http.StatusOK)
	id = sdk_id(t, f.Body)
	e.Server.Clock.Advance(expire)
	r = e.want("fetch expired", e.api("GET", "self-service/login/flows?id="+id, nil), http.StatusGone)
	check[client.JsonError](e, "login/api-expired-fetch", r.Body)
	r = e.want("submit expired", e.api("POST", "self-service/login?flow="+id, loginBody), http.StatusFound)
	r = e.want("fetch the new flow", e.api("GET", "self-service/login/flows?id="+flowID(t, r.Header.Get("Location")), nil), http.StatusOK)
	check[client.LoginFlow](e, "login/api-expired", r.Body)
}

func TestLoginBrowser(t *testing.T) {
	e := start(t)
	e.signUp()
	b := e.browser()

	id := b.init("login")
	check[client.LoginFlow](e, "login/browser-init", b.fetch("login", id, http.StatusOK))

	b.form("login", id, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {"not-the-password-at-all"}}, mailtest.UIBase+"login?flow="+id)
	check[client.LoginFlow](e, "login/browser-invalid", b.fetch("login", id, http.StatusOK))

	check[client.Session](e, "login/browser-success", b.json("login", id, loginBody, http.StatusOK))

	r := b.Get(e.Public + "self-service/login/browser?refresh=true")
	id = flowID(t, r.Location(t).String())
	check[client.LoginFlow](e, "login/browser-refresh", b.fetch("login", id, http.StatusOK))

	b = e.browser()
	id = b.init("login")
	e.Server.Clock.Advance(expire)
	check[client.JsonError](e, "login/browser-expired-fetch", b.fetch("login", id, http.StatusGone))
	id = b.form("login", id, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {password}}, mailtest.UIBase+"login?flow=")
	check[client.LoginFlow](e, "login/browser-expired", b.fetch("login", id, http.StatusOK))
}
