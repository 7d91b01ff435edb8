package session_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

type env struct {
	t   *testing.T
	srv *testkit.Server
	sdk *client.APIClient // pointed at the public port
}

func start(t *testing.T, dsn string) *env {
	t.Helper()
	srv := testkit.Start(t, testkit.Config(t, dsn, nil))
	return &env{t: t, srv: srv, sdk: sdk.NewClient(srv.PublicURL, nil)}
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

// do sends a request as any HTTP client would (redirects followed, no
// Accept header); headers come in name, value pairs.
func do(t *testing.T, method, url, contentType string, body []byte, headers ...string) sdk.Response {
	t.Helper()
	return sdk.Request(t, http.DefaultClient, method, url, contentType, body, headers...)
}

func (e *env) whoami(method string, headers ...string) sdk.Response {
	e.t.Helper()
	return do(e.t, method, e.srv.PublicURL+"sessions/whoami", "", nil, headers...)
}

func (e *env) revoke(contentType, body string) sdk.Response {
	e.t.Helper()
	var b []byte
	if body != "" || contentType != "" {
		b = []byte(body)
	}
	return do(e.t, "DELETE", e.srv.PublicURL+"sessions", contentType, b)
}
