package notify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"

// start runs Latchkey with every notice on (or none), mail to an
// in-process SMTP server, and verification off so the only mail is
// notices.
func start(t *testing.T, on bool) *mailtest.Env {
	t.Helper()
	return mailtest.StartEnv(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.Flows.Verification.Enabled = false
		c.Serve.Public.TrustedProxies = []string{"127.0.0.1"}
		c.Notifications = config.Notifications{PasswordChanged: on, SecondFactor: on, NewDevice: on}
	})
}

// queued counts the notices of a kind in the mail queue: they are queued
// while the request is answered, so a notice not sent is seen at once.
func queued(t *testing.T, e *mailtest.Env, tt courier.TemplateType) int {
	t.Helper()
	msgs, err := e.Server.App.Store.Messages(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.TemplateType == tt {
			n++
		}
	}
	return n
}

// signIn signs in through an api login flow from a client address with a
// user agent.
func signIn(t *testing.T, e *mailtest.Env, email, addr, agent string) {
	t.Helper()
	f := sdk.Init(t, e.Server, "login")
	r := sdk.Submit(t, e.Server, "login", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": email, "password": sdk.GoodPassword}),
		"X-Forwarded-For", addr, "User-Agent", agent)
	if r.Status != http.StatusOK {
		t.Fatalf("sign in: %d %s", r.Status, r.Body)
	}
}

// TestPasswordChangedNotice: a password change mails the account's address
// in the language of the request that made it, saying from which device
// and address, with a link to recover the account.
func TestPasswordChangedNotice(t *testing.T) {
	e := start(t, true)
	reg := sdk.Register(t, e.Server, "ada@example.com", sdk.GoodPassword)
	f := sdk.Init(t, e.Server, "settings", "X-Session-Token", reg.SessionToken)
	r := sdk.Submit(t, e.Server, "settings", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password": "a-brand-new-passphrase-77"}),
		"X-Session-Token", reg.SessionToken, "Accept-Language", "de", "User-Agent", firefox, "X-Forwarded-For", "198.51.100.4")
	if r.Status != http.StatusOK {
		t.Fatalf("change password: %d %s", r.Status, r.Body)
	}
	m := e.Mail.Next(t, "ada@example.com")
	if m.Subject != "Ihr Passwort wurde geändert" {
		t.Errorf("subject %q, want the German notice", m.Subject)
	}
	for _, want := range []string{"Firefox unter Windows", "198.51.100.4", e.Public + "self-service/recovery/browser"} {
		if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
			t.Errorf("the notice lacks %q:\n%s", want, m.Text)
		}
	}
	// A profile change is no password change.
	f = sdk.Init(t, e.Server, "settings", "X-Session-Token", reg.SessionToken)
	sdk.Submit(t, e.Server, "settings", f.ID, "application/json",
		sdk.Marshal(t, map[string]any{"method": "profile", "traits": map[string]any{"email": "ada@example.com", "name": "Ada"}}), "X-Session-Token", reg.SessionToken)
	if n := queued(t, e, courier.PasswordChanged); n != 1 {
		t.Errorf("%d password notices queued, want only the password change's", n)
	}
}

// TestNewDeviceNotice: a sign-in from the browser and address the account
// signed up from sends nothing; one from another browser does, naming it;
// an account's first sign-in ever sends nothing either.
func TestNewDeviceNotice(t *testing.T) {
	e := start(t, true)
	sdk.Register(t, e.Server, "grace@example.com", sdk.GoodPassword)
	// sdk.Register signed up with the SDK's own user agent from 127.0.0.1.
	signIn(t, e, "grace@example.com", "", "OpenAPI-Generator/1.0.0/go")
	if n := queued(t, e, courier.NewDevice); n != 0 {
		t.Fatalf("a sign-in from the sign-up's device queued %d notices", n)
	}
	signIn(t, e, "grace@example.com", "203.0.113.9", firefox)
	m := e.Mail.Next(t, "grace@example.com")
	if m.Subject != "New sign-in to your account" || !strings.Contains(m.Text, "Firefox on Windows") || !strings.Contains(m.Text, "203.0.113.9") {
		t.Errorf("new-device notice %q:\n%s", m.Subject, m.Text)
	}
	signIn(t, e, "grace@example.com", "203.0.113.9", firefox)
	if n := queued(t, e, courier.NewDevice); n != 1 {
		t.Errorf("the same device signing in again: %d notices in all, want 1", n)
	}

	// An identity created by an admin has no earlier session.
	i := e.CreateIdentity("linus@example.com")
	body := sdk.Marshal(t, map[string]any{"credentials": map[string]any{"password": map[string]any{"config": map[string]string{"password": sdk.GoodPassword}}},
		"traits": map[string]any{"email": "linus@example.com"}, "schema_id": "default"})
	if r := sdk.Do(t, http.MethodPut, e.Server.AdminURL+"identities/"+i.Id, "application/json", body); r.Status != http.StatusOK {
		t.Fatalf("set linus's password: %d %s", r.Status, r.Body)
	}
	signIn(t, e, "linus@example.com", "192.0.2.1", firefox)
	for _, m := range mustMessages(t, e) {
		if m.Recipient == "linus@example.com" {
			t.Errorf("a first sign-in ever queued %q", m.Subject)
		}
	}
}

