package httpx_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/testkit"
)

// server runs Latchkey with serve.public.cors set by mutate and returns it
// with a session cookie value for a signed-in user.
func server(t *testing.T, mutate func(*config.CORS)) (*testkit.Server, string) {
	t.Helper()
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		if mutate != nil {
			mutate(&c.Serve.Public.CORS)
		}
	}))
	ctx := context.Background()
	i, err := srv.App.Identities.Create(ctx, identity.Draft{Traits: json.RawMessage(`{"email":"spa@example.com"}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := srv.App.Sessions.Issue(ctx, i, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return srv, tok
}

// send makes a request; headers in name, value pairs.
func send(t *testing.T, method, u string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k+1 < len(headers); k += 2 {
		req.Header.Set(headers[k], headers[k+1])
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

func acao(r *http.Response) string { return r.Header.Get("Access-Control-Allow-Origin") }
func acac(r *http.Response) string { return r.Header.Get("Access-Control-Allow-Credentials") }

// TestCORSListedOriginWithCredentials: a single-page app on a listed origin
// reads whoami with the visitor's cookie; any other origin is not told it
// may read anything.
func TestCORSListedOriginWithCredentials(t *testing.T) {
	srv, tok := server(t, func(c *config.CORS) {
		c.Enabled = true
		c.AllowedOrigins = []string{"https://app.example"}
	})
	whoami := srv.PublicURL + "sessions/whoami"
	cookie := "ory_kratos_session=" + tok

	r := send(t, "GET", whoami, "Origin", "https://app.example", "Cookie", cookie)
	if r.StatusCode != http.StatusOK || acao(r) != "https://app.example" || acac(r) != "true" {
		t.Errorf("listed origin: %d, Allow-Origin %q, Allow-Credentials %q; want 200, the origin and true", r.StatusCode, acao(r), acac(r))
	}
	if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
		t.Errorf("Vary = %q, want Origin: the answer differs per origin", r.Header.Values("Vary"))
	}
	// Signed out, the app must still be able to read the 401.
	if r := send(t, "GET", whoami, "Origin", "https://app.example"); r.StatusCode != http.StatusUnauthorized || acao(r) != "https://app.example" {
		t.Errorf("listed origin, no cookie: %d, Allow-Origin %q; want 401 readable by the app", r.StatusCode, acao(r))
	}

	for _, origin := range []string{"https://evil.example", "https://app.example.evil.example", "http://app.example", "https://app.example:8443", "null"} {
		r := send(t, "GET", whoami, "Origin", origin, "Cookie", cookie)
		if acao(r) != "" || acac(r) != "" {
			t.Errorf("origin %s: Allow-Origin %q, Allow-Credentials %q; want neither", origin, acao(r), acac(r))
		}
	}

	// Preflight for a request with the session token header, named in
	// lower case as browsers send it (Fetch standard).
	r = send(t, "OPTIONS", whoami, "Origin", "https://app.example", "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "content-type,x-session-token")
	if r.StatusCode/100 != 2 || acao(r) != "https://app.example" || acac(r) != "true" {
		t.Errorf("preflight: %d, Allow-Origin %q, Allow-Credentials %q; want 2xx, the origin, true", r.StatusCode, acao(r), acac(r))
	}
	if m := r.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, "GET") {
		t.Errorf("preflight Allow-Methods %q, want GET", m)
	}
	if h := strings.ToLower(r.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "x-session-token") {
		t.Errorf("preflight Allow-Headers %q, want X-Session-Token", h)
	}
	r = send(t, "OPTIONS", whoami, "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	if acao(r) != "" || acac(r) != "" {
		t.Errorf("preflight from another origin: Allow-Origin %q, Allow-Credentials %q; want neither", acao(r), acac(r))
	}
	// CORS is for the public API only; the admin API is never for browsers.
	if r := send(t, "GET", srv.AdminURL+"identities", "Origin", "https://app.example"); acao(r) != "" {
		t.Errorf("admin API answered Allow-Origin %q", acao(r))
	}
}

// TestCORSWildcardNeverGetsCredentials: "*" with allow_credentials would let
// every site read a visitor's session; the wildcard is honoured without
// credentials.
func TestCORSWildcardNeverGetsCredentials(t *testing.T) {
	for _, origins := range [][]string{{"*"}, {"https://app.example", "*"}} {
		srv, tok := server(t, func(c *config.CORS) {
			c.Enabled = true
			c.AllowedOrigins = origins
			yes := true
			c.AllowCredentials = &yes
		})
		whoami := srv.PublicURL + "sessions/whoami"
		for _, origin := range []string{"https://app.example", "https://evil.example"} {
			r := send(t, "GET", whoami, "Origin", origin, "Cookie", "ory_kratos_session="+tok)
			if acac(r) == "true" {
				t.Errorf("%v, origin %s: Allow-Credentials true", origins, origin)
			}
			if acao(r) != "*" && acao(r) != "" && acac(r) != "" {
				t.Errorf("%v, origin %s: Allow-Origin %q with Allow-Credentials %q", origins, origin, acao(r), acac(r))
			}
			p := send(t, "OPTIONS", whoami, "Origin", origin, "Access-Control-Request-Method", "POST")
			if acac(p) == "true" {
				t.Errorf("%v, origin %s: preflight Allow-Credentials true", origins, origin)
			}
		}
		if r := send(t, "GET", whoami, "Origin", "https://evil.example"); acao(r) != "*" {
			t.Errorf("%v: Allow-Origin %q, want * (credential-less reads stay possible)", origins, acao(r))
		}
	}
}

// TestCORSDisabled: by default no CORS header is sent, preflight included.
func TestCORSDisabled(t *testing.T) {
	srv, tok := server(t, nil)
	whoami := srv.PublicURL + "sessions/whoami"
	for _, r := range []*http.Response{
		send(t, "GET", whoami, "Origin", "https://app.example", "Cookie", "ory_kratos_session="+tok),
		send(t, "OPTIONS", whoami, "Origin", "https://app.example", "Access-Control-Request-Method", "GET"),
	} {
		for k := range r.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s answered %s: %q with CORS disabled", r.Request.Method, k, r.Header.Get(k))
			}
		}
	}
}

// TestCORSWildcardPatternsNeverGetCredentials: rs/cors also accepts one "*"
// inside an origin, so "https://*" or "http*" match every site just as "*"
// does, and must not get credentials either. A subdomain pattern
// ("https://*.app.example") names the operator's own sites and may.
func TestCORSWildcardPatternsNeverGetCredentials(t *testing.T) {
	for _, origins := range [][]string{{"https://*"}, {"http*"}} {
		srv, tok := server(t, func(c *config.CORS) {
			c.Enabled = true
			c.AllowedOrigins = origins
		})
		r := send(t, "GET", srv.PublicURL+"sessions/whoami", "Origin", "https://evil.example", "Cookie", "ory_kratos_session="+tok)
		if acac(r) == "true" {
			t.Errorf("%v: any site may read the session: Allow-Origin %q, Allow-Credentials true", origins, acao(r))
		}
	}
	srv, tok := server(t, func(c *config.CORS) {
		c.Enabled = true
		c.AllowedOrigins = []string{"https://*.app.example"}
	})
	r := send(t, "GET", srv.PublicURL+"sessions/whoami", "Origin", "https://eu.app.example", "Cookie", "ory_kratos_session="+tok)
	if acao(r) != "https://eu.app.example" || acac(r) != "true" {
		t.Errorf("subdomain pattern: Allow-Origin %q, Allow-Credentials %q; want the origin with credentials", acao(r), acac(r))
	}
}
