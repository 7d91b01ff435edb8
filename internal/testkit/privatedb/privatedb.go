package privatedb

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Server is a database server the test owns.
type Server struct {
	// DSN is Latchkey's DSN for the server's test database.
	DSN string

	t     testing.TB
	stop  func() error
	start func() error
}

// Stop shuts the server down (clients' connections are cut) and returns
// once it has.
func (s *Server) Stop() {
	s.t.Helper()
	if err := s.stop(); err != nil {
		s.t.Fatalf("stop the private database: %v", err)
	}
}

// Start starts the stopped server again and returns once it accepts
// connections.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("start the private database: %v", err)
	}
}

// freePort is a loopback port nobody listens on just now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// find is the first of the names found on PATH or matching one of the
// globs (newest version last in a glob's sorted matches), or "".
func find(name string, globs ...string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, g := range globs {
		m, _ := filepath.Glob(g)
		sort.Strings(m)
		if len(m) > 0 {
			return m[len(m)-1]
		}
	}
	return ""
}

// run runs a command and returns its output in the error when it fails.
func run(cmd *exec.Cmd) error {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v\n%s", cmd.String(), err, out.String())
	}
	return nil
}

// asUser makes dir (a test's temporary directory) usable by the named
// system user and returns a command builder running as that user when the
// test runs as root (PostgreSQL refuses to run as root), else as itself.
func asUser(t testing.TB, dir, name string) func(bin string, args ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		return exec.Command
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Skipf("private database skipped: running as root needs the system user %q to run it: %v", name, err)
	}
	runuser := find("runuser", "/usr/sbin/runuser", "/sbin/runuser")
	if runuser == "" {
		t.Skipf("private database skipped: running as root needs runuser to run it as %q", name)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	// t.TempDir makes its directories 0700; the server's user must reach
	// its own directory below them.
	for d := dir; d != os.TempDir() && d != "/" && d != "."; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	return func(bin string, args ...string) *exec.Cmd {
		return exec.Command(runuser, append([]string{"-u", name, "--", bin}, args...)...)
	}
}
