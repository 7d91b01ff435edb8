package testkit

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/tracing"
)

// Server is a running Latchkey with both ports on loopback.
type Server struct {
	App       *app.App
	PublicURL string // with a trailing slash
	AdminURL  string
	// PublicAddr is the public listener's host:port. It differs from
	// PublicURL's host when the test configured a base URL that does not
	// resolve (as behind a proxy); clients then dial PublicAddr.
	PublicAddr string
	// Clock is the app's clock: a test moves it (Clock.Advance) to reach an
	// expiry instead of sleeping.
	Clock *clock.Adjustable

	stop    func()
	secrets *watch
}

// Watching reports whether the log check of this server looks for a
// secret: the sdk's clients report every one they send or receive.
func (s *Server) Watching(secret string) bool {
	s.secrets.mu.Lock()
	defer s.secrets.mu.Unlock()
	return s.secrets.secrets[secret]
}

// Stop stops serving now: it returns once the listeners and the courier
// the server runs have finished, so a test can count what the server did
// without sleeping. The database stays open until the test ends.
func (s *Server) Stop() { s.stop() }

// Options change how Start runs the app. The zero value is Start's.
type Options struct {
	// Log receives the app's log (at the configured level). nil means
	// none, or stderr when LATCHKEY_TEST_LOG is set; a test that asserts
	// on log lines passes its own writer.
	Log io.Writer
	// Now replaces the app's clock of throttling and sessions.
	Now func() time.Time
	// Tracing replaces the configured tracing (a provider recording in
	// memory).
	Tracing *tracing.Tracing
	// OIDCClient replaces social sign-in's HTTP client (to reach the test's
	// stand-ins for providers' user APIs).
	OIDCClient *http.Client
	// PublicHost, when set, names the public base URL's host instead of
	// 127.0.0.1 (WebAuthn needs a domain: "localhost").
	PublicHost string
}

// Config returns a configuration for a test: the given DSN, a fixed secret,
// bcrypt at its cheapest cost, no network checks, and the session hook after
// registration. mutate may change anything before it is validated.
func Config(t testing.TB, dsn string, mutate func(*config.Config)) config.Config {
	t.Helper()
	f := false
	c := config.Config{DSN: dsn, Dev: true}
	c.Secrets.Default = []string{"test-secret-0123456789abcdef"}
	c.Hashers.Bcrypt.Cost = 4
	c.SelfService.Methods.Password.Config.HaveIBeenPwnedEnabled = &f
	c.SelfService.Flows.Registration.After.Password.Hooks = []config.Hook{{Hook: "session"}}
	c.WatchCourier = &f
	// Every test client shares the loopback address; only the throttling
	// tests limit it.
	free := 1000
	c.Throttle.Address = config.ThrottleRule{Free: &free, Limit: 10000}
	if mutate != nil {
		mutate(&c)
	}
	return c
}

// Start builds the app from cfg as main does (migrating the database) and
// serves it on two loopback ports until the test ends. The configured base
// URLs are replaced by the real addresses unless they were set.
func Start(t testing.TB, cfg config.Config) *Server {
	t.Helper()
	return StartWith(t, cfg, Options{})
}

// StartSQLite is Start on a fresh SQLite database with the test Config,
// changed by mutate: what most flow tests run against.
func StartSQLite(t testing.TB, mutate func(*config.Config)) *Server {
	t.Helper()
	return Start(t, Config(t, NewDatabase(t, "sqlite"), mutate))
}

// StartWith is Start with Options.
func StartWith(t testing.TB, cfg config.Config, o Options) *Server {
	t.Helper()
	pub, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adm, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Serve.Public.BaseURL == "" {
		cfg.Serve.Public.BaseURL = fmt.Sprintf("http://%s/", pub.Addr())
		if o.PublicHost != "" {
			cfg.Serve.Public.BaseURL = fmt.Sprintf("http://%s:%d/", o.PublicHost, pub.Addr().(*net.TCPAddr).Port)
		}
	}
	if cfg.Serve.Admin.BaseURL == "" {
		cfg.Serve.Admin.BaseURL = fmt.Sprintf("http://%s/", adm.Addr())
	}
	if o.Log == nil && cfg.Log.Level == "" {
		// Nobody reads this log but the secret watch: the most verbose
		// level gives it the most to look at.
		cfg.Log.Level = "trace"
	}
	loaded, err := config.FromStruct(cfg)
	if err != nil {
		t.Fatalf("test config is invalid: %v", err)
	}
	logOut := o.Log
	if logOut == nil {
		logOut = io.Discard
		if os.Getenv("LATCHKEY_TEST_LOG") != "" {
			logOut = os.Stderr
		}
	}
	hosts := []string{pub.Addr().String(), adm.Addr().String()}
	for _, base := range []string{loaded.Serve.Public.BaseURL, loaded.Serve.Admin.BaseURL} {
		if u, err := url.Parse(base); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	secrets, unwatch := newWatch(hosts...)
	log := app.NewLogger(loaded.Log, io.MultiWriter(logOut, secrets))
	clk := &clock.Adjustable{}
	now := clk.Clock()
	if o.Now != nil {
		now = o.Now
	}
	a, err := app.New(context.Background(), loaded, log, app.Options{Migrate: true, Clock: now, Tracing: o.Tracing, OIDCClient: o.OIDCClient})
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, app.Listeners{Public: pub, Admin: adm}) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(func() {
		stop()
		a.Close()
		unwatch()
		secrets.check(t)
	})
	return &Server{App: a, PublicURL: loaded.Serve.Public.BaseURL, AdminURL: loaded.Serve.Admin.BaseURL, PublicAddr: pub.Addr().String(), Clock: clk, stop: stop, secrets: secrets}
}
