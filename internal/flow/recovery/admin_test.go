package recovery_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestAdminRecoveryLink: POST /recovery/link through the SDK makes a link
// for an identity made by the admin API, which has no password; following
// it signs the user in and opens settings, where they choose a password
// and can then sign in with it. No mail is sent for it.
func TestAdminRecoveryLink(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	i := e.CreateIdentity("admin-made@example.com")
	if code := e.login("admin-made@example.com", newPassword); code == http.StatusOK {
		t.Fatal("an identity without a password signed in")
	}

	before := time.Now()
	body := client.NewCreateRecoveryLink(i.Id)
	body.SetExpiresIn("2h")
	rl, res, err := e.Admin.AdminApi.CreateRecoveryLink(ctx).CreateRecoveryLink(*body).Execute()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("CreateRecoveryLink: %v", err)
	}
	if !strings.HasPrefix(rl.RecoveryLink, e.Public+"self-service/recovery?") {
		t.Errorf("recovery_link %q, want a link on the public base URL", rl.RecoveryLink)
	}
	if rl.ExpiresAt == nil || rl.ExpiresAt.Before(before.Add(2*time.Hour-time.Minute)) || rl.ExpiresAt.After(time.Now().Add(2*time.Hour+time.Minute)) {
		t.Errorf("expires_at %v, want about two hours from now", rl.ExpiresAt)
	}

	// The link's flow is a browser flow that lives exactly expires_in.
	u, err := url.Parse(rl.RecoveryLink)
	if err != nil || len(u.Query()) != 2 || u.Query().Get("token") == "" {
		t.Fatalf("recovery_link %q, want ?flow=<id>&token=<token>", rl.RecoveryLink)
	}
	lf := e.flow(u.Query().Get("flow"))
	if lf.GetType() != "browser" || lf.ExpiresAt.Sub(lf.IssuedAt) != 2*time.Hour || !lf.ExpiresAt.Equal(*rl.ExpiresAt) {
		t.Errorf("link flow %s issued %v expires %v (link says %v), want a browser flow living 2h", lf.GetType(), lf.IssuedAt, lf.ExpiresAt, rl.ExpiresAt)
	}

	b := e.Browser()
	settingsID := e.wantRecovered(b, b.Get(rl.RecoveryLink), i.Id)
	e.setPassword(b, settingsID, newPassword)
	if code := e.login("admin-made@example.com", newPassword); code != http.StatusOK {
		t.Fatalf("login with the password set after the admin link: %d, want 200", code)
	}
	e.wantRetry(e.Browser().Get(rl.RecoveryLink), 4060004)
	if n := len(e.Mail.Messages()); n != 0 {
		t.Errorf("%d mails sent for an admin recovery link, want none", n)
	}

	// Without expires_in, the link lives as long as a recovery flow.
	rl, _, err = e.Admin.AdminApi.CreateRecoveryLink(ctx).CreateRecoveryLink(*client.NewCreateRecoveryLink(i.Id)).Execute()
	if err != nil || rl.ExpiresAt == nil || rl.ExpiresAt.After(time.Now().Add(time.Hour+time.Minute)) || rl.ExpiresAt.Before(time.Now()) {
		t.Fatalf("default expiry: %v %v, want within the 1h recovery lifespan", err, rl)
	}
}

// noRecoverySchema has a password identifier but no recovery address.
const noRecoverySchema = `{"type":"object","properties":{"traits":{"type":"object","properties":{
  "username":{"type":"string","ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}}}}}}`

