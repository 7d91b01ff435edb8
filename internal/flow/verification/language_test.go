package verification_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestVerificationMailInTheSubmittersLanguage: a Spanish-speaking client
// gets its verification mail in Spanish.
func TestVerificationMailInTheSubmittersLanguage(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.CreateIdentity("ana@example.com")
	api := sdk.NewClient(e.Public, nil, "Accept-Language", "es-MX, es;q=0.8")
	f, _, err := api.PublicApi.InitializeSelfServiceVerificationForNativeApps(context.Background()).Execute()
	if err != nil {
		t.Fatal(err)
	}
	res, err := api.PublicApi.SubmitSelfServiceVerificationFlow(context.Background()).Flow(f.Id).
		Body(map[string]interface{}{"email": "ana@example.com", "method": "link"}).Execute()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("submit: %v", err)
	}
	m := e.Mail.Next(t, "ana@example.com")
	if m.Subject != "Verifica tu correo electrónico" || !strings.Contains(m.Text, "es tu dirección") {
		t.Errorf("a Spanish client got %q:\n%s", m.Subject, m.Text)
	}
}
