package mailtest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
)

// UIBase is where the test configuration puts every self-service page.
// Tests read redirects to it and never load it.
const UIBase = "https://app.example/"

// Config is testkit.Config with recovery and verification on, their UI
// (and every other page) under UIBase, the verification return URL at
// UIBase+"verified", mail going to mailURI, and the courier watched by
// serve. mutate runs last.
func Config(t testing.TB, dsn, mailURI string, mutate func(*config.Config)) config.Config {
	t.Helper()
	return testkit.Config(t, dsn, func(c *config.Config) {
		on := true
		c.WatchCourier = &on
		c.Courier.SMTP.ConnectionURI = mailURI
		c.Courier.SMTP.FromAddress = "accounts@latchkey.test"
		c.Courier.SMTP.FromName = "Latchkey Test"
		ss := &c.SelfService
		ss.DefaultBrowserReturnURL = UIBase + "home"
		ss.Flows.Login.UIURL = UIBase + "login"
		ss.Flows.Registration.UIURL = UIBase + "registration"
		ss.Flows.Settings.UIURL = UIBase + "settings"
		ss.Flows.Recovery.UIURL = UIBase + "recovery"
		ss.Flows.Verification.UIURL = UIBase + "verification"
		ss.Flows.Error.UIURL = UIBase + "error"
		ss.Flows.Recovery.Enabled = true
		ss.Flows.Verification.Enabled = true
		ss.Flows.Verification.After.DefaultBrowserReturnURL = UIBase + "verified"
		if mutate != nil {
			mutate(c)
		}
	})
}

// Env is a running Latchkey whose mail goes to an in-process SMTP server.
type Env struct {
	T      testing.TB
	Server *testkit.Server
	Mail   *Server
	Public string // the public base URL, with a trailing slash
	SDK    *client.APIClient
	Admin  *client.APIClient
	dial   string
}

// StartEnv runs a plain SMTP server and Latchkey on dsn (see Config).
func StartEnv(t testing.TB, dsn string, mutate func(*config.Config)) *Env {
	t.Helper()
	mail := Start(t, Options{})
	return NewEnv(t, testkit.Start(t, Config(t, dsn, mail.URI(), mutate)), mail)
}

// NewEnv wraps a running server and its mail server.
func NewEnv(t testing.TB, srv *testkit.Server, mail *Server) *Env {
	return &Env{T: t, Server: srv, Mail: mail, Public: srv.PublicURL, SDK: sdk(srv.PublicURL, nil), Admin: sdk(srv.AdminURL, nil)}
}

// DialPublic makes the env's public clients (SDK and browsers) connect to
// addr whatever host a URL names: the public base URL may then name a host
// that does not resolve, as behind a proxy.
func (e *Env) DialPublic(addr string) {
	e.dial = addr
	e.SDK = sdk(e.Public, &http.Client{Transport: e.transport()})
}

func (e *Env) transport() http.RoundTripper {
	if e.dial == "" {
		return http.DefaultTransport
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, e.dial)
	}
	return tr
}

func sdk(base string, hc *http.Client) *client.APIClient {
	c := client.NewConfiguration()
	c.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(base, "/")}}
	if hc != nil {
		c.HTTPClient = hc
	}
	return client.NewAPIClient(c)
}

// CreateIdentity creates an identity with an email (and no password)
// through the admin API.
func (e *Env) CreateIdentity(email string) *client.Identity {
	e.T.Helper()
	i, res, err := e.Admin.AdminApi.CreateIdentity(context.Background()).
		CreateIdentity(*client.NewCreateIdentity("default", map[string]interface{}{"email": email})).Execute()
	if err != nil || res.StatusCode != http.StatusCreated {
		e.T.Fatalf("CreateIdentity(%s): %v", email, err)
	}
	return i
}

// Identity reads an identity through the admin API.
func (e *Env) Identity(id string) *client.Identity {
	e.T.Helper()
	i, _, err := e.Admin.AdminApi.GetIdentity(context.Background(), id).Execute()
	if err != nil {
		e.T.Fatalf("GetIdentity(%s): %v", id, err)
	}
	return i
}

// Browser is one browser profile: a cookie jar, and no automatic
// redirects, so every Location can be checked. SDK sends its cookies.
type Browser struct {
	t    testing.TB
	e    *Env
	Jar  *cookiejar.Jar
	HTTP *http.Client
	SDK  *client.APIClient
}

// Browser opens a new browser profile.
func (e *Env) Browser() *Browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.T.Fatal(err)
	}
	hc := &http.Client{Jar: jar, Transport: e.transport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Browser{t: e.T, e: e, Jar: jar, HTTP: hc, SDK: sdk(e.Public, hc)}
}

// Response is an answer with its body read.
type Response struct {
	*http.Response
	Body []byte
}

// Location is the redirect target; it fails the test without one.
func (r Response) Location(t testing.TB) *url.URL {
	t.Helper()
	loc := r.Header.Get("Location")
	u, err := url.Parse(loc)
	if loc == "" || err != nil {
		t.Fatalf("answer %d has no usable Location (%q); body %s", r.StatusCode, loc, r.Body)
	}
	return u
}

// SetCookie is the Set-Cookie of a name in this answer, or nil.
func (r Response) SetCookie(name string) *http.Cookie {
	for _, c := range r.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Do sends a request; headers come in name, value pairs ("Host" sets the
// request's Host).
func (b *Browser) Do(method, u, contentType string, body []byte, headers ...string) Response {
	b.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, u, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k := 0; k+1 < len(headers); k += 2 {
		if strings.EqualFold(headers[k], "Host") {
			req.Host = headers[k+1]
			continue
		}
		req.Header.Set(headers[k], headers[k+1])
	}
	res, err := b.HTTP.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return Response{Response: res, Body: raw}
}

// Get loads a URL.
func (b *Browser) Get(u string, headers ...string) Response {
	b.t.Helper()
	return b.Do(http.MethodGet, u, "", nil, headers...)
}

// PostForm posts a form.
func (b *Browser) PostForm(u string, v url.Values, headers ...string) Response {
	b.t.Helper()
	return b.Do(http.MethodPost, u, "application/x-www-form-urlencoded", []byte(v.Encode()), headers...)
}

// Cookie is the value the jar would send to the public API, "" for none.
func (b *Browser) Cookie(name string) string {
	u, _ := url.Parse(b.e.Public)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// Whoami is the status of /sessions/whoami with this browser's cookies
// and the session's identity id when there is one.
func (b *Browser) Whoami() (int, string) {
	b.t.Helper()
	s, res, err := b.SDK.PublicApi.ToSession(context.Background()).Execute()
	if res == nil {
		b.t.Fatalf("whoami: %v", err)
	}
	if res.StatusCode != http.StatusOK || s == nil {
		return res.StatusCode, ""
	}
	return res.StatusCode, s.Identity.Id
}

// IDs are the ids of UI messages.
func IDs(ms []client.UiText) []int64 {
	ids := []int64{}
	for _, m := range ms {
		ids = append(ids, m.Id)
	}
	return ids
}

// NodeValue is the string value of the input named name ("" for none).
func NodeValue(nodes []client.UiNode, name string) string {
	for _, n := range nodes {
		if in := n.Attributes.UiNodeInputAttributes; in != nil && in.Name == name && in.Value != nil && in.Value.String != nil {
			return *in.Value.String
		}
	}
	return ""
}
