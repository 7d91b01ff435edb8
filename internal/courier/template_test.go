package courier_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTemplateOverrides: files in courier.template_override_path, in the
// reference's layout, replace the built-in templates one file at a time;
// what is not overridden stays built-in.
func TestTemplateOverrides(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "recovery/valid/email.subject.gotmpl"), "ACME: réinitialiser — {{ .To }}\n")
	writeFile(t, filepath.Join(dir, "recovery/valid/email.body.plaintext.gotmpl"), "ACME plain. Go to {{ .RecoveryURL }} now.\n")
	writeFile(t, filepath.Join(dir, "recovery/valid/email.body.gotmpl"), `<p>ACME html <a href="{{ .RecoveryURL }}">reset</a></p>`)
	writeFile(t, filepath.Join(dir, "recovery/invalid/email.subject.gotmpl"), "ACME: no account for {{ .To }}")

	mail := mailtest.Start(t, mailtest.Options{})
	e := mailtest.NewEnv(t, testkit.Start(t, mailtest.Config(t, testkit.NewDatabase(t, "sqlite"), mail.URI(), func(c *config.Config) {
		c.Courier.TemplateOverridePath = dir
	})), mail)
	e.CreateIdentity("custom@example.com")

	if status, body := requestRecovery(t, e, "custom@example.com"); status != http.StatusOK {
		t.Fatalf("recovery: %d %s", status, body)
	}
	m := mail.Next(t, "custom@example.com")
	link := m.Link(t)
	if m.Subject != "ACME: réinitialiser — custom@example.com" || strings.TrimSpace(m.Text) != "ACME plain. Go to "+link+" now." || !strings.HasPrefix(m.HTML, "<p>ACME html <a href=") {
		t.Errorf("overridden recovery mail: subject %q, text %q, html %q", m.Subject, m.Text, m.HTML)
	}
	if !strings.HasPrefix(link, e.Public+"self-service/recovery?") {
		t.Errorf("link %s in the overridden mail is not a recovery link", link)
	}

	// Only the subject of the notice is overridden.
	if status, body := requestRecovery(t, e, "stranger@example.com"); status != http.StatusOK {
		t.Fatalf("recovery: %d %s", status, body)
	}
	n := mail.Next(t, "stranger@example.com")
	if n.Subject != "ACME: no account for stranger@example.com" {
		t.Errorf("notice subject %q, want the override", n.Subject)
	}
	builtin, err := courier.Templates{}.Render(courier.RecoveryInvalid, "stranger@example.com", courier.Data{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Text != builtin.Body || !strings.Contains(n.HTML, "stranger@example.com") || strings.Contains(n.Text, "ACME") {
		t.Errorf("notice body %q, want the built-in one %q", n.Text, builtin.Body)
	}

	// Verification has no overrides at all.
	f, _, err := e.SDK.PublicApi.InitializeSelfServiceVerificationForNativeApps(context.Background()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	r := e.Browser().Do(http.MethodPost, e.Public+"self-service/verification?flow="+f.Id, "application/json",
		[]byte(`{"method":"link","email":"custom@example.com"}`), "Accept", "application/json")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("verification: %d %s", r.StatusCode, r.Body)
	}
	v := mail.Next(t, "custom@example.com")
	if v.Subject != "Please verify your email address" || strings.Contains(v.Text, "ACME") || !strings.Contains(v.Link(t), "/self-service/verification?") {
		t.Errorf("verification mail %q: %q, want the built-in template", v.Subject, v.Text)
	}
}

// TestTemplateRender: the built-in templates put the link in both parts,
// escaped for HTML only; a broken override is an error naming its file.
func TestTemplateRender(t *testing.T) {
	link := "https://id.example/self-service/recovery?flow=f&token=t"
	m, err := courier.Templates{}.Render(courier.RecoveryValid, "ada@example.com", courier.Data{RecoveryURL: link})
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != courier.StatusQueued || m.Recipient != "ada@example.com" || m.TemplateType != courier.RecoveryValid || m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("message %+v", m)
	}
	if !strings.Contains(m.Body, link) || !strings.Contains(m.BodyHTML, `href="https://id.example/self-service/recovery?flow=f&amp;token=t"`) {
		t.Errorf("link missing or unescaped:\n%s\n%s", m.Body, m.BodyHTML)
	}
	v, err := courier.Templates{}.Render(courier.VerificationValid, "ada@example.com", courier.Data{VerificationURL: link})
	if err != nil || !strings.Contains(v.Body, link) {
		t.Errorf("verification body %q, %v", v.Body, err)
	}

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "verification/valid/email.body.plaintext.gotmpl"), "{{ .VerificationURL ")
	_, err = courier.Templates{OverrideDir: dir}.Render(courier.VerificationValid, "ada@example.com", courier.Data{VerificationURL: link})
	if err == nil || !strings.Contains(err.Error(), "email.body.plaintext.gotmpl") {
		t.Errorf("broken override: %v, want an error naming the file", err)
	}
}
