package tracing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/tracing"
)

// TestOTLPHTTPExport: tracing.provider otlp sends spans over OTLP/HTTP to
// the configured server_url with the configured headers, at the latest
// when the app shuts down.
func TestOTLPHTTPExport(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("X-Tenant")+" "+r.Header.Get("Content-Type"))
		mu.Unlock()
	}))
	t.Cleanup(collector.Close)
	ctx := context.Background()
	tr, err := tracing.New(ctx, config.Tracing{Provider: "otlp", ServiceName: "test", Providers: config.TracingProviders{
		OTLP: config.OTLP{ServerURL: collector.URL, Protocol: "http", Headers: map[string]string{"X-Tenant": "blue"}},
	}}, "v0")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Requests("public") == nil || tr.OpenDB("sqlite") == nil {
		t.Fatal("tracing on, but no request spans or database spans")
	}
	_, span := tr.Tracer().Start(ctx, "work")
	span.End()
	if err := tr.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "POST /v1/traces blue application/x-protobuf" {
		t.Fatalf("collector received %q, want one POST /v1/traces with the header", got)
	}
}

// TestOffCostsNothing: with tracing off the request log and the database
// get no hook at all, so whoami runs exactly as without tracing.
func TestOffCostsNothing(t *testing.T) {
	t.Parallel()
	tr, err := tracing.New(context.Background(), config.Tracing{}, "v0")
	if err != nil {
		t.Fatal(err)
	}
	if tr.On() || tr.Requests("public") != nil || tr.OpenDB("sqlite") != nil {
		t.Fatal("tracing off still hooks requests or the database")
	}
}
