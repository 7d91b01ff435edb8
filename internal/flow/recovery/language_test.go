package recovery_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestRecoveryMailInTheSubmittersLanguage: the mail goes out in the
// language the submitting client asked for (Accept-Language), whether the
// address has an account or not, and in English without a preference.
func TestRecoveryMailInTheSubmittersLanguage(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.CreateIdentity("lena@example.com")
	cases := []struct {
		to, accept, subject, body string
	}{
		{"lena@example.com", "de-DE,de;q=0.9", "Zugang zu Ihrem Konto wiederherstellen", "ein neues Passwort zu wählen"},
		{"nobody@example.com", "fr", "Demande de récupération de compte", "mais aucun compte"},
		{"lena@example.com", "", "Recover access to your account", "choose a new password"},
	}
	for _, c := range cases {
		f := e.initAPI()
		var headers []string
		if c.accept != "" {
			headers = []string{"Accept-Language", c.accept}
		}
		if status, _, raw := e.submitAPI(f.Id, c.to, headers...); status != http.StatusOK {
			t.Fatalf("submit %s: %d %s", c.to, status, raw)
		}
		m := e.Mail.Next(t, c.to)
		if m.Subject != c.subject {
			t.Errorf("Accept-Language %q: subject %q, want %q", c.accept, m.Subject, c.subject)
		}
		if !strings.Contains(m.Text, c.body) || !strings.Contains(m.HTML, c.body) {
			t.Errorf("Accept-Language %q: the body lacks %q:\n%s", c.accept, c.body, m.Text)
		}
	}
}
