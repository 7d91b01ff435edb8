package browsertest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSubmitFlowIDs: on every submit endpoint a missing or malformed flow
// id is 400 and a well-formed unknown one 404, worded per kind as the
// reference words them; JSON clients get the error, browsers the error
// page. (An expired flow is a 302 to a new one: see expiry_test.go.)
func TestSubmitFlowIDs(t *testing.T) {
	e := start(t, func(c *config.Config, _ string) {
		c.SelfService.Flows.Recovery.Enabled = true
		c.SelfService.Flows.Verification.Enabled = true
	})
	signedIn := e.browser()
	signedIn.register("ids@example.com") // settings looks at the session first
	const malformed = "The flow query parameter is missing or malformed."
	unknown := "2f1c4a4e-2d39-4bd5-b2a8-6d2f0d5e2b90"
	for _, kind := range []string{"login", "registration", "settings", "recovery", "verification"} {
		t.Run(kind, func(t *testing.T) {
			// Signed out elsewhere, so that these answers are about the id alone.
			b := e.browser()
			if kind == "settings" {
				b = signedIn
			}
			submit := e.public + "self-service/" + kind
			for _, q := range []string{"", "?flow=", "?flow=not-a-uuid"} {
				wantReason(t, "JSON "+q, b.postJSON(submit+q, map[string]string{}), http.StatusBadRequest, malformed)
				r := b.PostForm(submit+q, url.Values{})
				e.wantErrorPage(r, http.StatusBadRequest)
			}
			r := b.postJSON(submit+"?flow="+unknown, map[string]string{})
			body := sdk.WantError(t, sdk.Response{Status: r.StatusCode, Header: r.Header, Body: r.Body}, http.StatusNotFound)
			if kind == "login" || kind == "registration" {
				if body["message"] != "Unable to locate the resource" {
					t.Errorf("unknown flow: %v, want the message Unable to locate the resource", body)
				}
			} else if want := "The " + kind + " request could not be found. Please restart the flow."; body["reason"] != want {
				t.Errorf("unknown flow: %v, want the reason %q", body, want)
			}
			e.wantErrorPage(b.PostForm(submit+"?flow="+unknown, url.Values{}), http.StatusNotFound)
		})
	}

	// The reference's SDK reads these errors.
	_, res, err := sdk.NewClient(e.public, nil).PublicApi.SubmitSelfServiceLoginFlow(context.Background()).Flow(unknown).
		SubmitSelfServiceLoginFlow(client.SubmitSelfServiceLoginFlowWithPasswordMethodAsSubmitSelfServiceLoginFlow(
			client.NewSubmitSelfServiceLoginFlowWithPasswordMethod())).Execute()
	if res == nil || res.StatusCode != http.StatusNotFound || err == nil {
		t.Fatalf("SDK submit to an unknown flow: %v %v, want a 404 error", res, err)
	}
	var env struct {
		Error client.GenericError `json:"error"`
	}
	if raw := sdk.ErrorBody(err); json.Unmarshal(raw, &env) != nil || env.Error.Code == nil || *env.Error.Code != http.StatusNotFound {
		t.Errorf("the error body is not the envelope with code 404: %s", raw)
	}
}

// TestBrowserFlowValidationAsJSON: a browser flow submitted by a script
// that asks for JSON still answers a validation error with a 302 to its UI
// with the same flow, which then shows the problem.
func TestBrowserFlowValidationAsJSON(t *testing.T) {
	e := start(t, nil)
	e.browser().register("spa@example.com")
	b := e.browser()

	id := b.start("login", "")
	tok, _ := nodeValue(t, b.loginFlow(id).Ui.Nodes, "csrf_token")
	r := b.postJSON(e.public+"self-service/login?flow="+id, map[string]string{"csrf_token": tok, "method": "password", "password_identifier": "spa@example.com", "password": "wrong-password-0"})
	wantRedirect(t, "wrong password as JSON", r, e.app+"login?flow="+id)
	if ids := messageIDs(b.loginFlow(id).Ui.Messages); !has(ids, 4000006) {
		t.Errorf("login flow messages %v, want 4000006", ids)
	}

	id = b.start("registration", "")
	tok, _ = nodeValue(t, b.registrationFlow(id).Ui.Nodes, "csrf_token")
	r = b.postJSON(e.public+"self-service/registration?flow="+id, map[string]any{"csrf_token": tok, "method": "password", "password": password, "traits": map[string]any{"email": "not-an-email"}})
	wantRedirect(t, "bad email as JSON", r, e.app+"registration?flow="+id)
	if ids := nodeMessages(b.registrationFlow(id).Ui.Nodes, "traits.email"); len(ids) == 0 {
		t.Error("registration flow shows no message on traits.email")
	}
}
