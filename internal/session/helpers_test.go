package session_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/testkit"
)

type env struct {
	t   *testing.T
	srv *testkit.Server
	sdk *client.APIClient // pointed at the public port
}

func start(t *testing.T, dsn string) *env {
	t.Helper()
	srv := testkit.Start(t, testkit.Config(t, dsn, nil))
	cfg := client.NewConfiguration()
	cfg.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(srv.PublicURL, "/")}}
	return &env{t: t, srv: srv, sdk: client.NewAPIClient(cfg)}
}

// login creates an identity with an email and issues it a session, as a
// successful login would; it returns the identity and the session token.
func (e *env) login(email string) (*identity.Identity, string) {
	e.t.Helper()
	ctx := context.Background()
	i, err := e.srv.App.Identities.Create(ctx, identity.Draft{Traits: json.RawMessage(`{"email":"` + email + `","name":"Test"}`)})
	if err != nil {
		e.t.Fatalf("create identity: %v", err)
	}
	_, tok, err := e.srv.App.Sessions.Issue(ctx, i, time.Now())
	if err != nil {
		e.t.Fatalf("issue session: %v", err)
	}
	return i, tok
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; headers come in name, value pairs.
func do(t *testing.T, method, url, contentType string, body []byte, headers ...string) response {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k := 0; k+1 < len(headers); k += 2 {
		req.Header.Set(headers[k], headers[k+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) whoami(method string, headers ...string) response {
	e.t.Helper()
	return do(e.t, method, e.srv.PublicURL+"sessions/whoami", "", nil, headers...)
}

func (e *env) revoke(contentType, body string) response {
	e.t.Helper()
	var b []byte
	if body != "" || contentType != "" {
		b = []byte(body)
	}
	return do(e.t, "DELETE", e.srv.PublicURL+"sessions", contentType, b)
}

// wantError checks a response is status in the reference's error envelope.
func wantError(t *testing.T, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	var env struct {
		Error *struct {
			Code    int    `json:"code"`
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &env); err != nil || env.Error == nil {
		t.Fatalf("body is not the error envelope: %v: %s", err, r.body)
	}
	if env.Error.Code != status || env.Error.Status != http.StatusText(status) || env.Error.Message == "" {
		t.Errorf("error envelope = %+v, want code %d, status %q and a message", *env.Error, status, http.StatusText(status))
	}
}
