// Package recovery_test drives account recovery as users and apps do:
// through the reference's Go SDK and a browser with a cookie jar, against
// the real router, with the mail received by a real SMTP server and the
// links in it followed.
package recovery_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const newPassword = "a-brand-new-passphrase-77"

// timestamps matches RFC 3339 times in JSON, to compare answers without them.
var timestamps = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[^"]*"`)

type env struct {
	*mailtest.Env
	t *testing.T
}

func start(t *testing.T, mutate func(*config.Config)) *env {
	t.Helper()
	return startOn(t, testkit.NewDatabase(t, "sqlite"), mutate)
}

// startOn runs Latchkey on dsn with recovery on and verification off, so
// every mail a test waits for is recovery mail (the verification tests run
// both together).
func startOn(t *testing.T, dsn string, mutate func(*config.Config)) *env {
	t.Helper()
	return &env{Env: mailtest.StartEnv(t, dsn, func(c *config.Config) {
		c.SelfService.Flows.Verification.Enabled = false
		if mutate != nil {
			mutate(c)
		}
	}), t: t}
}

// initAPI starts a recovery flow for a native app through the SDK.
func (e *env) initAPI() *client.RecoveryFlow {
	e.t.Helper()
	f, res, err := e.SDK.PublicApi.InitializeSelfServiceRecoveryForNativeApps(context.Background()).Execute()
	if err != nil || res.StatusCode != http.StatusOK {
		e.t.Fatalf("InitializeSelfServiceRecoveryForNativeApps: %v", err)
	}
	return f
}

// submitAPI submits an email to an api flow through the SDK (which posts
// to /self-service/recovery/methods/link) and returns the status and the
// flow in the answer.
func (e *env) submitAPI(id, email string, headers ...string) (int, *client.RecoveryFlow, []byte) {
	e.t.Helper()
	api := e.SDK
	if len(headers) > 0 {
		api = sdk.NewClient(e.Public, nil, headers...)
	}
	body := client.SubmitSelfServiceRecoveryFlowWithLinkMethod{Email: &email}
	res, err := api.PublicApi.SubmitSelfServiceRecoveryFlowWithLinkMethod(context.Background()).Flow(id).
		SubmitSelfServiceRecoveryFlowWithLinkMethod(body).Execute()
	return sdk.ReadFlow[client.RecoveryFlow](e.t, "submit recovery", res, err)
}

// flow reads a recovery flow through the SDK, as the app's page would.
func (e *env) flow(id string) *client.RecoveryFlow {
	e.t.Helper()
	f, _, err := e.SDK.PublicApi.GetSelfServiceRecoveryFlow(context.Background()).Id(id).Execute()
	if err != nil {
		e.t.Fatalf("GetSelfServiceRecoveryFlow(%s): %v", id, err)
	}
	return f
}

// initBrowser starts a browser flow and returns its id and CSRF token.
func (e *env) initBrowser(b *sdk.Browser) (string, string) {
	e.t.Helper()
	r := b.Get(e.Public + "self-service/recovery/browser")
	loc := r.Location(e.t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"recovery?flow=") {
		e.t.Fatalf("start browser recovery: %d to %s, want 302 to the recovery UI", r.StatusCode, loc)
	}
	id := loc.Query().Get("flow")
	tok := mailtest.NodeValue(e.flow(id).Ui.Nodes, "csrf_token")
	if tok == "" || tok != b.CSRFToken() {
		e.t.Fatalf("csrf_token node %q does not match the browser's CSRF cookie", tok)
	}
	return id, tok
}

// wantRetry checks r sends the browser to a new recovery flow carrying
// message id, and returns that flow.
func (e *env) wantRetry(r sdk.BrowserResponse, id int64) *client.RecoveryFlow {
	e.t.Helper()
	loc := r.Location(e.t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"recovery?flow=") {
		e.t.Fatalf("answer %d to %s, want 302 to the recovery UI", r.StatusCode, loc)
	}
	if r.SetCookie("ory_kratos_session") != nil {
		e.t.Fatal("a failed recovery link set a session cookie")
	}
	f := e.flow(loc.Query().Get("flow"))
	if got := mailtest.IDs(f.Ui.Messages); !slices.Equal(got, []int64{id}) {
		e.t.Fatalf("new flow messages %v, want [%d]", got, id)
	}
	if f.GetType() != "browser" || f.State != "choose_method" {
		e.t.Fatalf("new flow is %s in state %s, want a browser flow in choose_method", f.GetType(), f.State)
	}
	return f
}

// wantRecovered checks r signs the browser in as identityID and opens
// settings with 1060001; it returns the settings flow id.
func (e *env) wantRecovered(b *sdk.Browser, r sdk.BrowserResponse, identityID string) string {
	e.t.Helper()
	loc := r.Location(e.t)
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), mailtest.UIBase+"settings?flow=") {
		e.t.Fatalf("recovery link: %d to %s, want 302 to the settings UI", r.StatusCode, loc)
	}
	c := r.SetCookie("ory_kratos_session")
	if c == nil || c.Value == "" || !c.HttpOnly {
		e.t.Fatalf("recovery link set no HttpOnly session cookie: %+v", c)
	}
	if code, id := b.Whoami(); code != http.StatusOK || id != identityID {
		e.t.Fatalf("whoami after the link = %d %s, want identity %s", code, id, identityID)
	}
	id := loc.Query().Get("flow")
	sf, _, err := b.SDK.PublicApi.GetSelfServiceSettingsFlow(context.Background()).Id(id).Execute()
	if err != nil {
		e.t.Fatalf("GetSelfServiceSettingsFlow(%s): %v", id, err)
	}
	if sf.Identity.Id != identityID || !slices.Contains(mailtest.IDs(sf.Ui.Messages), 1060001) {
		e.t.Fatalf("settings flow of %s with messages %v, want %s's with 1060001", sf.Identity.Id, mailtest.IDs(sf.Ui.Messages), identityID)
	}
	return id
}

// setPassword chooses a password in a browser settings flow.
func (e *env) setPassword(b *sdk.Browser, flowID, pw string) {
	e.t.Helper()
	sf, _, err := b.SDK.PublicApi.GetSelfServiceSettingsFlow(context.Background()).Id(flowID).Execute()
	if err != nil {
		e.t.Fatalf("GetSelfServiceSettingsFlow(%s): %v", flowID, err)
	}
	r := b.PostForm(e.Public+"self-service/settings?flow="+flowID, url.Values{
		"csrf_token": {mailtest.NodeValue(sf.Ui.Nodes, "csrf_token")}, "method": {"password"}, "password": {pw},
	})
	if r.StatusCode != http.StatusFound || r.Location(e.t).String() != mailtest.UIBase+"settings?flow="+flowID {
		e.t.Fatalf("set password: %d to %q, want 302 back to the settings flow; body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
}

// login signs in through an api login flow and returns the status.
func (e *env) login(identifier, pw string) int {
	e.t.Helper()
	ctx := context.Background()
	lf, _, err := e.SDK.PublicApi.InitializeSelfServiceLoginForNativeApps(ctx).Execute()
	if err != nil {
		e.t.Fatalf("InitializeSelfServiceLoginForNativeApps: %v", err)
	}
	body := client.NewSubmitSelfServiceLoginFlowWithPasswordMethod()
	body.SetMethod("password")
	body.SetPasswordIdentifier(identifier)
	body.SetPassword(pw)
	_, res, err := e.SDK.PublicApi.SubmitSelfServiceLoginFlow(ctx).Flow(lf.Id).
		SubmitSelfServiceLoginFlow(client.SubmitSelfServiceLoginFlowWithPasswordMethodAsSubmitSelfServiceLoginFlow(body)).Execute()
	if res == nil {
		e.t.Fatalf("login: %v", err)
	}
	return res.StatusCode
}
