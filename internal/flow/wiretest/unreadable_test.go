package wiretest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/mailtest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestRequestProblemsAreFormMessages: as in the reference, a 400 met while
// checking a submission (a browser's Cookie or Origin on an api flow, a
// body of another type, a body that is not JSON) answers the flow again
// with a form-level 4000001 naming the problem, for every kind: 400 with
// the flow for api flows, 302 back to the UI for browser flows.
func TestRequestProblemsAreFormMessages(t *testing.T) {
	e := start(t)
	token := e.signUp()
	kinds := map[string][]string{
		"login": nil, "registration": nil, "recovery": nil, "verification": nil,
		"settings": {"X-Session-Token", token},
	}
	cases := []struct {
		name, contentType, body string
		headers                 []string
		says                    string
	}{
		{"Cookie header", "application/json", `{"method":"password"}`, []string{"Cookie", "a=b"}, "Cookie"},
		{"Origin header", "application/json", `{"method":"password"}`, []string{"Origin", "https://app.example"}, "Origin"},
		{"text/plain body", "text/plain", `method=password`, nil, "application/json"},
		{"broken JSON", "application/json", `{"method":`, nil, "JSON"},
	}
	for kind, auth := range kinds {
		for _, c := range cases {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				id := sdk_id(t, e.want("init", e.api("GET", "self-service/"+kind+"/api", nil, auth...), http.StatusOK).Body)
				r := sdk.Do(t, "POST", e.Public+"self-service/"+kind+"?flow="+id, c.contentType, []byte(c.body), append(append([]string{}, auth...), c.headers...)...)
				f := sdk.DecodeFlow(t, e.want("submit", r, http.StatusBadRequest).Body)
				if f.ID != id || len(f.UI.Messages) != 1 || f.UI.Messages[0].ID != 4000001 || !strings.Contains(f.UI.Messages[0].Text, c.says) {
					t.Errorf("flow %s with messages %+v, want flow %s with one 4000001 naming %s", f.ID, f.UI.Messages, id, c.says)
				}
			})
		}
	}

	// A browser flow posted with a body of another type goes back to its
	// page, which shows why.
	b := e.browser()
	id := b.init("registration")
	r := b.Do(http.MethodPost, e.Public+"self-service/registration?flow="+id, "text/plain", []byte("method=password"))
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusFound || loc != mailtest.UIBase+"registration?flow="+id {
		t.Fatalf("browser flow with a text/plain body: %d to %q, want 302 to the same flow's page", r.StatusCode, loc)
	}
	f := sdk.DecodeFlow(t, b.fetch("registration", id, http.StatusOK))
	if !f.HasMessage(4000001) {
		t.Errorf("the flow's page shows %v, want 4000001", f.MessageIDs())
	}
}
