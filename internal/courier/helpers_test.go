// Package courier_test checks that mail leaves as the courier promises:
// through a real SMTP server running in-process, with the queue in a real
// database, driven by the public API as users drive it.
package courier_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/mailtest"
)

// fastWorker makes retries quick enough for a test.
func fastWorker(w *courier.Worker, maxAttempts int) {
	w.Poll, w.Backoff, w.MaxBackoff, w.MaxAttempts = 20*time.Millisecond, 20*time.Millisecond, 100*time.Millisecond, maxAttempts
}

// runWorker runs w until the test ends (stopping it before the server).
func runWorker(t testing.TB, w *courier.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// startQuiet runs Latchkey on dsn with mail to mailURI and no worker of
// its own running: the test runs the workers it wants.
func startQuiet(t *testing.T, dsn, mailURI string, mutate func(*config.Config)) *mailtest.Env {
	t.Helper()
	cfg := mailtest.Config(t, dsn, mailURI, func(c *config.Config) {
		off := false
		c.WatchCourier = &off
		if mutate != nil {
			mutate(c)
		}
	})
	return mailtest.NewEnv(t, testkit.Start(t, cfg), nil)
}

// requestRecovery asks for a recovery link for email through an api flow
// and returns the status and body of the answer.
func requestRecovery(t *testing.T, e *mailtest.Env, email string) (int, []byte) {
	t.Helper()
	f, _, err := e.SDK.PublicApi.InitializeSelfServiceRecoveryForNativeApps(context.Background()).Execute()
	if err != nil {
		t.Fatalf("init recovery: %v", err)
	}
	r := e.Browser().Do(http.MethodPost, e.Public+"self-service/recovery?flow="+f.Id, "application/json",
		[]byte(`{"method":"link","email":"`+email+`"}`), "Accept", "application/json")
	return r.StatusCode, r.Body
}

// queue is every message row, newest first.
func queue(t testing.TB, e *mailtest.Env) []courier.Message {
	t.Helper()
	ms, err := e.Server.App.Store.Messages(context.Background(), 1000)
	if err != nil {
		t.Fatalf("read the queue: %v", err)
	}
	return ms
}

// waitQueue waits until the queue satisfies cond and returns it.
func waitQueue(t testing.TB, e *mailtest.Env, what string, cond func([]courier.Message) bool) []courier.Message {
	t.Helper()
	deadline := time.Now().Add(mailtest.DefaultWait)
	for {
		ms := queue(t, e)
		if cond(ms) {
			return ms
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queue never %s: %s", what, describe(ms))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func describe(ms []courier.Message) string {
	var b bytes.Buffer
	for _, m := range ms {
		fmt.Fprintf(&b, "\n  %s to %s: %s, %d attempts, last error %q", m.ID, m.Recipient, m.Status, m.Attempts, m.LastError)
	}
	return b.String()
}

// logBuffer is a log destination safe for concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLogged builds and serves the app as main does, with its log (at
// debug level) going to the returned buffer.
func startLogged(t *testing.T, cfg config.Config) (*mailtest.Env, *logBuffer) {
	t.Helper()
	cfg.Log.Level = "debug"
	logs := &logBuffer{}
	return mailtest.NewEnv(t, testkit.StartWith(t, cfg, testkit.Options{Log: logs}), nil), logs
}
