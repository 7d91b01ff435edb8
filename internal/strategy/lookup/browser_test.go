package lookup_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRecoveryCodeInABrowser: a browser signing in with a password is sent
// to the aal2 flow (a script driving it is told so with 422), and a
// recovery code typed into that form finishes the sign-in.
func TestRecoveryCodeInABrowser(t *testing.T) {
	s := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) { c.SelfService.Methods.LookupSecret.Enabled = true }))
	reg := sdk.Register(t, s, "browser-codes@example.com", sdk.GoodPassword)
	// Codes made and confirmed through the api flow.
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", reg.SessionToken)
	id := decode(t, r.Body).ID
	post := func(flag string) sdk.Response {
		return sdk.Submit(t, s, "settings", id, "application/json", sdk.Marshal(t, map[string]any{"method": "lookup_secret", flag: true}), "X-Session-Token", reg.SessionToken)
	}
	list, _ := decode(t, post("lookup_secret_regenerate").Body).codes()
	codes := strings.Split(list, ", ")
	if r := post("lookup_secret_confirm"); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}

	b := sdk.NewBrowser(t, s.PublicURL, nil)
	signIn := func(headers ...string) sdk.BrowserResponse {
		t.Helper()
		f := b.Get(s.PublicURL + "self-service/login/browser").Location(t).Query().Get("flow")
		return b.PostForm(s.PublicURL+"self-service/login?flow="+f, url.Values{
			"csrf_token": {b.CSRFToken()}, "method": {"password"}, "password_identifier": {"browser-codes@example.com"}, "password": {sdk.GoodPassword},
		}, headers...)
	}
	js := signIn("Accept", "application/json")
	if js.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(js.Body), `"browser_location_change_required"`) ||
		!strings.Contains(string(js.Body), `"redirect_browser_to":"`+s.PublicURL+`self-service/login/browser?aal=aal2`) {
		t.Errorf("a script's password sign-in: %d %s", js.StatusCode, js.Body)
	}
	b = sdk.NewBrowser(t, s.PublicURL, nil)
	to := signIn().Location(t)
	if to.Query().Get("aal") != "aal2" {
		t.Fatalf("the password sent the browser to %s", to)
	}
	if got, _ := b.Whoami(); got != http.StatusForbidden {
		t.Errorf("whoami between the factors: %d", got)
	}
	f := b.Get(to.String()).Location(t).Query().Get("flow")
	fl, _, err := b.SDK.PublicApi.GetSelfServiceLoginFlow(context.Background()).Id(f).Execute()
	if err != nil || len(fl.Ui.Nodes) == 0 {
		t.Fatalf("the v0.6.3 SDK reads the aal2 flow: %v", err)
	}
	done := b.PostForm(s.PublicURL+"self-service/login?flow="+f, url.Values{"csrf_token": {b.CSRFToken()}, "method": {"lookup_secret"}, "lookup_secret": {codes[3]}})
	if done.StatusCode != http.StatusFound {
		t.Fatalf("recovery code: %d %s", done.StatusCode, done.Body)
	}
	if got, id := b.Whoami(); got != 200 || id != reg.Identity.Id {
		t.Errorf("whoami after the code: %d %s", got, id)
	}
}
