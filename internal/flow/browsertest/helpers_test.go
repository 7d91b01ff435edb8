// Package browsertest_test drives the self-service flows as a browser does:
// a real cookie jar, form posts, redirects inspected one at a time, through
// the real router on real listeners. The reference's Go SDK reads flows,
// sessions and errors, as an app would.
package browsertest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

const password = "correct-horse-battery-staple-42"

// env is a running Latchkey and the app whose pages it sends browsers to.
// The app is a plain server so that following redirects ends on a real
// page whose URL the test can read.
type env struct {
	t      *testing.T
	srv    *testkit.Server
	app    string // the app's base URL, with a trailing slash
	public string
	admin  *client.APIClient
}

// start runs Latchkey on SQLite; see startOn.
func start(t *testing.T, mutate func(c *config.Config, app string)) *env {
	t.Helper()
	return startOn(t, testkit.NewDatabase(t, "sqlite"), mutate)
}

// startOn runs Latchkey on dsn with every UI URL on the app server, the
// default return URL at <app>app/ and https://allowed.example/app also
// allowed. mutate sees the app's base URL.
func startOn(t *testing.T, dsn string, mutate func(c *config.Config, app string)) *env {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "app page "+r.URL.Path)
	}))
	t.Cleanup(app.Close)
	base := app.URL + "/"
	cfg := testkit.Config(t, dsn, func(c *config.Config) {
		ss := &c.SelfService
		ss.DefaultBrowserReturnURL = base + "app/"
		ss.WhitelistedReturnURLs = []string{"https://allowed.example/app"}
		ss.Flows.Login.UIURL = base + "login"
		ss.Flows.Registration.UIURL = base + "registration"
		ss.Flows.Settings.UIURL = base + "settings"
		ss.Flows.Recovery.UIURL = base + "recovery"
		ss.Flows.Verification.UIURL = base + "verification"
		ss.Flows.Error.UIURL = base + "error"
		if mutate != nil {
			mutate(c, base)
		}
	})
	srv := testkit.Start(t, cfg)
	return &env{t: t, srv: srv, app: base, public: srv.PublicURL, admin: sdk.NewClient(srv.AdminURL, nil)}
}

// browser is one browser profile (see sdk.Browser) with what these tests
// add: JSON posts, following redirects, and the flows of this server.
type browser struct {
	*sdk.Browser
	e *env
}

func (e *env) browser() *browser {
	return &browser{Browser: sdk.NewBrowser(e.t, e.public, nil), e: e}
}

// postJSON posts v as JSON and asks for JSON, as a page's script does.
func (b *browser) postJSON(u string, v any, headers ...string) sdk.BrowserResponse {
	b.T.Helper()
	return b.Do("POST", u, "application/json", sdk.Marshal(b.T, v), append([]string{"Accept", "application/json"}, headers...)...)
}

// follow loads u and follows redirects as a browser would, returning where
// it ended and the last answer.
func (b *browser) follow(u string) (*url.URL, sdk.BrowserResponse) {
	b.T.Helper()
	for range 10 {
		r := b.Get(u)
		if r.StatusCode < 300 || r.StatusCode >= 400 {
			return r.Request.URL, r
		}
		next, err := r.Request.URL.Parse(r.Header.Get("Location"))
		if err != nil {
			b.T.Fatalf("bad Location %q: %v", r.Header.Get("Location"), err)
		}
		u = next.String()
	}
	b.T.Fatalf("more than 10 redirects starting at %s", u)
	return nil, sdk.BrowserResponse{}
}

// start begins a browser flow and returns its id, checking the redirect to
// the flow's UI page.
func (b *browser) start(kind, query string) string {
	b.T.Helper()
	r := b.Get(b.e.public + "self-service/" + kind + "/browser?" + query)
	loc := r.Location(b.T)
	want := b.e.app + kind
	if r.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), want+"?flow=") {
		b.T.Fatalf("start %s: %d to %s, want 302 to %s?flow=<id>", kind, r.StatusCode, loc, want)
	}
	return loc.Query().Get("flow")
}

// whoami is the status of /sessions/whoami with this browser's cookies,
// through the SDK, and the session when there is one.
func (b *browser) whoami() (int, *client.Session) {
	b.T.Helper()
	s, res, err := b.SDK.PublicApi.ToSession(context.Background()).Execute()
	if res == nil {
		b.T.Fatalf("whoami: %v", err)
	}
	if res.StatusCode == http.StatusOK && err != nil {
		b.T.Fatalf("whoami: 200 but the SDK cannot read it: %v", err)
	}
	return res.StatusCode, s
}

