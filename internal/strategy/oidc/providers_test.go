package oidc_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/oidctest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// The OAuth2-only providers have no ID token: Latchkey reads the user from
// each provider's own API. A local server plays those APIs with the
// answers the real ones give (documented examples), and a transport in
// Latchkey's provider client routes the providers' real hosts to it, so
// the real endpoints, requests and parsing are what is tested.

// routeHosts sends requests for hosts to a local server, keeping the host
// in the Host header so the server can tell the providers apart.
type routeHosts struct {
	to    string // host:port of the local server
	hosts map[string]bool
}

func (rt routeHosts) RoundTrip(r *http.Request) (*http.Response, error) {
	if !rt.hosts[r.URL.Hostname()] {
		return http.DefaultTransport.RoundTrip(r)
	}
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host, out.Host = "http", rt.to, r.URL.Host
	return http.DefaultTransport.RoundTrip(out)
}

// providerAPIs is the providers' token endpoints and user APIs.
type providerAPIs struct {
	t        *testing.T
	secret   string // every client's secret
	mu       sync.Mutex
	codes    map[string]grant  // authorization code -> what it was issued for
	tokens   map[string]bool   // access tokens issued
	answers  map[string]string // host+path -> the user API's JSON answer
	requests []string          // host+path of every request, in order
}

type grant struct{ challenge, redirect, clientID string }

var tokenEndpoints = map[string]bool{
	"github.com/login/oauth/access_token":         true,
	"discord.com/api/oauth2/token":                true,
	"slack.com/api/oauth.access":                  true,
	"graph.facebook.com/v19.0/oauth/access_token": true,
}

