package wiretest_test

import (
	"net/http"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
)

// TestFactorlessJourneyUnchanged: with second factors enabled (and both
// required_aal keys at their highest_available default), a v0.6.3 client
// whose identity has no second factor sees the very answers of a server
// without them: the same golden login flow, sign-in, whoami and identity.
func TestFactorlessJourneyUnchanged(t *testing.T) {
	e := startWith(t, func(c *config.Config) {
		c.SelfService.Methods.TOTP.Enabled = true
		c.SelfService.Methods.LookupSecret.Enabled = true
	})
	token := e.signUp()
	f := e.want("init", e.api("GET", "self-service/login/api", nil), http.StatusOK)
	check[client.LoginFlow](e, "login/api-init", f.Body)
	r := e.want("sign in", e.api("POST", "self-service/login?flow="+sdk_id(t, f.Body), loginBody), http.StatusOK)
	check[client.LoginViaApiResponse](e, "login/api-success", r.Body)
	r = e.want("whoami", e.api("GET", "sessions/whoami", nil, "X-Session-Token", token), http.StatusOK)
	check[client.Session](e, "session", r.Body)
	r = e.want("refresh", e.api("GET", "self-service/login/api?refresh=true", nil, "X-Session-Token", token), http.StatusOK)
	check[client.LoginFlow](e, "login/api-refresh", r.Body)
}
