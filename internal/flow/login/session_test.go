package login_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestSignedInNeedsRefresh: a client holding a valid token cannot start a
// login, unless it asks to re-authenticate (refresh=true); then it gets a
// new session with a later authenticated_at, and the old token stays valid.
func TestSignedInNeedsRefresh(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	ctx := context.Background()
	reg := sdk.Register(t, s, "again@example.com", sdk.GoodPassword)
	signedIn := sdk.Public(s, "X-Session-Token", reg.SessionToken).PublicApi

	_, resp, err := signedIn.InitializeSelfServiceLoginForNativeApps(ctx).Execute()
	sdk.Want(t, "init login while signed in", resp, err, http.StatusBadRequest)
	sdk.WantError(t, sdk.Response{Status: resp.StatusCode, Header: resp.Header, Body: sdk.ErrorBody(err)}, http.StatusBadRequest)

	f, resp, err := signedIn.InitializeSelfServiceLoginForNativeApps(ctx).Refresh(true).Execute()
	sdk.Want(t, "init login with refresh=true", resp, err, http.StatusOK)
	if f.Forced == nil || !*f.Forced {
		t.Errorf("forced = %v, want true", f.Forced)
	}
	if !strings.Contains(f.RequestUrl, "refresh=true") {
		t.Errorf("request_url %q does not keep the query", f.RequestUrl)
	}
	li, resp, err := signedIn.SubmitSelfServiceLoginFlow(ctx).Flow(f.Id).
		SubmitSelfServiceLoginFlow(sdk.LoginBody("again@example.com", sdk.GoodPassword)).Execute()
	sdk.Want(t, "submit refresh login", resp, err, http.StatusOK)
	if li.SessionToken == reg.SessionToken || li.Session.Id == reg.Session.Id {
		t.Errorf("refresh login reused the old session")
	}
	if !li.Session.AuthenticatedAt.After(reg.Session.AuthenticatedAt) {
		t.Errorf("authenticated_at %s is not after the old %s", li.Session.AuthenticatedAt, reg.Session.AuthenticatedAt)
	}
	for _, tok := range []string{reg.SessionToken, li.SessionToken} {
		if got := sdk.WhoamiStatus(t, s, tok); got != http.StatusOK {
			t.Errorf("whoami after refresh: %d, want both tokens valid", got)
		}
	}

	// A refresh flow still checks the password.
	f, resp, err = signedIn.InitializeSelfServiceLoginForNativeApps(ctx).Refresh(true).Execute()
	sdk.Want(t, "init second refresh", resp, err, http.StatusOK)
	_, resp, err = signedIn.SubmitSelfServiceLoginFlow(ctx).Flow(f.Id).
		SubmitSelfServiceLoginFlow(sdk.LoginBody("again@example.com", "not-"+sdk.GoodPassword)).Execute()
	sdk.Want(t, "refresh with a wrong password", resp, err, http.StatusBadRequest)
}

// TestSubmitWhileSignedIn: a flow started without a session and submitted
// with one (not a refresh flow) is refused and issues nothing.
func TestSubmitWhileSignedIn(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Register(t, s, "twice@example.com", sdk.GoodPassword)
	r := submit(t, s, "application/json", credentials(t, "twice@example.com", sdk.GoodPassword), "X-Session-Token", reg.SessionToken)
	sdk.WantError(t, r, http.StatusBadRequest)
	// An invalid token is no session: the login goes ahead.
	wantSession(t, submit(t, s, "application/json", credentials(t, "twice@example.com", sdk.GoodPassword), "X-Session-Token", "not-a-token"))
}

