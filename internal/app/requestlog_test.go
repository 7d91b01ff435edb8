package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// startLogged runs Latchkey with a JSON log at level into a buffer.
func startLogged(t *testing.T, level string, mutate func(*config.Config)) (*testkit.Server, *logBuffer) {
	t.Helper()
	buf := &logBuffer{}
	cfg := testkit.Config(t, testkit.NewDatabase(t, "sqlite"), func(c *config.Config) {
		c.Log.Level, c.Log.Format = level, "json"
		if mutate != nil {
			mutate(c)
		}
	})
	return testkit.StartWith(t, cfg, testkit.Options{Log: buf}), buf
}

// TestRequestLogLine: every request through the real router leaves one
// line with its method, route pattern, status, duration, size, client and
// id; the id is the proxy's when it sent a usable one, and comes back in
// the answer.
func TestRequestLogLine(t *testing.T) {
	t.Parallel()
	s, logs := startLogged(t, "info", nil)

	// An admin route with an id in its path: the line names the pattern.
	id := uuid.NewString()
	r := sdk.Do(t, "GET", s.AdminURL+"identities/"+id, "", nil, "X-Request-Id", "lb-7f3a")
	if r.Status != http.StatusNotFound || r.Header.Get("X-Request-Id") != "lb-7f3a" {
		t.Fatalf("GET identity: %d, X-Request-Id %q; want 404 and the id the proxy sent", r.Status, r.Header.Get("X-Request-Id"))
	}
	line := logs.find(t, "lb-7f3a")
	if line == nil {
		t.Fatalf("no request line with request_id lb-7f3a in\n%s", logs)
	}
	want := map[string]any{"level": "INFO", "server": "admin", "method": "GET", "route": "GET /identities/{id}", "status": float64(404), "client": "127.0.0.1"}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("%s = %v, want %v (line %v)", k, line[k], v, line)
		}
	}
	if b, _ := line["bytes"].(float64); b != float64(len(r.Body)) {
		t.Errorf("bytes = %v, want the body's %d", line["bytes"], len(r.Body))
	}
	if _, ok := line["duration"].(float64); !ok {
		t.Errorf("no duration in %v", line)
	}
	if strings.Contains(logs.String(), id) {
		t.Errorf("the raw path (with the identity id) was logged:\n%s", logs)
	}

	// Without an id (or with one that could forge log lines), one is made.
	for _, in := range []string{"", "two words", strings.Repeat("x", 200)} {
		r := sdk.Do(t, "GET", s.PublicURL+"self-service/login/api", "", nil, "X-Request-Id", in)
		got := r.Header.Get("X-Request-Id")
		if got == "" || got == in {
			t.Fatalf("incoming X-Request-Id %q: answer carries %q, want a new id", in, got)
		}
		line := logs.find(t, got)
		if line == nil || line["route"] != "GET /self-service/login/api" || line["server"] != "public" {
			t.Fatalf("line for %s: %v", got, line)
		}
		// The flow the request created is named.
		if f := sdk.DecodeFlow(t, r.Body); line["flow"] != f.ID {
			t.Errorf("flow = %v, want the new flow %s", line["flow"], f.ID)
		}
	}

	// Unknown routes are logged, under one name.
	r = sdk.Do(t, "GET", s.PublicURL+"no/such/page?token=abc", "", nil)
	if line := logs.find(t, r.Header.Get("X-Request-Id")); line == nil || line["route"] != "/" || line["status"] != float64(404) {
		t.Errorf("unknown route: line %v", line)
	}
	if strings.Contains(logs.String(), "token=abc") {
		t.Errorf("a query string was logged:\n%s", logs)
	}

	// Health checks are polled constantly: debug, not info.
	r = sdk.Do(t, "GET", s.PublicURL+"health/ready", "", nil)
	if line := logs.find(t, r.Header.Get("X-Request-Id")); line != nil {
		t.Errorf("a health check was logged at info: %v", line)
	}
}

// TestRequestLogRefusals: refused requests are logged at info with a
// reason a person can grep for.
func TestRequestLogRefusals(t *testing.T) {
	t.Parallel()
	s, logs := startLogged(t, "info", nil)
	b := sdk.NewBrowser(t, s.PublicURL, nil)

	r := b.Get(s.PublicURL + "self-service/login/browser?return_to=" + url.QueryEscape("https://evil.example/"))
	wantRefused(t, logs, r.Header.Get("X-Request-Id"), "return_to")

	r = b.Get(s.PublicURL + "self-service/login/browser")
	flowID := r.Location(t).Query().Get("flow")
	r = b.PostForm(s.PublicURL+"self-service/login?flow="+flowID, url.Values{"method": {"password"}, "csrf_token": {"forged"},
		"password_identifier": {"ada@example.com"}, "password": {sdk.GoodPassword}})
	line := wantRefused(t, logs, r.Header.Get("X-Request-Id"), "csrf")
	if line["flow"] != flowID || line["route"] != "POST /self-service/login" {
		t.Errorf("csrf refusal: flow %v route %v, want %s and the submit route", line["flow"], line["route"], flowID)
	}

	r = b.Get(s.PublicURL+"self-service/browser/flows/logout", "Sec-Fetch-Site", "cross-site")
	wantRefused(t, logs, r.Header.Get("X-Request-Id"), "cross_site")

	sdk.Register(t, s, "ada@example.com", sdk.GoodPassword)
	var last string
	for k := 0; k < 11; k++ {
		_, res, _ := sdk.TryLogin(t, s, "ada@example.com", "wrong-"+sdk.GoodPassword)
		last = res.Header.Get("X-Request-Id")
	}
	wantRefused(t, logs, last, "throttled")
}

func wantRefused(t *testing.T, logs *logBuffer, requestID, reason string) map[string]any {
	t.Helper()
	line := logs.find(t, requestID)
	if line == nil || line["level"] != "INFO" || line["reason"] != reason || line["msg"] != "request refused" {
		t.Fatalf("request %s: line %v, want an info line \"request refused\" with reason %s", requestID, line, reason)
	}
	return line
}

// TestRequestLogClientBehindProxy: the client address is read through
// trusted proxies only; a client cannot put another address in the log.
func TestRequestLogClientBehindProxy(t *testing.T) {
	t.Parallel()
	s, logs := startLogged(t, "info", func(c *config.Config) {
		c.Serve.Public.TrustedProxies = []string{"127.0.0.1"}
	})
	r := sdk.Do(t, "GET", s.PublicURL+"self-service/login/api", "", nil, "X-Forwarded-For", "198.51.100.4, 203.0.113.9")
	if line := logs.find(t, r.Header.Get("X-Request-Id")); line == nil || line["client"] != "203.0.113.9" {
		t.Errorf("through a trusted proxy: line %v, want client 203.0.113.9 (the hop the proxy saw)", line)
	}
	// The admin port has no proxies configured: its peer is the client.
	r = sdk.Do(t, "GET", s.AdminURL+"identities", "", nil, "X-Forwarded-For", "203.0.113.9")
	if line := logs.find(t, r.Header.Get("X-Request-Id")); line == nil || line["client"] != "127.0.0.1" {
		t.Errorf("admin port: line %v, want client 127.0.0.1", line)
	}
}
