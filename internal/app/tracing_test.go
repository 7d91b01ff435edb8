package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
	"github.com/latchkey/latchkey/internal/tracing"
)

// TestLoginTrace: with tracing on, a login is one trace continuing the
// caller's traceparent: the request's span, named by its route, with the
// password comparison and the database queries beneath it, and the web
// hook called with a traceparent of the same trace. No span carries the
// password or the session token.
func TestLoginTrace(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var hookParents []string
	hookSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hookParents = append(hookParents, r.Header.Get("Traceparent"))
		mu.Unlock()
	}))
	t.Cleanup(hookSrv.Close)

	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.Log.Format = "json"
		c.SelfService.Flows.Login.After.Hooks = []config.Hook{{Hook: "web_hook", Config: &config.WebHookConfig{URL: hookSrv.URL, Method: "POST"}}}
	})
	logs := &logBuffer{}
	s := testkit.StartWith(t, cfg, testkit.Options{Tracing: tracing.With(tp), Log: logs})
	sdk.Register(t, s, "ada@example.com", sdk.GoodPassword)

	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	f := sdk.Init(t, s, "login")
	exp.Reset()
	r := sdk.Submit(t, s, "login", f.ID, "application/json",
		[]byte(`{"method":"password","password_identifier":"ada@example.com","password":"`+sdk.GoodPassword+`"}`),
		"Traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	if r.Status != http.StatusOK {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	token := sdk.DecodeObject(t, r.Body)["session_token"].(string)
	if line := logs.find(t, r.Header.Get("X-Request-Id")); line == nil || line["trace_id"] != traceID {
		t.Errorf("the request's log line %v does not name its trace %s", line, traceID)
	}
	s.App.Close() // waits for the web hook
	spans := exp.GetSpans()

	var req *tracetest.SpanStub
	for i := range spans {
		if spans[i].Name == "POST /self-service/login" {
			req = &spans[i]
		}
	}
	if req == nil {
		t.Fatalf("no span for the login request among %s", names(spans))
	}
	if req.SpanContext.TraceID().String() != traceID || req.Parent.SpanID().String() != "00f067aa0ba902b7" {
		t.Errorf("request span in trace %s under %s, want the caller's trace and span", req.SpanContext.TraceID(), req.Parent.SpanID())
	}
	under := func(sp tracetest.SpanStub) bool { // a descendant of the request span
		for p := sp.Parent.SpanID(); p.IsValid(); {
			if p == req.SpanContext.SpanID() {
				return true
			}
			found := false
			for _, o := range spans {
				if o.SpanContext.SpanID() == p {
					p, found = o.Parent.SpanID(), true
					break
				}
			}
			if !found {
				return false
			}
		}
		return false
	}
	var hash, queries, hook int
	for _, sp := range spans {
		switch {
		case !under(sp):
		case sp.Name == "hasher.compare":
			hash++
		case strings.HasPrefix(sp.Name, "sql."):
			queries++
		case sp.Name == "web_hook":
			hook++
		}
		for _, a := range append(sp.Attributes, sp.Resource.Attributes()...) {
			if v := a.Value.Emit(); strings.Contains(v, sdk.GoodPassword) || strings.Contains(v, token) || strings.Contains(v, "ada@example.com") {
				t.Errorf("span %s attribute %s holds a secret or a trait: %q", sp.Name, a.Key, v)
			}
		}
	}
	if hash != 1 || queries == 0 || hook != 1 {
		t.Errorf("under the request span: %d hash, %d query and %d web hook spans, want 1, some, 1; spans %s", hash, queries, hook, names(spans))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hookParents) != 1 || !strings.Contains(hookParents[0], traceID) {
		t.Errorf("the web hook got traceparent %q, want one in trace %s", hookParents, traceID)
	}
}

func names(spans tracetest.SpanStubs) string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name)
	}
	return strings.Join(out, ", ")
}
