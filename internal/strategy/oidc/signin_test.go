package oidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// signUpThenIn is the newcomer's story: sign up with the provider, sign
// out, sign in again with it; the admin API shows one identity, with the
// provider's address unverified and no credentials.
func signUpThenIn(t *testing.T, e *env) {
	e.op.users.add("sub-alice", "alice", "Alice@Example.com", true, "Alice", "Doe")
	b := e.browser()
	reg := b.start("registration", "")
	f := b.flow("registration", reg)
	if n := node(f, "provider", "corp"); n == nil || n["group"] != "oidc" || attr(n, "type") != "submit" {
		t.Fatalf("registration flow has no oidc provider button: %v", nodes(f))
	}
	r := b.via("registration", reg, "alice", nil)
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" {
		t.Fatalf("sign-up callback: %d to %s, want 302 to the default return URL", r.StatusCode, loc)
	}
	if r.SetCookie("ory_kratos_session") == nil {
		t.Fatalf("sign-up set no session cookie")
	}
	status, id := b.Whoami()
	if status != http.StatusOK {
		t.Fatalf("whoami after sign-up: %d", status)
	}
	ids := e.identities()
	if len(ids) != 1 || ids[0].Id != id {
		t.Fatalf("admin API shows %d identities, want the one signed in", len(ids))
	}
	tr := traits(t, ids[0])
	if tr["email"] != "Alice@Example.com" || tr["name"] != "Alice Doe" {
		t.Errorf("traits = %v, want the mapped email and name", tr)
	}
	if va := ids[0].VerifiableAddresses; len(va) != 1 || va[0].Verified {
		t.Errorf("verifiable addresses = %+v, want one, unverified (trust_email_verified is off)", va)
	}

	// Another browser (signed out) signs in with the same account.
	b2 := e.browser()
	login := b2.start("login", "")
	f = b2.flow("login", login)
	if n := node(f, "provider", "corp"); n == nil || n["meta"].(map[string]any)["label"].(map[string]any)["id"].(float64) != 1010002 {
		t.Fatalf("login flow has no labelled provider button: %v", nodes(f))
	}
	r = b2.via("login", login, "alice", nil)
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" {
		t.Fatalf("sign-in callback: %d to %s, want 302 to the default return URL", r.StatusCode, loc)
	}
	if status, again := b2.Whoami(); status != http.StatusOK || again != id {
		t.Fatalf("whoami after sign-in: %d %s, want the identity %s", status, again, id)
	}
	if n := len(e.identities()); n != 1 {
		t.Errorf("after signing in again the admin API shows %d identities, want 1", n)
	}
}

func TestSignUpThenSignIn(t *testing.T) {
	t.Parallel()
	signUpThenIn(t, start(t, nil))
}

// TestSignUpThenSignInOnEveryDatabase runs the story on PostgreSQL and
// MariaDB when their DSNs are set.
func TestSignUpThenSignInOnEveryDatabase(t *testing.T) {
	t.Parallel()
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		signUpThenIn(t, startOn(t, dsn, nil))
	})
}

// TestAuthorizationRequest: what goes to the provider. PKCE and a nonce
// (the reference sends neither), the redirect URI from the public base
// URL whatever Host the request named, openid appended, a new state each
// time, and prompt=login for refresh logins.
func TestAuthorizationRequest(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	b := e.browser()
	login := b.start("login", "")
	first := b.toProvider("login", login, nil)
	q := first.Query()
	if q.Get("client_id") != clientID || q.Get("response_type") != "code" {
		t.Errorf("client_id %q, response_type %q", q.Get("client_id"), q.Get("response_type"))
	}
	if q.Get("redirect_uri") != e.public+"self-service/methods/oidc/callback/corp" {
		t.Errorf("redirect_uri = %q, want the callback on the public base URL", q.Get("redirect_uri"))
	}
	if scopes := strings.Fields(q.Get("scope")); len(scopes) != 3 || scopes[2] != "openid" {
		t.Errorf("scope = %q, want the configured scopes and openid", q.Get("scope"))
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43 || len(q.Get("nonce")) < 32 || len(q.Get("state")) < 32 {
		t.Errorf("PKCE, nonce or state missing: %v", q)
	}
	if q.Has("prompt") {
		t.Errorf("a normal login sends prompt=%q", q.Get("prompt"))
	}
	second := b.toProvider("login", login, nil)
	if second.Query().Get("state") == q.Get("state") || second.Query().Get("nonce") == q.Get("nonce") {
		t.Errorf("a second submit reused the state or nonce")
	}
	c := b.Cookie("ory_kratos_continuity")
	if c == "" {
		t.Errorf("no continuity cookie")
	}
	if strings.Contains(first.String(), c) {
		t.Errorf("the continuity cookie's value travels to the provider")
	}

	refresh := b.start("login", "refresh=true")
	if p := b.toProvider("login", refresh, nil).Query().Get("prompt"); p != "login" {
		t.Errorf("refresh login sends prompt=%q, want login", p)
	}
}

// TestSignInSignsUpFromALoginFlowKeepingReturnTo: an unknown account that
// signs in registers, and lands where the login flow was asked to go.
func TestSignInSignsUpFromALoginFlowKeepingReturnTo(t *testing.T) {
	t.Parallel()
	e := start(t, nil)
	e.op.users.add("sub-bea", "bea", "bea@example.com", true, "Bea", "")
	b := e.browser()
	back := e.app + "allowed/dashboard"
	login := b.start("login", "return_to="+url.QueryEscape(back))
	r := b.via("login", login, "bea", nil)
	if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != back {
		t.Fatalf("callback: %d to %s, want 302 to the login flow's return_to %s", r.StatusCode, loc, back)
	}
	if status, _ := b.Whoami(); status != http.StatusOK {
		t.Fatalf("whoami: %d", status)
	}
	if ids := e.identities(); len(ids) != 1 || traits(t, ids[0])["email"] != "bea@example.com" {
		t.Fatalf("identities = %+v", ids)
	}
}

// TestTrustEmailVerified: with the per-provider opt-in, an address the
// provider verified is verified here; an unverified one stays unverified.
func TestTrustEmailVerified(t *testing.T) {
	t.Parallel()
	e := start(t, func(c *config.Config, _ *env) {
		c.SelfService.Methods.OIDC.Config.Providers[0].TrustEmailVerified = true
	})
	e.op.users.add("sub-v", "verified", "v@example.com", true, "", "")
	e.op.users.add("sub-u", "unverified", "u@example.com", false, "", "")
	for _, user := range []string{"verified", "unverified"} {
		b := e.browser()
		reg := b.start("registration", "")
		if r := b.via("registration", reg, user, nil); !redirect(r.StatusCode) {
			t.Fatalf("%s: callback %d", user, r.StatusCode)
		}
	}
	for _, i := range e.identities() {
		va := i.VerifiableAddresses
		want := traits(t, i)["email"] == "v@example.com"
		if len(va) != 1 || va[0].Verified != want || (want && va[0].Status != "completed") {
			t.Errorf("%v: addresses %+v, want verified=%v", traits(t, i)["email"], va, want)
		}
	}
}
