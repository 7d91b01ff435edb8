package recovery_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"
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

// TestAdminRecoveryLinkErrors: an unknown identity is 404, a bad
// expires_in 400, in the reference's error envelope.
func TestAdminRecoveryLinkErrors(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	i := e.CreateIdentity("someone@example.com")

	cases := []struct {
		name, id, expiresIn string
		want                int
	}{
		{"unknown identity", "1b4e28ba-2fa1-41d2-883f-0016d3cca427", "", http.StatusNotFound},
		{"not a duration", i.Id, "tomorrow", http.StatusBadRequest},
		{"negative", i.Id, "-1h", http.StatusBadRequest},
		{"zero", i.Id, "0s", http.StatusBadRequest},
		{"beyond any sensible life", i.Id, "100000h", http.StatusBadRequest},
		{"not a uuid", "not-a-uuid", "", http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := client.NewCreateRecoveryLink(c.id)
			if c.expiresIn != "" {
				body.SetExpiresIn(c.expiresIn)
			}
			_, res, err := e.Admin.AdminApi.CreateRecoveryLink(ctx).CreateRecoveryLink(*body).Execute()
			if res == nil {
				t.Fatalf("no answer: %v", err)
			}
			if res.StatusCode != c.want {
				t.Fatalf("status %d, want %d", res.StatusCode, c.want)
			}
			var env struct {
				Error struct {
					Code    int    `json:"code"`
					Status  string `json:"status"`
					Message string `json:"message"`
				} `json:"error"`
			}
			var ge *client.GenericOpenAPIError
			raw := []byte(nil)
			if errors.As(err, &ge) {
				raw = ge.Body()
			}
			if json.Unmarshal(raw, &env) != nil || env.Error.Code != c.want || env.Error.Status != http.StatusText(c.want) || env.Error.Message == "" {
				t.Errorf("body %s, want the error envelope with code %d", raw, c.want)
			}
		})
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
