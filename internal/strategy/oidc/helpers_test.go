// The tests drive social sign-in as a browser does, against a real OpenID
// provider run in-process (testkit/oidctest: zitadel's op package; users
// sign in at its login page with a username and password). Latchkey runs
// exactly as main builds it (testkit).
package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/oidctest"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const (
	clientID     = oidctest.ClientID
	clientSecret = oidctest.ClientSecret
	userPassword = oidctest.Password
)

// mapper maps email and name when the provider sent them.
const mapper = `local c = std.extVar('claims');
{identity: {traits: {
  [if 'email' in c then 'email']: c.email,
  [if 'name' in c then 'name']: c.name,
}}}`

func base64URL(src string) string {
	return "base64://" + base64.StdEncoding.EncodeToString([]byte(src))
}

// provider is a running OpenID provider.
type provider struct {
	*oidctest.Provider
	users providerUsers
}

// providerUsers adds accounts to the provider.
type providerUsers struct{ p *oidctest.Provider }

func (u providerUsers) add(id, username, email string, verified bool, first, last string) {
	u.p.AddUser(id, username, email, verified, first, last)
}

func startProvider(t *testing.T) *provider {
	t.Helper()
	p := oidctest.Start(t)
	return &provider{Provider: p, users: providerUsers{p}}
}

// env is Latchkey with social sign-in at one provider ("corp"), and the
// app whose pages Latchkey sends browsers to.
type env struct {
	t      *testing.T
	srv    *testkit.Server
	op     *provider
	app    string
	public string
	admin  *client.APIClient
	// rt is the test browsers' transport, nil for the default.
	rt http.RoundTripper
}

func start(t *testing.T, mutate func(c *config.Config, e *env)) *env {
	t.Helper()
	return startOn(t, testkit.NewDatabase(t, "sqlite"), mutate)
}

func startOn(t *testing.T, dsn string, mutate func(c *config.Config, e *env)) *env {
	t.Helper()
	return startWith(t, dsn, testkit.Options{}, mutate)
}

// startWith is startOn with the testkit's options (the providers' HTTP
// client).
func startWith(t *testing.T, dsn string, opts testkit.Options, mutate func(c *config.Config, e *env)) *env {
	t.Helper()
	e := &env{t: t, op: startProvider(t)}
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "app page "+r.URL.Path)
	}))
	t.Cleanup(app.Close)
	e.app = app.URL + "/"
	cfg := testkit.Config(t, dsn, func(c *config.Config) {
		ss := &c.SelfService
		ss.DefaultBrowserReturnURL = e.app + "app/"
		ss.WhitelistedReturnURLs = []string{e.app + "allowed/"}
		for kind, u := range map[*string]string{
			&ss.Flows.Login.UIURL: "login", &ss.Flows.Registration.UIURL: "registration", &ss.Flows.Settings.UIURL: "settings",
			&ss.Flows.Recovery.UIURL: "recovery", &ss.Flows.Verification.UIURL: "verification", &ss.Flows.Error.UIURL: "error",
		} {
			*kind = e.app + u
		}
		ss.Methods.OIDC.Enabled = true
		ss.Methods.OIDC.Config.Providers = []config.OIDCProvider{{
			ID: "corp", Provider: "generic", Label: "Corp", ClientID: clientID, ClientSecret: clientSecret,
			IssuerURL: e.op.URL, MapperURL: base64URL(mapper), Scope: []string{"email", "profile"},
		}}
		ss.Flows.Registration.After.OIDC.Hooks = []config.Hook{{Hook: "session"}}
		if mutate != nil {
			mutate(c, e)
		}
	})
	e.srv = testkit.StartWith(t, cfg, opts)
	e.public = e.srv.PublicURL
	// The client secrets must never reach the log (the testkit's secret
	// watch checks when the server stops).
	for _, p := range cfg.SelfService.Methods.OIDC.Config.Providers {
		testkit.Secret(e.srv.PublicAddr, p.ClientSecret)
	}
	cb := e.public + "self-service/methods/oidc/callback/corp"
	e.op.SetRedirect(cb)
	e.admin = sdk.NewClient(e.srv.AdminURL, nil)
	return e
}

// browser is one browser profile visiting Latchkey, the app and the
// provider.
type browser struct {
	*sdk.Browser
	e *env
}

func (e *env) browser() *browser { return &browser{Browser: sdk.NewBrowser(e.t, e.public, e.rt), e: e} }

// start begins a browser flow and returns its id.
func (b *browser) start(kind, query string) string {
	b.T.Helper()
	r := b.Get(b.e.public + "self-service/" + kind + "/browser?" + query)
	loc := r.Location(b.T)
	if !redirect(r.StatusCode) || loc.Query().Get("flow") == "" {
		b.T.Fatalf("start %s: %d to %s, want 302 to the UI with a flow", kind, r.StatusCode, loc)
	}
	return loc.Query().Get("flow")
}

// flow is a flow's JSON as an app's page fetches it.
func (b *browser) flow(kind, id string) map[string]any {
	b.T.Helper()
	r := b.Get(b.e.public + "self-service/" + kind + "/flows?id=" + id)
	var f map[string]any
	if r.StatusCode != http.StatusOK || json.Unmarshal(r.Body, &f) != nil {
		b.T.Fatalf("fetch %s flow %s: %d %s", kind, id, r.StatusCode, r.Body)
	}
	return f
}

