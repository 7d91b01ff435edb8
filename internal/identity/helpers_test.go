package identity_test

import (
	"context"
	"net/http"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// env is a running Latchkey with a client of the reference's Go SDK
// pointed at its admin port.
type env struct {
	t   *testing.T
	srv *testkit.Server
	sdk *client.APIClient
}

func start(t *testing.T, dsn string) *env {
	t.Helper()
	srv := testkit.Start(t, testkit.Config(t, dsn, nil))
	return &env{t: t, srv: srv, sdk: sdk.NewClient(srv.AdminURL, nil)}
}

func startSQLite(t *testing.T) *env {
	t.Helper()
	return start(t, testkit.NewDatabase(t, "sqlite"))
}

// do sends a request as any HTTP client would (redirects followed, no
// Accept header); headers come in name, value pairs.
func do(t *testing.T, method, url, contentType string, body []byte, headers ...string) sdk.Response {
	t.Helper()
	return sdk.Request(t, http.DefaultClient, method, url, contentType, body, headers...)
}

func (e *env) admin(method, path, contentType string, body []byte) sdk.Response {
	e.t.Helper()
	return do(e.t, method, e.srv.AdminURL+path, contentType, body)
}

// createRaw posts traits and requires a 201; it returns the identity JSON.
func (e *env) createRaw(traits string) map[string]any {
	e.t.Helper()
	r := e.admin("POST", "identities", "application/json", []byte(`{"schema_id":"default","traits":`+traits+`}`))
	if r.Status != http.StatusCreated {
		e.t.Fatalf("create %s: %d %s", traits, r.Status, r.Body)
	}
	return sdk.DecodeObject(e.t, r.Body)
}

// countRows counts a table's rows, optionally those of one identity.
func (e *env) countRows(table, identityID string) int {
	e.t.Helper()
	db := e.srv.App.DB
	q, args := `SELECT COUNT(*) FROM `+table, []any{}
	if identityID != "" {
		q += ` WHERE identity_id = ?`
		args = append(args, identityID)
	}
	var n int
	if err := db.SQL.QueryRowContext(context.Background(), db.Q(q), args...).Scan(&n); err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}
