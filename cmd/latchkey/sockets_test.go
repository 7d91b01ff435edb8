package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/testkit"
)

// unixClient is an HTTP client that dials one unix socket.
func unixClient(path string) *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
}

// TestServeOnUnixSockets: serve.{public,admin}.host unix:/path listens on
// unix sockets with the configured owner, group and mode (set here by the
// environment); --sqa-opt-out is accepted as the reference's scripts pass it.
func TestServeOnUnixSockets(t *testing.T) {
	dir := t.TempDir()
	pubSock, admSock := filepath.Join(dir, "public.sock"), filepath.Join(dir, "admin.sock")
	me, err := user.Current()
	if err != nil {
		t.Skipf("no current user: %v", err)
	}
	vars := map[string]string{
		"DSN": testkit.NewDatabase(t, "sqlite"), "SERVE_PUBLIC_HOST": "unix:" + pubSock, "SERVE_ADMIN_HOST": "unix:" + admSock,
		"SERVE_PUBLIC_SOCKET_MODE": "448", "SERVE_PUBLIC_SOCKET_OWNER": me.Username, "SERVE_ADMIN_SOCKET_MODE": "432",
	}
	s := startServe(vars, "serve", "--dev", "--sqa-opt-out")
	stopped := false
	defer func() {
		if !stopped {
			s.cancel()
			<-s.done
		}
	}()
	var resp *http.Response
	// Start-up computes the decoy hash (bcrypt, cost 12), which under the
	// race detector on a busy machine alone can take tens of seconds.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		select {
		case code := <-s.done:
			stopped = true
			t.Fatalf("serve exited with %d: %s", code, s.stderr)
		default:
		}
		resp, err = unixClient(pubSock).Get("http://latchkey/health/ready")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on %s: %v (%s)", pubSock, err, s.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("ready over the public socket: %d", resp.StatusCode)
	}
	resp, err = unixClient(admSock).Get("http://latchkey/version")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("admin /version over its socket: %v %v", resp, err)
	}
	resp.Body.Close()
	for path, mode := range map[string]os.FileMode{pubSock: 0o700, admSock: 0o660} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != mode || fi.Mode()&os.ModeSocket == 0 {
			t.Errorf("%s: %v, mode %v; want a socket with mode %v", filepath.Base(path), err, fi.Mode(), mode)
		}
	}
	if strings.Contains(s.stderr.String(), "sqa-opt-out") {
		t.Errorf("--sqa-opt-out produced a warning: %s", s.stderr)
	}
}

// TestServeRefusesAnUnknownSocketOwner: a socket owner that does not exist
// stops the server with the key and the name.
func TestServeRefusesAnUnknownSocketOwner(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "public.sock")
	r := runCmd(t, map[string]string{"DSN": testkit.NewDatabase(t, "sqlite"), "SERVE_PUBLIC_HOST": "unix:" + sock, "SERVE_PUBLIC_SOCKET_OWNER": "no-such-user-latchkey"}, "", "serve", "--dev")
	if r.code != 1 || !strings.Contains(r.stderr, "serve.public.socket") || !strings.Contains(r.stderr, "no-such-user-latchkey") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestCourierWatchExposesMetrics: courier watch --expose-metrics-port
// serves the Prometheus metrics on that port while it sends mail.
func TestCourierWatchExposesMetrics(t *testing.T) {
	port := freePorts(t, 1)[0]
	dsn := testkit.NewDatabase(t, "sqlite")
	if r := runCmd(t, nil, "", "migrate", "sql", dsn, "--yes"); r.code != 0 {
		t.Fatalf("migrate: %s", r.stderr)
	}
	vars := map[string]string{"DSN": dsn, "COURIER_SMTP_CONNECTION_URI": "smtp://" + closedAddr(t), "SERVE_ADMIN_HOST": "127.0.0.1"}
	s := startServe(vars, "courier", "watch", "--dev", "--expose-metrics-port", port)
	if code := s.waitReady(t, "http://127.0.0.1:"+port+"/metrics/prometheus"); code != -1 {
		t.Fatalf("courier watch exited with %d: %s", code, s.stderr)
	}
	s.cancel()
	if code := <-s.done; code != 0 {
		t.Errorf("courier watch exit %d after cancel: %s", code, s.stderr)
	}
}
