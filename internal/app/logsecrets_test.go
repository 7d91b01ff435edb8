package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestLogsHoldNoSecrets runs a user's journey (sign-up, sign-in by app and
// by browser, whoami, a password change, a wrong password, recovery by
// mailed link) with the most verbose log, and then looks for every secret
// the journey used in every line the server wrote: passwords, session
// tokens, cookies, anti-CSRF and recovery tokens, and the user's traits.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	const (
		email    = "grace.hopper.7@example.org"
		first    = "first-Secret-passphrase-41"
		second   = "second-Secret-passphrase-42"
		wrong    = "wrong-Secret-passphrase-43"
		nickname = "Amazing-Grace-Trait"
	)
	logs := &logBuffer{}
	mail := mailtest.Start(t, mailtest.Options{})
	cfg := mailtest.Config(t, testkit.NewDatabase(t, "sqlite"), mail.URI(), func(c *config.Config) {
		c.Log.Level, c.Log.Format = "trace", "json"
		c.SelfService.Flows.Verification.Enabled = false
	})
	s := testkit.StartWith(t, cfg, testkit.Options{Log: logs})
	e := mailtest.NewEnv(t, s, mail)
	ctx := context.Background()
	secrets := []string{first, second, wrong, email, nickname}

	// Sign-up and sign-in by a native app: session tokens.
	pub := sdk.Public(s)
	rf, res, err := pub.PublicApi.InitializeSelfServiceRegistrationForNativeApps(ctx).Execute()
	sdk.Want(t, "init registration", res, err, http.StatusOK)
	reg, res, err := pub.PublicApi.SubmitSelfServiceRegistrationFlow(ctx).Flow(rf.Id).
		SubmitSelfServiceRegistrationFlow(sdk.RegistrationBody(first, sdk.Traits(email, nickname))).Execute()
	sdk.Want(t, "register", res, err, http.StatusOK)
	secrets = append(secrets, reg.GetSessionToken())
	login := sdk.Login(t, s, email, first)
	secrets = append(secrets, login.SessionToken)
	if code := sdk.WhoamiStatus(t, s, login.SessionToken); code != http.StatusOK {
		t.Fatalf("whoami with the login's token: %d", code)
	}
	if _, res, _ := sdk.TryLogin(t, s, email, wrong); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("login with a wrong password: %d, want 400", res.StatusCode)
	}

	// A password change by the app.
	app := sdk.Public(s, "X-Session-Token", login.SessionToken)
	sf, res, err := app.PublicApi.InitializeSelfServiceSettingsForNativeApps(ctx).XSessionToken(login.SessionToken).Execute()
	sdk.Want(t, "init settings", res, err, http.StatusOK)
	_, res, err = app.PublicApi.SubmitSelfServiceSettingsFlow(ctx).Flow(sf.Id).XSessionToken(login.SessionToken).
		SubmitSelfServiceSettingsFlow(sdk.PasswordBody(second)).Execute()
	sdk.Want(t, "change password", res, err, http.StatusOK)

	// Sign-in by a browser: the session and anti-CSRF cookies.
	b := e.Browser()
	r := b.Get(s.PublicURL + "self-service/login/browser")
	flowID := r.Location(t).Query().Get("flow")
	csrf := b.CSRFToken()
	r = b.PostForm(s.PublicURL+"self-service/login?flow="+flowID, url.Values{"method": {"password"}, "csrf_token": {csrf},
		"password_identifier": {email}, "password": {second}})
	if r.StatusCode != http.StatusFound || b.Cookie("ory_kratos_session") == "" {
		t.Fatalf("browser login: %d, session cookie %q; body %s", r.StatusCode, b.Cookie("ory_kratos_session"), r.Body)
	}
	if code, _ := b.Whoami(); code != http.StatusOK {
		t.Fatalf("whoami with the browser's cookie: %d", code)
	}
	secrets = append(secrets, csrf, b.CSRFToken(), b.Cookie("ory_kratos_session"))

	// Recovery: the mailed link's token signs a second browser in.
	res, err = sdk.Public(s).PublicApi.SubmitSelfServiceRecoveryFlowWithLinkMethod(ctx).Flow(recoveryFlow(t, s)).
		SubmitSelfServiceRecoveryFlowWithLinkMethod(recoveryBody(email)).Execute()
	sdk.Want(t, "ask for a recovery link", res, err, http.StatusOK)
	link := e.MailedLink(mail.Next(t, email), "self-service/recovery/methods/link")
	u, _ := url.Parse(link)
	secrets = append(secrets, u.Query().Get("token"), u.RawQuery)
	other := e.Browser()
	if r := other.Get(link); r.StatusCode != http.StatusFound || other.Cookie("ory_kratos_session") == "" {
		t.Fatalf("recovery link: %d, no session cookie; body %s", r.StatusCode, r.Body)
	}
	secrets = append(secrets, other.Cookie("ory_kratos_session"))

	all := logs.String()
	if len(logs.requests(t)) < 15 {
		t.Fatalf("the journey left only %d request lines:\n%s", len(logs.requests(t)), all)
	}
	for _, secret := range secrets {
		if secret == "" {
			t.Fatal("the journey lost track of a secret")
		}
		if strings.Contains(all, secret) {
			t.Errorf("the log contains a secret (%.12s…):\n%s", secret, all)
		}
	}
}

func recoveryFlow(t *testing.T, s *testkit.Server) string {
	t.Helper()
	f, res, err := sdk.Public(s).PublicApi.InitializeSelfServiceRecoveryForNativeApps(context.Background()).Execute()
	sdk.Want(t, "init recovery", res, err, http.StatusOK)
	return f.Id
}

func recoveryBody(email string) client.SubmitSelfServiceRecoveryFlowWithLinkMethod {
	return client.SubmitSelfServiceRecoveryFlowWithLinkMethod{Email: &email}
}