// TestRevokeLoginSession: DELETE /sessions ends the token a login issued;
// the user's other sessions are untouched.
func TestRevokeLoginSession(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	ctx := context.Background()
	pub := sdk.Public(s).PublicApi
	reg := sdk.Register(t, s, "bye@example.com", sdk.GoodPassword)
	first := sdk.Login(t, s, "bye@example.com", sdk.GoodPassword)
	second := sdk.Login(t, s, "bye@example.com", sdk.GoodPassword)

	resp, err := pub.RevokeSession(ctx).RevokeSession(*client.NewRevokeSession(first.SessionToken)).Execute()
	sdk.Want(t, "revoke", resp, err, http.StatusNoContent)
	want := map[string]int{first.SessionToken: 401, second.SessionToken: 200, reg.SessionToken: 200}
	for tok, status := range want {
		if got := sdk.WhoamiStatus(t, s, tok); got != status {
			t.Errorf("whoami: %d, want %d", got, status)
		}
	}
	// Revoking the registration's token works the same way.
	resp, err = pub.RevokeSession(ctx).RevokeSession(*client.NewRevokeSession(reg.SessionToken)).Execute()
	sdk.Want(t, "revoke registration token", resp, err, http.StatusNoContent)
	if got := sdk.WhoamiStatus(t, s, reg.SessionToken); got != http.StatusUnauthorized {
		t.Errorf("whoami with the revoked registration token: %d, want 401", got)
	}
	if got := sdk.WhoamiStatus(t, s, second.SessionToken); got != http.StatusOK {
		t.Errorf("whoami with the remaining token: %d, want 200", got)
	}
	// A revoked token cannot start settings either.
	r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/settings/api", "", nil, "X-Session-Token", first.SessionToken)
	sdk.WantError(t, r, http.StatusForbidden)
}

// TestRefreshNamesTheIdentity: a refresh login started with a session
// (token, bearer or cookie) pre-fills password_identifier with that
// identity's identifier as stored (lower-cased); without a session, or
// without refresh=true, it stays "". forced is refresh=true either way.
func TestRefreshNamesTheIdentity(t *testing.T) {
	s := testkit.StartSQLite(t, nil)
	reg := sdk.Register(t, s, "Mixed.Case@Example.COM", sdk.GoodPassword)
	cases := []struct {
		name, query string
		headers     []string
		value       string
		forced      bool
	}{
		{"token", "?refresh=true", []string{"X-Session-Token", reg.SessionToken}, "mixed.case@example.com", true},
		{"bearer", "?refresh=true", []string{"Authorization", "bearer " + reg.SessionToken}, "mixed.case@example.com", true},
		{"no session", "?refresh=true", nil, "", true},
		{"not a refresh", "", nil, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sdk.Do(t, http.MethodGet, s.PublicURL+"self-service/login/api"+c.query, "", nil, c.headers...)
			if r.Status != http.StatusOK {
				t.Fatalf("init: %d %s", r.Status, r.Body)
			}
			f := sdk.DecodeFlow(t, r.Body)
			n := f.Node("password_identifier")
			if n == nil || n.Attributes.Value != c.value {
				t.Errorf("password_identifier %+v, want value %q", n, c.value)
			}
			if got := sdk.DecodeObject(t, r.Body)["forced"]; got != c.forced {
				t.Errorf("forced %v, want %v", got, c.forced)
			}
		})
	}

	// A browser with the session cookie gets the same pre-filled form.
	b := sdk.NewBrowser(t, s.PublicURL, nil)
	id := b.Get(s.PublicURL + "self-service/login/browser").Location(t).Query().Get("flow")
	r := b.PostForm(s.PublicURL+"self-service/login?flow="+id, url.Values{
		"csrf_token": {b.CSRFToken()}, "method": {"password"}, "password_identifier": {"MIXED.case@example.com"}, "password": {sdk.GoodPassword},
	})
	if r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("browser sign-in: %d, no session cookie", r.StatusCode)
	}
	id = b.Get(s.PublicURL + "self-service/login/browser?refresh=true").Location(t).Query().Get("flow")
	f, _, err := b.SDK.PublicApi.GetSelfServiceLoginFlow(context.Background()).Id(id).Execute()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range f.Ui.Nodes {
		if in := n.Attributes.UiNodeInputAttributes; in != nil && in.Name == "password_identifier" {
			if in.Value == nil || in.Value.String == nil || *in.Value.String != "mixed.case@example.com" || in.Required == nil || !*in.Required {
				t.Errorf("browser refresh login: password_identifier %+v, want mixed.case@example.com, required", in)
			}
		}
	}
}