func mustMessages(t *testing.T, e *mailtest.Env) []courier.Message {
	t.Helper()
	msgs, err := e.Server.App.Store.Messages(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// TestSecondFactorNotice: SecondFactorChanged, which the second-factor
// strategies call, mails "added" and "removed" notices naming the factor.
func TestSecondFactorNotice(t *testing.T) {
	e := start(t, true)
	i := e.CreateIdentity("hedy@example.com")
	id := uuid.MustParse(i.Id)
	r := httptest.NewRequest(http.MethodPost, e.Public+"self-service/settings", nil)
	r.Header.Set("Accept-Language", "fr")
	e.Server.App.Notify.SecondFactorChanged(r, id, "totp", true)
	if m := e.Mail.Next(t, "hedy@example.com"); m.Subject != "Un second facteur a été ajouté à votre compte" || !strings.Contains(m.Text, "application d'authentification") {
		t.Errorf("added notice %q:\n%s", m.Subject, m.Text)
	}
	e.Server.App.Notify.SecondFactorChanged(r, id, "webauthn", false)
	if m := e.Mail.Next(t, "hedy@example.com"); m.Subject != "Un second facteur a été retiré de votre compte" || !strings.Contains(m.Text, "clé de sécurité") {
		t.Errorf("removed notice %q:\n%s", m.Subject, m.Text)
	}
}

// TestNoticesOffByDefault: without notifications.*, a password change and
// a sign-in from a new device queue nothing, and SecondFactorChanged is
// safe to call.
func TestNoticesOffByDefault(t *testing.T) {
	e := start(t, false)
	reg := sdk.Register(t, e.Server, "off@example.com", sdk.GoodPassword)
	f := sdk.Init(t, e.Server, "settings", "X-Session-Token", reg.SessionToken)
	sdk.Submit(t, e.Server, "settings", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password": "a-brand-new-passphrase-77"}), "X-Session-Token", reg.SessionToken)
	f = sdk.Init(t, e.Server, "login")
	sdk.Submit(t, e.Server, "login", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": "off@example.com", "password": "a-brand-new-passphrase-77"}), "User-Agent", firefox)
	e.Server.App.Notify.SecondFactorChanged(httptest.NewRequest(http.MethodPost, "/", nil), uuid.MustParse(reg.Identity.Id), "totp", true)
	if msgs := mustMessages(t, e); len(msgs) != 0 {
		b, _ := json.Marshal(msgs)
		t.Errorf("notices off, yet mail was queued: %s", b)
	}
}

// TestNoticeOverridesAndFailures: a notice template in
// courier.template_override_path replaces the built-in one; with recovery
// off the notice links to settings; and a notice that cannot be rendered
// is only logged: the password change it reports still succeeds.
func TestNoticeOverridesAndFailures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, "notice", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("new_device/email.subject.gotmpl", "Custom: new sign-in")
	write("new_device/email.body.plaintext.gotmpl", "{{ .Device }} at {{ .ClientAddress }}; secure it: {{ .SettingsURL }} {{ .RecoveryURL }}")
	write("password_changed/email.body.plaintext.gotmpl", "{{ .Broken ")
	e := mailtest.StartEnv(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.SelfService.Flows.Verification.Enabled = false
		c.SelfService.Flows.Recovery.Enabled = false
		c.Courier.TemplateOverridePath = dir
		c.Notifications = config.Notifications{PasswordChanged: true, NewDevice: true}
	})
	reg := sdk.Register(t, e.Server, "joan@example.com", sdk.GoodPassword)
	f := sdk.Init(t, e.Server, "settings", "X-Session-Token", reg.SessionToken)
	r := sdk.Submit(t, e.Server, "settings", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password": "a-brand-new-passphrase-77"}), "X-Session-Token", reg.SessionToken)
	if r.Status != http.StatusOK {
		t.Fatalf("a password change whose notice cannot be rendered: %d %s, want it saved", r.Status, r.Body)
	}
	if n := queued(t, e, courier.PasswordChanged); n != 0 {
		t.Errorf("%d broken notices queued", n)
	}
	f = sdk.Init(t, e.Server, "login")
	r = sdk.Submit(t, e.Server, "login", f.ID, "application/json",
		sdk.Marshal(t, map[string]string{"method": "password", "password_identifier": "joan@example.com", "password": "a-brand-new-passphrase-77"}), "User-Agent", firefox)
	if r.Status != http.StatusOK {
		t.Fatalf("sign in: %d %s", r.Status, r.Body)
	}
	m := e.Mail.Next(t, "joan@example.com")
	want := "Firefox on Windows at 127.0.0.1; secure it: " + e.Public + "self-service/settings/browser "
	if m.Subject != "Custom: new sign-in" || strings.TrimSpace(m.Text) != strings.TrimSpace(want) {
		t.Errorf("overridden notice %q: %q, want %q", m.Subject, m.Text, want)
	}
}
