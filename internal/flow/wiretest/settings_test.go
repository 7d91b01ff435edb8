package wiretest_test

import (
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

func profileBody(emailTrait, name string) map[string]any {
	return map[string]any{"method": "profile", "traits": map[string]any{"email": emailTrait, "name": name}}
}

func TestSettingsAPI(t *testing.T) {
	e := start(t)
	token := e.signUp()
	auth := []string{"X-Session-Token", token}

	f := e.want("init", e.api("GET", "self-service/settings/api", nil, auth...), http.StatusOK)
	check[client.SettingsFlow](e, "settings/api-init", f.Body)
	id := sdk_id(t, f.Body)

	r := e.want("bad email", e.api("POST", "self-service/settings?flow="+id, profileBody("not-an-email", "Golden"), auth...), http.StatusBadRequest)
	check[client.SettingsFlow](e, "settings/api-invalid", r.Body)

	r = e.want("new name", e.api("POST", "self-service/settings?flow="+id, profileBody(email, "Renamed"), auth...), http.StatusOK)
	check[client.SettingsViaApiResponse](e, "settings/api-success", r.Body)

	f = e.want("init", e.api("GET", "self-service/settings/api", nil, auth...), http.StatusOK)
	id = sdk_id(t, f.Body)
	e.Server.Clock.Advance(expire)
	r = e.want("fetch expired", e.api("GET", "self-service/settings/flows?id="+id, nil, auth...), http.StatusGone)
	check[client.JsonError](e, "settings/api-expired-fetch", r.Body)
	r = e.want("submit expired", e.api("POST", "self-service/settings?flow="+id, profileBody(email, "Late"), auth...), http.StatusFound)
	r = e.want("fetch the new flow", e.api("GET", "self-service/settings/flows?id="+flowID(t, r.Header.Get("Location")), nil, auth...), http.StatusOK)
	check[client.SettingsFlow](e, "settings/api-expired", r.Body)
}

func TestSettingsBrowser(t *testing.T) {
	e := start(t)
	e.signUp()
	b := e.browser()
	b.signIn()

	id := b.init("settings")
	check[client.SettingsFlow](e, "settings/browser-init", b.fetch("settings", id, http.StatusOK))

	form := url.Values{"method": {"profile"}, "traits.email": {"not-an-email"}, "traits.name": {"Golden"}}
	b.form("settings", id, form, mailtest.UIBase+"settings?flow="+id)
	check[client.SettingsFlow](e, "settings/browser-invalid", b.fetch("settings", id, http.StatusOK))

	form.Set("traits.email", email)
	form.Set("traits.name", "Renamed")
	b.form("settings", id, form, mailtest.UIBase+"settings?flow="+id)
	check[client.SettingsFlow](e, "settings/browser-success", b.fetch("settings", id, http.StatusOK))

	id = b.init("settings")
	check[client.SettingsViaApiResponse](e, "settings/browser-success-json", b.json("settings", id, profileBody(email, "Scripted"), http.StatusOK))

	id = b.init("settings")
	e.Server.Clock.Advance(expire)
	check[client.JsonError](e, "settings/browser-expired-fetch", b.fetch("settings", id, http.StatusGone))
	id = b.form("settings", id, form, mailtest.UIBase+"settings?flow=")
	check[client.SettingsFlow](e, "settings/browser-expired", b.fetch("settings", id, http.StatusOK))
}
