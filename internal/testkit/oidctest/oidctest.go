// Package oidctest runs a real OpenID provider in-process for tests:
// zitadel's op package with the storage and login page of its example
// server. Users sign in at its login page with a username and a password;
// one web client (ClientID, ClientSecret) may redirect to one URI, set
// once the relying party listens.
package oidctest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// The one client and every user's password.
const (
	ClientID     = "latchkey"
	ClientSecret = "latchkey-client-secret-0123456789"
	Password     = "provider-password-1"
)

// Provider is a running OpenID provider.
type Provider struct {
	// URL is the issuer, without a trailing slash.
	URL string
	// Addr is where it listens (host:port), which differs from URL's host
	// for a provider started with StartAs.
	Addr  string
	users *users
	store *opStorage
}

// Start runs a provider until the test ends.
func Start(t testing.TB) *Provider {
	t.Helper()
	return start(t, "")
}

// StartAs runs a provider that calls itself issuer (say
// https://accounts.google.com) while it listens on a local address: a
// transport that sends issuer's host to Addr, dropping issuer's path,
// reaches it (see Transport).
func StartAs(t testing.TB, issuer string) *Provider {
	t.Helper()
	return start(t, issuer)
}

func start(t testing.TB, issuer string) *Provider {
	u := &users{m: map[string]*storage.User{}}
	st := &opStorage{Storage: storage.NewStorageWithClients(u, map[string]*storage.Client{})}
	srv := httptest.NewUnstartedServer(nil)
	if issuer == "" {
		issuer = "http://" + srv.Listener.Addr().String()
	}
	srv.Config.Handler = exampleop.SetupServer(issuer, st, slog.New(slog.NewTextHandler(io.Discard, nil)), false)
	srv.Start()
	t.Cleanup(srv.Close)
	return &Provider{URL: issuer, Addr: srv.Listener.Addr().String(), users: u, store: st}
}

// Transport routes requests for the hosts of providers started with
// StartAs to them (over plain HTTP, without the issuer's path prefix),
// and every other request through next (http.DefaultTransport if nil).
func Transport(next http.RoundTripper, providers ...*Provider) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return routes{next: next, providers: providers}
}

type routes struct {
	next      http.RoundTripper
	providers []*Provider
}

func (rt routes) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, p := range rt.providers {
		iss, err := url.Parse(p.URL)
		if err != nil || iss.Host != r.URL.Host {
			continue
		}
		out := r.Clone(r.Context())
		out.URL.Scheme, out.URL.Host = "http", p.Addr
		if prefix := strings.TrimSuffix(iss.Path, "/"); prefix != "" && strings.HasPrefix(out.URL.Path, prefix+"/") {
			out.URL.Path = strings.TrimPrefix(out.URL.Path, prefix)
			out.URL.RawPath = ""
		}
		return rt.next.RoundTrip(out)
	}
	return rt.next.RoundTrip(r)
}

// AddUser adds an account that signs in as username with Password.
func (p *Provider) AddUser(subject, username, email string, emailVerified bool, first, last string) {
	p.users.mu.Lock()
	defer p.users.mu.Unlock()
	p.users.m[subject] = &storage.User{ID: subject, Username: username, Password: Password, Email: email, EmailVerified: emailVerified, FirstName: first, LastName: last}
}

// SetRedirect is the client's one allowed redirect URI.
func (p *Provider) SetRedirect(uri string) { p.store.redirect.Store(&uri) }

// users is the provider's user directory.
type users struct {
	mu sync.Mutex
	m  map[string]*storage.User
}

func (u *users) GetUserByID(id string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m[id]
}

func (u *users) GetUserByUsername(name string) *storage.User {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, x := range u.m {
		if x.Username == name {
			return x
		}
	}
	return nil
}

func (u *users) ExampleClientID() string { return "service" }

// opStorage is the example storage with the one web client, whose ID
// tokens carry the profile and email claims (a relying party that reads
// only the ID token, as the reference does, needs them there).
type opStorage struct {
	*storage.Storage
	redirect atomic.Pointer[string]
}

type claimsClient struct{ op.Client }

func (claimsClient) IDTokenUserinfoClaimsAssertion() bool { return true }

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	r := s.redirect.Load()
	if id != ClientID || r == nil {
		return nil, errors.New("unknown client")
	}
	return claimsClient{storage.WebClient(ClientID, ClientSecret, *r)}, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != ClientID || secret != ClientSecret {
		return errors.New("invalid client credentials")
	}
	return nil
}

// SignIn signs in at the provider as username, as a browser would, starting
// from authURL (where the relying party sent the browser); hc must not
// follow redirects. It returns the URL the provider sends the browser back
// to, which the caller loads.
func (p *Provider) SignIn(t testing.TB, hc *http.Client, authURL, username string) string {
	t.Helper()
	auth, err := url.Parse(authURL)
	if err != nil {
		t.Fatalf("authorization URL %q: %v", authURL, err)
	}
	get := func(u string) *http.Response {
		t.Helper()
		res, err := hc.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	next := func(res *http.Response) *url.URL {
		t.Helper()
		loc, err := res.Location()
		if err != nil {
			t.Fatalf("%s answered %d without a Location", res.Request.URL, res.StatusCode)
		}
		return loc
	}
	login := next(get(auth.String()))
	id := login.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("the provider sent the browser to %s, want its login page", login)
	}
	res, err := hc.PostForm(p.URL+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {Password}})
	if err != nil {
		t.Fatalf("provider login: %v", err)
	}
	res.Body.Close()
	return next(get(next(res).String())).String()
}