// TestAdminRecoveryLinkErrors: each refusal of POST /recovery/link has the
// reference's status and wording, and expires_in is checked before the
// identity is looked up (a bad one with an unknown id is still a 400).
func TestAdminRecoveryLinkErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "username.schema.json")
	if err := os.WriteFile(p, []byte(noRecoverySchema), 0o600); err != nil {
		t.Fatal(err)
	}
	e := start(t, func(c *config.Config) {
		c.Identity.Schemas = append(c.Identity.Schemas, config.SchemaRef{ID: "username", URL: "file://" + p})
	})
	i := e.CreateIdentity("someone@example.com")
	r := sdk.Do(t, "POST", e.Server.AdminURL+"identities", "application/json", []byte(`{"schema_id":"username","traits":{"username":"no-mail"}}`))
	if r.Status != http.StatusCreated {
		t.Fatalf("create an identity without a recovery address: %d %s", r.Status, r.Body)
	}
	noAddress := sdk.DecodeObject(t, r.Body)["id"].(string)
	const unknown = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"

	cases := []struct {
		name, contentType, body string
		want                    int
		reason, message         string
	}{
		{"not JSON", "text/plain", `{"identity_id":"` + i.Id + `"}`, 400, "", ""},
		{"form", "application/x-www-form-urlencoded", "identity_id=" + i.Id, 400, "", ""},
		{"empty body", "application/json", "", 400, "", ""},
		{"broken JSON", "application/json", `{"identity_id":`, 400, "", ""},
		{"not a uuid", "application/json", `{"identity_id":"not-a-uuid"}`, 400, "Unable to decode JSON payload: uuid: incorrect UUID length: not-a-uuid", ""},
		{"no identity_id", "application/json", `{}`, 404, "", "Unable to locate the resource"},
		{"nil uuid", "application/json", `{"identity_id":"00000000-0000-0000-0000-000000000000"}`, 404, "", "Unable to locate the resource"},
		{"unknown identity", "application/json", `{"identity_id":"` + unknown + `"}`, 404, "", "Unable to locate the resource"},
		{"not a duration", "application/json", `{"identity_id":"` + unknown + `","expires_in":"tomorrow"}`, 400, "", ""},
		{"negative", "application/json", `{"identity_id":"` + unknown + `","expires_in":"-1h"}`, 400, "", ""},
		{"zero", "application/json", `{"identity_id":"` + i.Id + `","expires_in":"0s"}`, 400, "", ""},
		{"beyond any sensible life", "application/json", `{"identity_id":"` + i.Id + `","expires_in":"100000h"}`, 400, "", ""},
		{"no recovery address", "application/json", `{"identity_id":"` + noAddress + `"}`, 400, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			got := sdk.WantError(t, sdk.Do(t, "POST", e.Server.AdminURL+"recovery/link", c.contentType, body), c.want)
			if c.reason != "" && got["reason"] != c.reason {
				t.Errorf("reason %q, want %q", got["reason"], c.reason)
			}
			if c.message != "" && (got["message"] != c.message || got["reason"] != nil) {
				t.Errorf("message %q reason %v, want message %q and no reason", got["message"], got["reason"], c.message)
			}
		})
	}
	if n := len(e.Mail.Messages()); n != 0 {
		t.Errorf("%d mails sent, want none", n)
	}
}

// TestAdminRecoveryLinkExpired: a link made with a tiny expires_in no
// longer works once it has passed: 4060005, no session.
func TestAdminRecoveryLinkExpired(t *testing.T) {
	e := start(t, nil)
	i := e.CreateIdentity("brief@example.com")
	body := client.NewCreateRecoveryLink(i.Id)
	body.SetExpiresIn("1ms")
	rl, _, err := e.Admin.AdminApi.CreateRecoveryLink(context.Background()).CreateRecoveryLink(*body).Execute()
	if err != nil {
		t.Fatalf("CreateRecoveryLink: %v", err)
	}
	e.Server.Clock.Advance(time.Until(*rl.ExpiresAt) + time.Second)
	b := e.Browser()
	e.wantRetry(b.Get(rl.RecoveryLink), 4060005)
	if code, _ := b.Whoami(); code != http.StatusUnauthorized {
		t.Fatalf("an expired admin link signed the browser in: whoami %d", code)
	}
}