func (a *providerAPIs) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Host + r.URL.Path
	a.mu.Lock()
	a.requests = append(a.requests, key)
	a.mu.Unlock()
	if tokenEndpoints[key] {
		a.token(w, r)
		return
	}
	a.mu.Lock()
	ok := a.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	answer, found := a.answers[key]
	a.mu.Unlock()
	if !ok {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if r.Host == "graph.facebook.com" {
		mac := hmac.New(sha256.New, []byte(a.secret))
		mac.Write([]byte(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")))
		if r.URL.Query().Get("appsecret_proof") != hex.EncodeToString(mac.Sum(nil)) || !strings.Contains(r.URL.Query().Get("fields"), "email") {
			http.Error(w, `{"error":{"message":"Invalid appsecret_proof provided in the API argument","type":"GraphMethodException","code":100}}`, http.StatusBadRequest)
			return
		}
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(answer))
}

// token redeems an authorization code once, checking the client, the
// redirect URI and the PKCE verifier.
func (a *providerAPIs) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	a.mu.Lock()
	g, ok := a.codes[r.PostForm.Get("code")]
	delete(a.codes, r.PostForm.Get("code"))
	a.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	w.Header().Set("Content-Type", "application/json")
	if !ok || secret != a.secret || id != g.clientID || r.PostForm.Get("grant_type") != "authorization_code" ||
		r.PostForm.Get("redirect_uri") != g.redirect || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"The code is not valid for this client."}`))
		return
	}
	tok := "access-token-" + r.PostForm.Get("code")
	a.mu.Lock()
	a.tokens[tok] = true
	a.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "access_token": tok, "token_type": "bearer", "scope": "identity"})
}

// socialSchema keeps whatever the mapper passes on, so the test sees the
// claims a provider's answer became.
const socialSchema = `{"$id":"social","$schema":"http://json-schema.org/draft-07/schema#","type":"object",
"properties":{"traits":{"type":"object","properties":{
  "email":{"type":"string","format":"email","ory.sh/kratos":{"credentials":{"password":{"identifier":true}}}},
  "claims":{"type":"object"}},"additionalProperties":false}}}`

const claimsMapper = `local c = std.extVar('claims');
{identity: {traits: {[if 'email' in c then 'email']: c.email, claims: c}}}`

// TestOAuth2Providers signs up and in with each OAuth2-only provider and
// checks the claims its user API's answer maps to.
func TestOAuth2Providers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, provider string
		scope          []string
		auth           string            // the authorization endpoint the browser is sent to
		answers        map[string]string // the user API
		want           string            // the claims, as JSON
	}{
		{
			name: "github", provider: "github", scope: []string{"user:email"}, auth: "https://github.com/login/oauth/authorize",
			answers: map[string]string{
				"api.github.com/user": `{"login":"octocat","id":583231,"node_id":"MDQ6VXNlcjU4MzIzMQ==","avatar_url":"https://avatars.githubusercontent.com/u/583231?v=4","html_url":"https://github.com/octocat","type":"User","site_admin":false,"name":"The Octocat","company":"@github","blog":"https://github.blog","location":"San Francisco","email":null,"bio":null,"public_repos":8,"created_at":"2011-01-25T18:44:36Z"}`,
				// The primary verified address wins over the profile's
				// (absent) public one and over other verified ones.
				"api.github.com/user/emails": `[{"email":"octocat@users.noreply.github.com","primary":false,"verified":true,"visibility":null},{"email":"octocat@github.com","primary":true,"verified":true,"visibility":"public"}]`,
			},
			want: `{"iss":"https://github.com/login/oauth/access_token","sub":"583231","name":"The Octocat","nickname":"The Octocat","preferred_username":"octocat","picture":"https://avatars.githubusercontent.com/u/583231?v=4","profile":"https://github.com/octocat","website":"https://github.blog","email":"octocat@github.com","email_verified":true}`,
		},
		{
			// A primary address the user never verified is no address.
			name: "github, primary unverified", provider: "github", scope: []string{"read:user", "user:email"}, auth: "https://github.com/login/oauth/authorize",
			answers: map[string]string{
				"api.github.com/user":        `{"login":"newbie","id":42,"avatar_url":"","html_url":"https://github.com/newbie","name":null,"blog":"","email":"newbie@example.com"}`,
				"api.github.com/user/emails": `[{"email":"newbie@example.com","primary":true,"verified":false,"visibility":"public"},{"email":"old@example.com","primary":false,"verified":true,"visibility":null}]`,
			},
			want: `{"iss":"https://github.com/login/oauth/access_token","sub":"42","preferred_username":"newbie","profile":"https://github.com/newbie"}`,
		},
		{
			name: "discord", provider: "discord", scope: []string{"identify", "email"}, auth: "https://discord.com/api/oauth2/authorize",
			answers: map[string]string{
				"discord.com/api/users/@me": `{"id":"80351110224678912","username":"nelly","discriminator":"0","global_name":"Nelly","avatar":"8342729096ea3675442027381ff50dfe","verified":true,"email":"nelly@discord.com","flags":64,"banner":null,"accent_color":16711680,"premium_type":1,"public_flags":64,"locale":"en-US","mfa_enabled":true}`,
			},
			want: `{"iss":"https://discord.com/api/v6/oauth2/","sub":"80351110224678912","name":"Nelly","nickname":"nelly","preferred_username":"nelly","email":"nelly@discord.com","email_verified":true,"locale":"en-US","picture":"https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"}`,
		},
		{
			name: "slack", provider: "slack", scope: []string{"identity.basic", "identity.email", "identity.avatar"}, auth: "https://slack.com/oauth/authorize",
			answers: map[string]string{
				"slack.com/api/users.identity": `{"ok":true,"user":{"name":"Sonny Whether","id":"U0G9QF9C6","email":"bobby@slack-corp.com","image_24":"https://cdn.example.com/sonny_24.jpg","image_512":"https://cdn.example.com/sonny_512.jpg"},"team":{"id":"T0G9PQBBK"}}`,
			},
			want: `{"iss":"https://slack.com/oauth/","sub":"U0G9QF9C6","name":"Sonny Whether","nickname":"Sonny Whether","preferred_username":"Sonny Whether","email":"bobby@slack-corp.com","picture":"https://cdn.example.com/sonny_512.jpg"}`,
		},
		{
			name: "facebook", provider: "facebook", scope: []string{"email", "public_profile"}, auth: "https://www.facebook.com/v19.0/dialog/oauth",
			answers: map[string]string{
				"graph.facebook.com/me": `{"id":"10158236542198765","name":"Fay Book","first_name":"Fay","last_name":"Book","email":"fay@example.com","picture":{"data":{"height":50,"is_silhouette":false,"url":"https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=10158236542198765","width":50}}}`,
			},
			want: `{"iss":"https://graph.facebook.com/me","sub":"10158236542198765","name":"Fay Book","given_name":"Fay","family_name":"Book","nickname":"Fay Book","preferred_username":"Fay","email":"fay@example.com","picture":"https://platform-lookaside.fbsbx.com/platform/profilepic/?asid=10158236542198765"}`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			apis := &providerAPIs{t: t, secret: "secret-" + c.provider, codes: map[string]grant{}, tokens: map[string]bool{}, answers: c.answers}
			local := httptest.NewServer(apis)
			t.Cleanup(local.Close)
			rt := routeHosts{to: local.Listener.Addr().String(), hosts: map[string]bool{
				"github.com": true, "api.github.com": true, "discord.com": true, "slack.com": true, "graph.facebook.com": true, "www.facebook.com": true,
			}}
			e := startWith(t, testkit.NewDatabase(t, "sqlite"), testkit.Options{OIDCClient: &http.Client{Transport: rt}}, func(cfg *config.Config, _ *env) {
				cfg.Identity.DefaultSchemaURL = "base64://" + base64.StdEncoding.EncodeToString([]byte(socialSchema))
				cfg.SelfService.Methods.OIDC.Config.Providers = []config.OIDCProvider{{
					ID: "social", Provider: c.provider, ClientID: "client-" + c.provider, ClientSecret: apis.secret,
					MapperURL: base64URL(claimsMapper), Scope: c.scope,
				}}
			})
			roundTrip := func(b *browser, kind, code string) sdk.BrowserResponse {
				t.Helper()
				id := b.start(kind, "")
				r := b.submit(kind, id, url.Values{"provider": {"social"}})
				auth := r.Location(t)
				q := auth.Query()
				if !redirect(r.StatusCode) || auth.Scheme+"://"+auth.Host+auth.Path != c.auth {
					t.Fatalf("%s submit: %d to %s, want the provider's authorization endpoint %s", kind, r.StatusCode, auth, c.auth)
				}
				redirectURI := e.public + "self-service/methods/oidc/callback/social"
				if q.Get("client_id") != "client-"+c.provider || q.Get("redirect_uri") != redirectURI || q.Get("code_challenge_method") != "S256" ||
					q.Get("scope") != strings.Join(c.scope, " ") || q.Has("nonce") {
					t.Errorf("authorization request %v", q)
				}
				testkit.Secret(e.srv.PublicAddr, "access-token-"+code) // the provider's token must not be logged
				testkit.Secret(e.srv.PublicAddr, q.Get("state"))
				if code != "never-issued" {
					apis.mu.Lock()
					apis.codes[code] = grant{challenge: q.Get("code_challenge"), redirect: redirectURI, clientID: "client-" + c.provider}
					apis.mu.Unlock()
				}
				return b.Get(redirectURI + "?" + url.Values{"code": {code}, "state": {q.Get("state")}}.Encode())
			}

			b := e.browser()
			r := roundTrip(b, "registration", "code-1")
			if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" {
				t.Fatalf("sign-up callback: %d to %s; provider requests %v", r.StatusCode, loc, apis.requests)
			}
			_, id := b.Whoami()
			tr := traits(t, e.identity(id))
			var want map[string]any
			if err := json.Unmarshal([]byte(c.want), &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tr["claims"], want) {
				got, _ := json.Marshal(tr["claims"])
				t.Errorf("claims\n got %s\nwant %s", got, c.want)
			}
			if tr["email"] != want["email"] {
				t.Errorf("email trait %v, want %v", tr["email"], want["email"])
			}

			again := e.browser()
			roundTrip(again, "login", "code-2")
			if status, got := again.Whoami(); status != http.StatusOK || got != id {
				t.Errorf("sign-in: whoami %d %s, want %s", status, got, id)
			}
			// A code the provider refuses: the flow shows the refusal.
			third := e.browser()
			r = roundTrip(third, "login", "never-issued")
			e.uiFlow(r, "login")
			third.signedOut("a used code", r)
		})
	}
}

// TestOpenIDProviders: Google, GitLab and Microsoft are OpenID providers
// found by discovery at their well-known issuers. A real provider (zitadel)
// calling itself by each issuer answers there, through the transport, so
// discovery, the ID token's issuer and audience checks run as they would.
func TestOpenIDProviders(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ provider, tenant, issuer string }{
		{"google", "", "https://accounts.google.com"},
		{"gitlab", "", "https://gitlab.com"},
		{"microsoft", "contoso-tenant", "https://login.microsoftonline.com/contoso-tenant/v2.0"},
	} {
		t.Run(c.provider, func(t *testing.T) {
			t.Parallel()
			op := oidctest.StartAs(t, c.issuer)
			op.AddUser("sub-"+c.provider, "olga", "olga@example.com", true, "Olga", "Ek")
			rt := oidctest.Transport(nil, op)
			e := startWith(t, testkit.NewDatabase(t, "sqlite"), testkit.Options{OIDCClient: &http.Client{Transport: rt}}, func(cfg *config.Config, e *env) {
				cfg.Identity.DefaultSchemaURL = "base64://" + base64.StdEncoding.EncodeToString([]byte(socialSchema))
				cfg.SelfService.Methods.OIDC.Config.Providers = []config.OIDCProvider{{
					ID: "social", Provider: c.provider, Tenant: c.tenant, ClientID: oidctest.ClientID, ClientSecret: oidctest.ClientSecret,
					MapperURL: base64URL(claimsMapper), Scope: []string{"email", "profile"},
				}}
			})
			e.rt = rt
			op.SetRedirect(e.public + "self-service/methods/oidc/callback/social")
			signIn := func(kind string) string {
				t.Helper()
				b := e.browser()
				id := b.start(kind, "")
				r := b.submit(kind, id, url.Values{"provider": {"social"}})
				auth := r.Location(t)
				if !redirect(r.StatusCode) || !strings.HasPrefix(auth.String(), c.issuer+"/") {
					t.Fatalf("%s submit: %d to %s, want the provider at %s", kind, r.StatusCode, auth, c.issuer)
				}
				r = b.Get(op.SignIn(t, b.HTTP, auth.String(), "olga"))
				if loc := r.Location(t); !redirect(r.StatusCode) || loc.String() != e.app+"app/" {
					t.Fatalf("%s callback: %d to %s", kind, r.StatusCode, loc)
				}
				_, who := b.Whoami()
				return who
			}
			id := signIn("registration")
			claims, _ := traits(t, e.identity(id))["claims"].(map[string]any)
			if claims["iss"] != c.issuer || claims["sub"] != "sub-"+c.provider || claims["email"] != "olga@example.com" || claims["email_verified"] != true {
				t.Errorf("claims %v, want the ID token's from %s", claims, c.issuer)
			}
			if again := signIn("login"); again != id {
				t.Errorf("signed in as %s, want %s", again, id)
			}
		})
	}
}
