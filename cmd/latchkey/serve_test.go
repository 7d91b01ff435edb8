package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/testkit"
)

// freePorts finds n distinct loopback ports nobody listens on: serve
// listens on the configured ports, so a test picks them. All n are held
// open together so they cannot be the same port.
func freePorts(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for k := 0; k < n; k++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out = append(out, strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	}
	return out
}

// serving is `latchkey serve` running in the background: done receives
// its exit code, cancel stops it as a signal would.
type serving struct {
	done           chan int
	cancel         context.CancelFunc
	stdout, stderr *testkit.LockedBuffer
}

func startServe(vars map[string]string, args ...string) *serving {
	ctx, cancel := context.WithCancel(context.Background())
	s := &serving{done: make(chan int, 1), cancel: cancel, stdout: &testkit.LockedBuffer{}, stderr: &testkit.LockedBuffer{}}
	go func() {
		s.done <- run(ctx, args, func(k string) string { return vars[k] }, strings.NewReader(""), s.stdout, s.stderr)
	}()
	return s
}

// waitReady polls url until it answers 200 or the command exits. It
// returns the exit code if the command ended first, or -1 once ready.
func (s *serving) waitReady(t *testing.T, url string) int {
	t.Helper()
	for {
		select {
		case code := <-s.done:
			return code
		default:
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return -1
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeDevStartsAndStopsCleanly: `serve --dev` migrates its SQLite
// database, serves both ports, and exits 0 when its context ends (SIGINT
// or SIGTERM in main).
func TestServeDevStartsAndStopsCleanly(t *testing.T) {
	ports := freePorts(t, 2)
	pub, adm := ports[0], ports[1]
	dsn := testkit.NewDatabase(t, "sqlite")
	s := startServe(map[string]string{"DSN": dsn, "SERVE_PUBLIC_PORT": pub, "SERVE_ADMIN_PORT": adm}, "serve", "--dev")
	if code := s.waitReady(t, "http://127.0.0.1:"+pub+"/health/ready"); code != -1 {
		t.Fatalf("serve --dev exited with %d before serving: %s", code, s.stderr)
	}
	resp, err := http.Get("http://127.0.0.1:" + adm + "/version")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Version string }
	_ = json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if v.Version != app.Version {
		t.Errorf("admin /version = %q, want %q", v.Version, app.Version)
	}
	// It is the real app: the admin API works against the migrated file.
	resp, err = http.Post("http://127.0.0.1:"+adm+"/identities", "application/json", strings.NewReader(`{"traits":{"email":"dev@example.com"}}`))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("create an identity on serve --dev: %d", resp.StatusCode)
	}

	s.cancel()
	if code := <-s.done; code != 0 {
		t.Fatalf("exit %d after cancel, want 0: %s", code, s.stderr)
	}
	if !strings.Contains(s.stdout.String(), "is serving") || !strings.Contains(s.stdout.String(), "127.0.0.1:"+pub) {
		t.Errorf("stdout %q does not say where it serves", s.stdout)
	}
	// The banner names the pages, the admin API and the dev mailbox.
	for _, want := range []string{"/ui/login", "/ui/registration", "/identities", "Dev mailbox:", "/ui/dev/mail"} {
		if !strings.Contains(s.stdout.String(), want) {
			t.Errorf("the banner does not name %q:\n%s", want, s.stdout)
		}
	}
	if err := schemaState(t, dsn); err != nil {
		t.Errorf("serve --dev left the database unmigrated: %v", err)
	}
	if _, err := http.Get("http://127.0.0.1:" + pub + "/health/alive"); err == nil {
		t.Error("the public port still answers after serve returned")
	}
}

// TestServeRefusesUnmigratedDatabase: outside dev mode nothing migrates
// by itself; serve stops and tells the operator what to run.
func TestServeRefusesUnmigratedDatabase(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		ports := freePorts(t, 2)
		pub, adm := ports[0], ports[1]
		cfg := writeFile(t, "kratos.yml", "dsn: "+dsn+"\nsecrets:\n  default: [a-production-secret-0123]\n")
		s := startServe(map[string]string{"SERVE_PUBLIC_PORT": pub, "SERVE_ADMIN_PORT": adm}, "serve", "-c", cfg)
		code := s.waitReady(t, "http://127.0.0.1:"+pub+"/health/alive")
		if code == -1 {
			s.cancel()
			<-s.done
			t.Fatal("serve started on an unmigrated database")
		}
		if code != 1 || !strings.Contains(s.stderr.String(), "latchkey migrate sql") {
			t.Errorf("exit %d, stderr %q; want 1 and a hint to run latchkey migrate sql", code, s.stderr)
		}
	})
}

// TestServeRefusesBadConfig: configuration mistakes stop serve before it
// listens, naming the key.
func TestServeRefusesBadConfig(t *testing.T) {
	dsn := testkit.NewDatabase(t, "sqlite")
	for _, tc := range []struct {
		name     string
		vars     map[string]string
		inStderr string
	}{
		{"no secrets outside dev", map[string]string{"DSN": dsn}, "secrets"},
		{"bad port", map[string]string{"DSN": dsn, "SECRETS_DEFAULT": "a-production-secret-0123", "SERVE_PUBLIC_PORT": "http"}, "serve.public.port"},
		{"unsupported dsn", map[string]string{"DSN": "oracle://db", "SECRETS_DEFAULT": "a-production-secret-0123"}, "oracle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ports := freePorts(t, 2)
			pub := ports[0]
			if tc.vars["SERVE_PUBLIC_PORT"] == "" {
				tc.vars["SERVE_PUBLIC_PORT"] = pub
				tc.vars["SERVE_ADMIN_PORT"] = ports[1]
			}
			s := startServe(tc.vars, "serve")
			code := s.waitReady(t, "http://127.0.0.1:"+pub+"/health/alive")
			if code == -1 {
				s.cancel()
				<-s.done
				t.Fatal("serve started")
			}
			if code != 1 || !strings.Contains(s.stderr.String(), tc.inStderr) {
				t.Errorf("exit %d, stderr %q; want 1 naming %s", code, s.stderr, tc.inStderr)
			}
		})
	}
}
