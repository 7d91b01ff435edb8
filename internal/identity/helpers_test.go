package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/testkit"
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
	return &env{t: t, srv: srv, sdk: sdkFor(srv.AdminURL)}
}

func startSQLite(t *testing.T) *env {
	t.Helper()
	return start(t, testkit.NewDatabase(t, "sqlite"))
}

// sdkFor builds an SDK client as an app would: the SDK appends paths that
// start with a slash, so the base has none.
func sdkFor(base string) *client.APIClient {
	cfg := client.NewConfiguration()
	cfg.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(base, "/")}}
	return client.NewAPIClient(cfg)
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
		t.Fatalf("read body of %s %s: %v", method, url, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) admin(method, path, contentType string, body []byte) response {
	e.t.Helper()
	return do(e.t, method, e.srv.AdminURL+path, contentType, body)
}

// createRaw posts traits and requires a 201; it returns the identity JSON.
func (e *env) createRaw(traits string) map[string]any {
	e.t.Helper()
	r := e.admin("POST", "identities", "application/json", []byte(`{"schema_id":"default","traits":`+traits+`}`))
	if r.status != http.StatusCreated {
		e.t.Fatalf("create %s: %d %s", traits, r.status, r.body)
	}
	return decodeObject(e.t, r.body)
}

func decodeObject(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, b)
	}
	return m
}

// wantError checks a response is status in the reference's error envelope:
// {"error":{"code":N,"status":"<text>","message":"..."}} as application/json.
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

// sdkStatus is the HTTP status behind an SDK call's result.
func sdkStatus(t *testing.T, resp *http.Response, err error) int {
	t.Helper()
	if resp == nil {
		t.Fatalf("no HTTP response: %v", err)
	}
	return resp.StatusCode
}

func sdkJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