// errorAt checks loc is the error UI with an error id and returns the
// stored error (the first of its container), read with the SDK.
func (e *env) errorAt(loc *url.URL) map[string]any {
	e.t.Helper()
	if !strings.HasPrefix(loc.String(), e.app+"error?error=") {
		e.t.Fatalf("redirected to %s, want the error UI %serror?error=<id>", loc, e.app)
	}
	c, res, err := e.admin.AdminApi.GetSelfServiceError(context.Background()).Error_(loc.Query().Get("error")).Execute()
	if err != nil || res.StatusCode != http.StatusOK || len(c.Errors) != 1 {
		e.t.Fatalf("GetSelfServiceError(%s): %v (%v)", loc.Query().Get("error"), err, c)
	}
	return c.Errors[0]
}

// wantErrorPage checks an answer sends the browser to the error UI with an
// error of the given code.
func (e *env) wantErrorPage(r sdk.BrowserResponse, code int) {
	e.t.Helper()
	if r.StatusCode != http.StatusFound {
		e.t.Fatalf("answer %d, want a redirect to the error page; body %s", r.StatusCode, r.Body)
	}
	got := e.errorAt(r.Location(e.t))
	if c, _ := got["code"].(float64); int(c) != code {
		e.t.Fatalf("error page shows %v, want code %d", got, code)
	}
}

// identities lists every identity through the admin API.
func (e *env) identities() []client.Identity {
	e.t.Helper()
	list, res, err := e.admin.AdminApi.ListIdentities(context.Background()).Execute()
	if err != nil || res.StatusCode != http.StatusOK {
		e.t.Fatalf("ListIdentities: %v", err)
	}
	return list
}

// nodeValue is the value of the input named name, and whether it has one.
func nodeValue(t testing.TB, nodes []client.UiNode, name string) (string, bool) {
	t.Helper()
	for _, n := range nodes {
		in := n.Attributes.UiNodeInputAttributes
		if in == nil || in.Name != name {
			continue
		}
		if in.Value == nil || in.Value.String == nil {
			return "", false
		}
		return *in.Value.String, true
	}
	t.Fatalf("no input named %q among the nodes", name)
	return "", false
}

// nodeMessages are the message ids on the input named name.
func nodeMessages(nodes []client.UiNode, name string) []int64 {
	var ids []int64
	for _, n := range nodes {
		if in := n.Attributes.UiNodeInputAttributes; in != nil && in.Name == name {
			for _, m := range n.Messages {
				ids = append(ids, m.Id)
			}
		}
	}
	return ids
}

func messageIDs(ms []client.UiText) []int64 {
	var ids []int64
	for _, m := range ms {
		ids = append(ids, m.Id)
	}
	return ids
}

func has(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// flows fetch a flow with the SDK as the app's page would.
func (b *browser) loginFlow(id string) *client.LoginFlow {
	b.T.Helper()
	f, _, err := b.SDK.PublicApi.GetSelfServiceLoginFlow(context.Background()).Id(id).Execute()
	if err != nil {
		b.T.Fatalf("GetSelfServiceLoginFlow(%s): %v", id, err)
	}
	return f
}

func (b *browser) registrationFlow(id string) *client.RegistrationFlow {
	b.T.Helper()
	f, _, err := b.SDK.PublicApi.GetSelfServiceRegistrationFlow(context.Background()).Id(id).Execute()
	if err != nil {
		b.T.Fatalf("GetSelfServiceRegistrationFlow(%s): %v", id, err)
	}
	return f
}

func (b *browser) settingsFlow(id string) *client.SettingsFlow {
	b.T.Helper()
	f, _, err := b.SDK.PublicApi.GetSelfServiceSettingsFlow(context.Background()).Id(id).Execute()
	if err != nil {
		b.T.Fatalf("GetSelfServiceSettingsFlow(%s): %v", id, err)
	}
	return f
}

// submit posts a form to a flow.
func (b *browser) submit(kind, id string, v url.Values, headers ...string) sdk.BrowserResponse {
	b.T.Helper()
	return b.PostForm(b.e.public+"self-service/"+kind+"?flow="+id, v, headers...)
}

// register signs a new user up in this browser and returns the answer.
func (b *browser) register(email string) sdk.BrowserResponse {
	b.T.Helper()
	id := b.start("registration", "")
	tok, _ := nodeValue(b.T, b.registrationFlow(id).Ui.Nodes, "csrf_token")
	r := b.submit("registration", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "traits.email": {email}, "password": {password}})
	if r.StatusCode != http.StatusFound || r.SetCookie("ory_kratos_session") == nil {
		b.T.Fatalf("registration: %d to %q without a session cookie; body %s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	return r
}

// login signs an existing user in through a new flow started with query.
func (b *browser) login(query, email, pw string) sdk.BrowserResponse {
	b.T.Helper()
	id := b.start("login", query)
	tok, _ := nodeValue(b.T, b.loginFlow(id).Ui.Nodes, "csrf_token")
	return b.submit("login", id, url.Values{"csrf_token": {tok}, "method": {"password"}, "password_identifier": {email}, "password": {pw}})
}
