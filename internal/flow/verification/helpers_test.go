// Package verification_test drives address verification as users and
// apps do: the reference's Go SDK, a browser with a cookie jar, the mail
// received by a real SMTP server and the links in it followed.
package verification_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const password = "correct-horse-battery-staple-42"

type env struct {
	*mailtest.Env
	t *testing.T
}

func start(t *testing.T, mutate func(*config.Config)) *env {
	t.Helper()
	return startOn(t, testkit.NewDatabase(t, "sqlite"), mutate)
}

func startOn(t *testing.T, dsn string, mutate func(*config.Config)) *env {
	t.Helper()
	return &env{Env: mailtest.StartEnv(t, dsn, mutate), t: t}
}

// initAPI starts a verification flow for a native app through the SDK.
func (e *env) initAPI() *client.VerificationFlow {
	e.t.Helper()
	f, res, err := e.SDK.PublicApi.InitializeSelfServiceVerificationForNativeApps(context.Background()).Execute()
	if err != nil || res.StatusCode != http.StatusOK {
		e.t.Fatalf("InitializeSelfServiceVerificationForNativeApps: %v", err)
	}
	return f
}

// submitAPI submits an email through the SDK, which posts to
// /self-service/verification/methods/link; it returns the status, the flow
// in the answer and the raw body.
func (e *env) submitAPI(id, email string) (int, *client.VerificationFlow, []byte) {
	e.t.Helper()
	res, err := e.SDK.PublicApi.SubmitSelfServiceVerificationFlow(context.Background()).Flow(id).
		Body(map[string]interface{}{"email": email, "method": "link"}).Execute()
	return sdk.ReadFlow[client.VerificationFlow](e.t, "submit verification", res, err)
}

// flow reads a verification flow through the SDK.
func (e *env) flow(id string) *client.VerificationFlow {
	e.t.Helper()
	f, _, err := e.SDK.PublicApi.GetSelfServiceVerificationFlow(context.Background()).Id(id).Execute()
	if err != nil {
		e.t.Fatalf("GetSelfServiceVerificationFlow(%s): %v", id, err)
	}
	return f
}

// wantVerified checks a link's answer: 302 to the verification return
// URL, and no session.
func (e *env) wantVerified(r sdk.BrowserResponse) {
	e.t.Helper()
	if loc := r.Location(e.t); r.StatusCode != http.StatusFound || loc.String() != mailtest.UIBase+"verified" {
		e.t.Fatalf("verification link: %d to %s, want 302 to %sverified", r.StatusCode, loc, mailtest.UIBase)
	}
	if r.SetCookie("ory_kratos_session") != nil {
		e.t.Fatal("a verification link set a session cookie")
	}
}

// wantRetry checks r sends the browser to a new verification flow carrying
// message id.
func (e *env) wantRetry(r sdk.BrowserResponse, id int64) {
	e.t.Helper()
	loc := r.Location(e.t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"verification?flow=") {
		e.t.Fatalf("answer %d to %s, want 302 to the verification UI", r.StatusCode, loc)
	}
	f := e.flow(loc.Query().Get("flow"))
	if got := mailtest.IDs(f.Ui.Messages); !slices.Equal(got, []int64{id}) || f.Type != "browser" || f.State != "choose_method" {
		e.t.Fatalf("new flow: %s in %s with messages %v, want a browser flow in choose_method with [%d]", f.Type, f.State, got, id)
	}
}

// address is the identity's only verifiable address, read by the admin API.
func (e *env) address(identityID string) client.VerifiableIdentityAddress {
	e.t.Helper()
	va := e.Identity(identityID).VerifiableAddresses
	if len(va) != 1 {
		e.t.Fatalf("identity %s has %d verifiable addresses, want 1", identityID, len(va))
	}
	return va[0]
}

// wantAddress checks the identity's address value and state.
func (e *env) wantAddress(identityID, value string, verified bool, status string) {
	e.t.Helper()
	a := e.address(identityID)
	if a.Value != value || a.Verified != verified || a.Status != status || (a.VerifiedAt != nil) != verified {
		e.t.Fatalf("address %s verified %v status %s verified_at %v; want %s verified %v status %s", a.Value, a.Verified, a.Status, a.VerifiedAt, value, verified, status)
	}
}

// raw sends a JSON request to the public API; headers are name, value
// pairs.
func (e *env) raw(method, path string, body any, headers ...string) (int, map[string]any) {
	e.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	r := e.Browser().Do(method, e.Public+path, "application/json", b, append([]string{"Accept", "application/json"}, headers...)...)
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		e.t.Fatalf("%s %s: %d with a body that is not a JSON object: %s", method, path, r.StatusCode, r.Body)
	}
	return r.StatusCode, out
}

// register signs up through an api flow and returns the identity id and
// the session token.
func (e *env) register(email string) (string, string) {
	e.t.Helper()
	_, f := e.raw(http.MethodGet, "self-service/registration/api", nil)
	status, out := e.raw(http.MethodPost, "self-service/registration?flow="+f["id"].(string),
		map[string]any{"method": "password", "password": password, "traits": map[string]any{"email": email}})
	if status != http.StatusOK {
		e.t.Fatalf("registration of %s: %d %v", email, status, out)
	}
	return out["identity"].(map[string]any)["id"].(string), out["session_token"].(string)
}

// settings submits a settings change through an api flow with a session
// token and returns the status.
func (e *env) settings(token string, body map[string]any) int {
	e.t.Helper()
	status, f := e.raw(http.MethodGet, "self-service/settings/api", nil, "X-Session-Token", token)
	if status != http.StatusOK {
		e.t.Fatalf("init settings: %d %v", status, f)
	}
	status, out := e.raw(http.MethodPost, "self-service/settings?flow="+f["id"].(string), body, "X-Session-Token", token)
	if status != http.StatusOK {
		e.t.Fatalf("settings %v: %d %v", body, status, out)
	}
	return status
}

// queuedTo counts the messages ever queued to an address (sent or not).
func (e *env) queuedTo(addr string) int {
	e.t.Helper()
	ms, err := e.Server.App.Store.Messages(context.Background(), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Recipient == addr {
			n++
		}
	}
	return n
}
