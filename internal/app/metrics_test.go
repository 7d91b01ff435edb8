package app_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// TestOperationalMetrics: /metrics/prometheus shows the database pool, the
// mail queue (depth and the age of its oldest unsent message), and each web
// hook's latency and failures, beside the request series.
func TestOperationalMetrics(t *testing.T) {
	t.Parallel()
	testkit.EachDatabase(t, testOperationalMetrics)
}

func testOperationalMetrics(t *testing.T, dsn string) {
	hookSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(hookSrv.Close)
	cfg := testkit.Config(t, dsn, func(c *config.Config) {
		c.SelfService.Flows.Recovery.Enabled = true // mail is queued; no courier runs in tests
		after := &c.SelfService.Flows.Registration.After.Password
		after.Hooks = append(after.Hooks, config.Hook{Hook: "web_hook", Config: &config.WebHookConfig{
			URL: hookSrv.URL, Method: "POST", Response: config.WebHookResponse{Ignore: true}}})
	})
	s := testkit.Start(t, cfg)
	sdk.Register(t, s, "ada@example.com", sdk.GoodPassword)
	f := sdk.Init(t, s, "recovery")
	if r := sdk.Submit(t, s, "recovery", f.ID, "application/json", []byte(`{"method":"link","email":"ada@example.com"}`)); r.Status != http.StatusOK {
		t.Fatalf("recovery: %d %s", r.Status, r.Body)
	}
	// The hook runs in the background: wait for its first failure.
	failures := regexp.MustCompile(`(?m)^latchkey_web_hook_failures_total\{[^}]*\} (\S+)$`)
	var body string
	for deadline := time.Now().Add(10 * time.Second); ; {
		body = string(sdk.Do(t, "GET", s.AdminURL+"metrics/prometheus", "", nil, "Accept", "text/plain").Body)
		if m := failures.FindStringSubmatch(body); m != nil && m[1] != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the failing hook was never counted:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{
		`go_sql_open_connections{db_name="` + string(s.App.DB.Dialect) + `"}`,
		`latchkey_courier_queue_messages 1`,
		`latchkey_courier_queue_readable 1`,
		`latchkey_web_hook_failures_total{hook="selfservice.flows.registration.after.password.hooks[1]"} `,
		`latchkey_web_hook_duration_seconds_count{hook="selfservice.flows.registration.after.password.hooks[1]"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if m := regexp.MustCompile(`(?m)^latchkey_courier_oldest_unsent_age_seconds (\S+)$`).FindStringSubmatch(body); m == nil {
		t.Error("metrics lack the age of the oldest unsent message")
	} else if age, _ := strconv.ParseFloat(m[1], 64); age <= 0 {
		t.Errorf("oldest unsent message is %v s old, want more than 0", age)
	}
}
