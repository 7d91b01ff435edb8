package sdk_test

import (
	"net/http"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestClientsReportSecrets: what the sdk's clients send and receive is
// what the log check of the server looks for: a session token in a header,
// a password in a body, the token and cookies a browser gets.
func TestClientsReportSecrets(t *testing.T) {
	t.Parallel()
	s := testkit.StartSQLite(t, nil)
	const header = "not-a-session-token-0123"
	sdk.Do(t, http.MethodGet, s.PublicURL+"sessions/whoami", "", nil, "X-Session-Token", header)
	reg := sdk.Register(t, s, "watch@example.org", sdk.GoodPassword)
	b := sdk.NewBrowser(t, s.PublicURL, nil)
	b.Get(s.PublicURL + "self-service/login/browser")
	for what, secret := range map[string]string{
		"a header's session token": header, "a password sent": sdk.GoodPassword,
		"a session token received": reg.GetSessionToken(), "a cookie set": b.CSRFToken(),
	} {
		if secret == "" || !s.Watching(secret) {
			t.Errorf("%s (%q) is not looked for in the log", what, secret)
		}
	}
}
