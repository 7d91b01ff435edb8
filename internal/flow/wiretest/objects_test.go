package wiretest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSessionAndIdentity records whoami's session, the admin API's
// identity and identity list, and an admin recovery link.
func TestSessionAndIdentity(t *testing.T) {
	e := start(t)
	token := e.signUp()

	r := e.want("whoami", e.api("GET", "sessions/whoami", nil, "X-Session-Token", token), http.StatusOK)
	check[client.Session](e, "session", r.Body)
	var s struct {
		Identity struct {
			ID string `json:"id"`
		} `json:"identity"`
	}
	if err := json.Unmarshal(r.Body, &s); err != nil {
		t.Fatal(err)
	}
	r = e.want("identity", e.admin("GET", "identities/"+s.Identity.ID), http.StatusOK)
	check[client.Identity](e, "identity", r.Body)
	r = e.want("identities", e.admin("GET", "identities"), http.StatusOK)
	check[[]client.Identity](e, "identities", r.Body)
	r = e.want("recovery link", sdk.Do(t, "POST", e.Server.AdminURL+"recovery/link", "application/json",
		[]byte(`{"identity_id":"`+s.Identity.ID+`","expires_in":"2h"}`)), http.StatusOK)
	check[client.RecoveryLink](e, "recovery-link", r.Body)
}

// TestErrors records the error envelope of the answers an app meets most
// (no session, unknown and malformed flow ids, a session where none may
// be) and the self-service error containers a browser is sent to.
func TestErrors(t *testing.T) {
	e := start(t)
	token := e.signUp()

	cases := []struct {
		name, path string
		status     int
		headers    []string
	}{
		{"no-session", "sessions/whoami", http.StatusUnauthorized, nil},
		{"flow-id-malformed", "self-service/login?flow=not-a-uuid", http.StatusBadRequest, nil},
		{"flow-unknown-login", "self-service/login?flow=1b4e28ba-2fa1-41d2-883f-0016d3cca427", http.StatusNotFound, nil},
		{"flow-unknown-recovery", "self-service/recovery?flow=1b4e28ba-2fa1-41d2-883f-0016d3cca427", http.StatusNotFound, nil},
		{"signed-in", "self-service/registration/api", http.StatusBadRequest, []string{"X-Session-Token", token}},
		{"settings-no-session", "self-service/settings/api", http.StatusForbidden, nil},
	}
	for _, c := range cases {
		method := "POST"
		if c.name == "no-session" || c.name == "signed-in" || c.name == "settings-no-session" {
			method = "GET"
		}
		var body any
		if method == "POST" {
			body = loginBody
		}
		r := e.want(c.name, e.api(method, c.path, body, c.headers...), c.status)
		check[client.JsonError](e, "errors/"+c.name, r.Body)
	}

	r := e.want("stub", e.api("GET", "self-service/errors?error=stub:500", nil), http.StatusOK)
	check[client.ErrorContainer](e, "errors/container-stub", r.Body)

	// A form without its anti-CSRF token: the browser is sent to the
	// error page, whose container the app reads.
	b := e.browser()
	id := b.init("login")
	res := b.PostForm(e.Public+"self-service/login?flow="+id, url.Values{"method": {"password"}, "password_identifier": {email}, "password": {password}})
	loc := res.Location(t)
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"error?error=") {
		t.Fatalf("form without CSRF token: %d to %s, want 302 to the error UI", res.StatusCode, loc)
	}
	r = e.want("csrf error", e.api("GET", "self-service/errors?error="+loc.Query().Get("error"), nil), http.StatusOK)
	check[client.ErrorContainer](e, "errors/container-csrf", r.Body)
}
