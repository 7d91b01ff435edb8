package health_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	client "github.com/ory/kratos-client-go"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/testkit"
)

func get(t *testing.T, url string) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func sdkFor(base string) *client.APIClient {
	cfg := client.NewConfiguration()
	cfg.Servers = client.ServerConfigurations{{URL: strings.TrimSuffix(base, "/")}}
	return client.NewAPIClient(cfg)
}

// TestOperationsEndpoints checks which port answers what: health on both,
// version and metrics only on the admin port, as the reference does.
func TestOperationsEndpoints(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		srv := testkit.Start(t, testkit.Config(t, dsn, nil))
		for _, tc := range []struct {
			base, path string
			status     int
			body       string
		}{
			{srv.PublicURL, "health/alive", 200, `{"status":"ok"}`},
			{srv.PublicURL, "health/ready", 200, `{"status":"ok"}`},
			{srv.AdminURL, "health/alive", 200, `{"status":"ok"}`},
			{srv.AdminURL, "health/ready", 200, `{"status":"ok"}`},
			{srv.AdminURL, "version", 200, `{"version":"` + app.Version + `"}`},
			{srv.PublicURL, "version", 404, ""},
			{srv.PublicURL, "metrics/prometheus", 404, ""},
			{srv.PublicURL, "identities", 404, ""},
		} {
			t.Run(tc.base+tc.path, func(t *testing.T) {
				status, header, body := get(t, tc.base+tc.path)
				if status != tc.status {
					t.Fatalf("status %d, want %d: %s", status, tc.status, body)
				}
				if tc.body != "" && strings.TrimSpace(string(body)) != tc.body {
					t.Errorf("body %s, want %s", body, tc.body)
				}
				if !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
					t.Errorf("Content-Type = %q", header.Get("Content-Type"))
				}
				if status == 404 {
					var env struct {
						Error struct{ Code int } `json:"error"`
					}
					if json.Unmarshal(body, &env) != nil || env.Error.Code != 404 {
						t.Errorf("404 is not in the error envelope: %s", body)
					}
				}
			})
		}
	})
}

// TestOperationsThroughTheSDK: monitoring written against the reference's
// SDK reads Latchkey's answers.
func TestOperationsThroughTheSDK(t *testing.T) {
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), nil))
	ctx := context.Background()
	admin := sdkFor(srv.AdminURL).AdminApi

	alive, _, err := admin.IsAlive(ctx).Execute()
	if err != nil || alive.Status != "ok" {
		t.Errorf("IsAlive = %+v, %v", alive, err)
	}
	ready, _, err := admin.IsReady(ctx).Execute()
	if err != nil || ready.Status != "ok" {
		t.Errorf("IsReady = %+v, %v", ready, err)
	}
	v, _, err := admin.GetVersion(ctx).Execute()
	if err != nil || v.Version != app.Version {
		t.Errorf("GetVersion = %+v, %v; want %s", v, err, app.Version)
	}

	// A request to an identity by id, then the metrics: the route is
	// counted by its pattern, never by the raw id (which would grow the
	// label set without bound).
	id := "5b7c7a3e-1111-4222-8333-944455556666"
	if status, _, _ := get(t, srv.AdminURL+"identities/"+id); status != 404 {
		t.Fatalf("GET unknown identity: %d", status)
	}
	resp, err := admin.Prometheus(ctx).Execute()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Prometheus: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(body)
	if !strings.Contains(text, "latchkey_http_requests_total") || !strings.Contains(text, `route="GET /identities/{id}"`) {
		t.Errorf("metrics lack the request counter for GET /identities/{id}:\n%s", text)
	}
	if strings.Contains(text, id) {
		t.Errorf("metrics carry a raw identity id")
	}
}

// TestReadinessFollowsTheDatabase: /health/ready fails when the database
// is gone, on both ports, in the shape the SDK expects for 503.
func TestReadinessFollowsTheDatabase(t *testing.T) {
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), nil))
	srv.App.DB.SQL.Close()
	for _, base := range []string{srv.PublicURL, srv.AdminURL} {
		status, _, body := get(t, base+"health/ready")
		if status != http.StatusServiceUnavailable {
			t.Fatalf("%shealth/ready: %d, want 503", base, status)
		}
		var out struct {
			Errors map[string]string `json:"errors"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.Errors["database"] == "" {
			t.Errorf("503 body = %s, want {\"errors\":{\"database\":...}}", body)
		}
		if status, _, _ := get(t, base+"health/alive"); status != 200 {
			t.Errorf("%shealth/alive: %d, want 200 while the process runs", base, status)
		}
	}
	_, resp, err := sdkFor(srv.AdminURL).AdminApi.IsReady(context.Background()).Execute()
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("SDK IsReady during the outage: %v, want a 503 error", err)
	}
}
