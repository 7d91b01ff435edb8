package mailtest

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
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
	return &Env{T: t, Server: srv, Mail: mail, Public: srv.PublicURL, SDK: sdk.NewClient(srv.PublicURL, nil), Admin: sdk.NewClient(srv.AdminURL, nil)}
}

// DialPublic makes the env's public clients (SDK and browsers) connect to
// addr whatever host a URL names: the public base URL may then name a host
// that does not resolve, as behind a proxy.
func (e *Env) DialPublic(addr string) {
	e.dial = addr
	e.SDK = sdk.NewClient(e.Public, &http.Client{Transport: e.transport()})
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

// Browser opens a new browser profile on the public API (through the
// address given to DialPublic, if any).
func (e *Env) Browser() *sdk.Browser { return sdk.NewBrowser(e.T, e.Public, e.transport()) }

// MailedLink checks a mailed link is a link on the public base URL at path
// with a flow id and a token of 32 characters or more, and returns it.
func (e *Env) MailedLink(m Message, path string) string {
	e.T.Helper()
	link := m.Link(e.T)
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(link, e.Public+path+"?") || u.Query().Get("flow") == "" || len(u.Query().Get("token")) < 32 {
		e.T.Fatalf("mailed link %q, want %s%s?flow=<id>&token=<token>", link, e.Public, path)
	}
	return link
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
