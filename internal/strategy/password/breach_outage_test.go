package password_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/strategy/password"
)

// TestBreachOutageIsLoggedOncePerPeriod: while the range API is down every
// sign-up still goes through (ignore_network_errors), and the log gets one
// warning per period that says how many failures it held back, not one per
// request.
func TestBreachOutageIsLoggedOncePerPeriod(t *testing.T) {
	t.Parallel()
	failing, _ := rangeServer(t, http.StatusServiceUnavailable, nil)
	var logged bytes.Buffer
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	p := password.NewPolicy(password.Policy{
		MinLength: 8, CheckBreaches: true, BreachHost: failing.URL, IgnoreNetworkErrors: true,
		Log: slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &logged}, nil)),
		Now: func() time.Time { return now },
	})
	check := func() {
		if got := p.Check(context.Background(), "Unlisted-pass-77", nil); got != "" {
			t.Fatalf("refused during an outage with ignore_network_errors: %q", got)
		}
	}
	for range 3 {
		check()
	}
	if n := strings.Count(logged.String(), "breached-password check failed"); n != 1 {
		t.Fatalf("3 failed lookups in a row logged %d warnings, want 1:\n%s", n, logged.String())
	}
	now = now.Add(5 * time.Minute)
	check()
	out := logged.String()
	if n := strings.Count(out, "breached-password check failed"); n != 2 {
		t.Fatalf("after the period, %d warnings, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "failures_not_logged=2") {
		t.Errorf("the second warning does not say 2 failures were held back:\n%s", out)
	}
}

// TestBreachLookupGivesUp: a range API that never answers holds a sign-up
// only for the configured timeout: the server sees the client give up.
func TestBreachLookupGivesUp(t *testing.T) {
	t.Parallel()
	gaveUp := make(chan bool, 1)
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			gaveUp <- true
		case <-time.After(30 * time.Second):
			gaveUp <- false
		}
	}))
	t.Cleanup(hung.Close)
	p := password.NewPolicy(password.Policy{
		MinLength: 8, CheckBreaches: true, BreachHost: hung.URL, IgnoreNetworkErrors: true, Timeout: 50 * time.Millisecond,
	})
	if got := p.Check(context.Background(), "Unlisted-pass-77", nil); got != "" {
		t.Fatalf("refused after a timed-out lookup with ignore_network_errors: %q", got)
	}
	if !<-gaveUp {
		t.Fatal("the lookup waited for the range API instead of giving up at its timeout")
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