// nodes of a flow, as maps.
func nodes(f map[string]any) []map[string]any {
	ui, _ := f["ui"].(map[string]any)
	raw, _ := ui["nodes"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, n := range raw {
		out = append(out, n.(map[string]any))
	}
	return out
}

func attr(n map[string]any, k string) any { return n["attributes"].(map[string]any)[k] }

// node finds a node by name (and value, when given).
func node(f map[string]any, name string, value ...string) map[string]any {
	for _, n := range nodes(f) {
		if attr(n, "name") == name && (len(value) == 0 || attr(n, "value") == value[0]) {
			return n
		}
	}
	return nil
}

// messageIDs are the ui-level message ids and those of every node.
func messageIDs(f map[string]any) []int {
	var ids []int
	collect := func(ms any) {
		list, _ := ms.([]any)
		for _, m := range list {
			ids = append(ids, int(m.(map[string]any)["id"].(float64)))
		}
	}
	collect(f["ui"].(map[string]any)["messages"])
	for _, n := range nodes(f) {
		collect(n["messages"])
	}
	return ids
}

func hasID(ids []int, id int) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func (b *browser) csrf(kind, id string) string {
	b.T.Helper()
	n := node(b.flow(kind, id), "csrf_token")
	if n == nil {
		b.T.Fatalf("%s flow %s has no csrf_token node", kind, id)
	}
	return attr(n, "value").(string)
}

// submit posts the flow's form with the given fields and its csrf_token.
func (b *browser) submit(kind, id string, v url.Values) sdk.BrowserResponse {
	b.T.Helper()
	if v.Get("csrf_token") == "" {
		v.Set("csrf_token", b.csrf(kind, id))
	}
	return b.PostForm(b.e.public+"self-service/"+kind+"?flow="+id, v)
}

// toProvider submits provider=corp and checks the redirect to the
// provider's authorization endpoint.
func (b *browser) toProvider(kind, id string, extra url.Values) *url.URL {
	b.T.Helper()
	if extra == nil {
		extra = url.Values{}
	}
	if !extra.Has("link") {
		extra.Set("provider", "corp")
	}
	r := b.submit(kind, id, extra)
	loc := r.Location(b.T)
	if !redirect(r.StatusCode) || !strings.HasPrefix(loc.String(), b.e.op.URL+"/") {
		b.T.Fatalf("submit to the provider: %d to %s, want 302 to %s", r.StatusCode, loc, b.e.op.URL)
	}
	return loc
}

// atProvider signs in at the provider's login page as username and
// returns the callback URL the provider sends the browser back to.
func (b *browser) atProvider(auth *url.URL, username string) string {
	b.T.Helper()
	r := b.Get(auth.String())
	login := r.Location(b.T)
	login = auth.ResolveReference(login)
	id := login.Query().Get("authRequestID")
	if !redirect(r.StatusCode) || id == "" {
		b.T.Fatalf("provider authorize: %d to %s; body %s", r.StatusCode, login, r.Body)
	}
	if page := b.Get(login.String()); page.StatusCode != http.StatusOK {
		b.T.Fatalf("provider login page: %d", page.StatusCode)
	}
	r = b.PostForm(b.e.op.URL+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {userPassword}})
	next := auth.ResolveReference(r.Location(b.T))
	r = b.Get(next.String())
	cb := r.Location(b.T)
	if !redirect(r.StatusCode) || !strings.HasPrefix(cb.String(), b.e.public+"self-service/methods/oidc/callback/") {
		b.T.Fatalf("provider after login: %d to %s, want the callback", r.StatusCode, cb)
	}
	// Neither the code nor the state may be logged.
	testkit.Secret(b.e.srv.PublicAddr, cb.Query().Get("code"))
	testkit.Secret(b.e.srv.PublicAddr, cb.Query().Get("state"))
	return cb.String()
}

// via runs the round trip of a flow at the provider and returns the
// callback's answer.
func (b *browser) via(kind, id, username string, extra url.Values) sdk.BrowserResponse {
	b.T.Helper()
	return b.Get(b.atProvider(b.toProvider(kind, id, extra), username))
}

// identities lists identities through the admin API.
func (e *env) identities() []client.Identity {
	e.t.Helper()
	ids, _, err := e.admin.AdminApi.ListIdentities(context.Background()).Execute()
	if err != nil {
		e.t.Fatalf("list identities: %v", err)
	}
	return ids
}

// identity reads one identity through the admin API.
func (e *env) identity(id string) client.Identity {
	e.t.Helper()
	i, _, err := e.admin.AdminApi.GetIdentity(context.Background(), id).Execute()
	if err != nil || i == nil {
		e.t.Fatalf("get identity %s: %v", id, err)
	}
	return *i
}

// errorAt reads the error page's error through the public API.
func (e *env) errorAt(b *browser, r sdk.BrowserResponse) int {
	e.t.Helper()
	loc := r.Location(e.t)
	if !strings.HasPrefix(loc.String(), e.app+"error?error=") {
		e.t.Fatalf("answer %d to %s, want the error page", r.StatusCode, loc)
	}
	res := b.Get(e.public + "self-service/errors?error=" + loc.Query().Get("error"))
	var c struct {
		Errors []struct {
			Code   int    `json:"code"`
			Reason string `json:"reason"`
		} `json:"errors"`
	}
	if json.Unmarshal(res.Body, &c) != nil || len(c.Errors) == 0 {
		e.t.Fatalf("error container: %d %s", res.StatusCode, res.Body)
	}
	return c.Errors[0].Code
}

func traits(t *testing.T, i client.Identity) map[string]any {
	t.Helper()
	m, ok := i.Traits.(map[string]any)
	if !ok {
		t.Fatalf("traits %v", i.Traits)
	}
	return m
}

var _ = fmt.Sprint

// redirect: browsers are sent on with 302 (the reference) or 303.
func redirect(code int) bool { return code == http.StatusFound || code == http.StatusSeeOther }
