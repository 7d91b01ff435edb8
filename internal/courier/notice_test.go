package courier_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/locale"
)

// untranslated matches a catalog key left in a rendered message.
var untranslated = regexp.MustCompile(`\b(mail|method|device)\.[a-z_.]+`)

// TestNoticesInEveryLanguage: each security notice renders in every
// language the catalogs ship, worded in it (no key left as itself, a
// subject of its own), with the facts and the link in both parts.
func TestNoticesInEveryLanguage(t *testing.T) {
	texts, err := locale.Load("")
	if err != nil {
		t.Fatal(err)
	}
	link := "https://id.example/self-service/recovery/browser"
	for _, tt := range []courier.TemplateType{courier.PasswordChanged, courier.SecondFactorAdded, courier.SecondFactorRemoved, courier.NewDevice} {
		en, err := courier.Templates{Texts: texts}.Render(tt, "ada@example.com", courier.Data{Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range texts.Languages() {
			d := courier.Data{Language: l.Tag, Time: "2 Dec 2026, 01:00 UTC", Device: "Firefox on Linux", ClientAddress: "198.51.100.4", Method: "totp", RecoveryURL: link}
			m, err := courier.Templates{Texts: texts}.Render(tt, "ada@example.com", d)
			if err != nil {
				t.Fatalf("%s in %s: %v", tt, l.Tag, err)
			}
			for part, body := range map[string]string{"subject": m.Subject, "text": m.Body, "html": m.BodyHTML} {
				if k := untranslated.FindString(body); k != "" {
					t.Errorf("%s in %s: the %s shows the key %s", tt, l.Tag, part, k)
				}
			}
			for _, want := range []string{"ada@example.com", "Firefox on Linux", "2 Dec 2026, 01:00 UTC", "198.51.100.4", link} {
				if !strings.Contains(m.Body, want) || !strings.Contains(m.BodyHTML, want) {
					t.Errorf("%s in %s lacks %q", tt, l.Tag, want)
				}
			}
			if l.Tag != "en" && m.Subject == en.Subject {
				t.Errorf("%s in %s has the English subject %q", tt, l.Tag, m.Subject)
			}
		}
	}
}
