package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to create and drop the run's database

	"github.com/latchkey/latchkey/internal/store"
)

// This file starts the real latchkey binary the way an operator would (a
// config file, `latchkey migrate sql`, `latchkey serve`), as bench/whoami
// does, so that what is measured is the shipped server.

// buildLatchkey compiles ./cmd/latchkey into dir and returns the binary.
func buildLatchkey(ctx context.Context, dir string) (string, error) {
	root, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root (run from inside the repository): %w", err)
	}
	bin := filepath.Join(dir, "latchkey")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/latchkey")
	cmd.Dir = strings.TrimSpace(string(root))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/latchkey: %w", err)
	}
	return bin, nil
}

// writeConfig writes a production-style config (no dev mode) with the
// issue's cheap hasher: bcrypt cost 4, no breached-password lookups (a
// network call would be measured instead of Latchkey), and the session
// hook after registration so that sign-up answers a session token, as
// native apps configure it.
func writeConfig(path, dsn string, bcryptCost, publicPort, adminPort int) error {
	cfg := fmt.Sprintf(`dsn: %q
serve:
  public:
    host: 127.0.0.1
    port: %d
    base_url: http://127.0.0.1:%d/
  admin:
    host: 127.0.0.1
    port: %d
    base_url: http://127.0.0.1:%d/
secrets:
  default:
    - latchkey-bench-secret-0123456789
hashers:
  algorithm: bcrypt
  bcrypt:
    cost: %d
selfservice:
  methods:
    password:
      config:
        haveibeenpwned_enabled: false
  flows:
    registration:
      after:
        password:
          hooks:
            - hook: session
`, dsn, publicPort, publicPort, adminPort, adminPort, bcryptCost)
	return os.WriteFile(path, []byte(cfg), 0o600)
}

// postgresDatabase creates a fresh database on the server base names and
// returns its DSN and a function that drops it.
func postgresDatabase(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "lk_bench_flows_" + hex.EncodeToString(b[:])
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create PostgreSQL database: %w", err)
	}
	drop := func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := a.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "flows: drop database %s: %v\n", name, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// commitLatency is the median time of a one-row INSERT in its own
// transaction on the run's database, opened the way the server opens it
// (same DSN handling, pragmas and driver): the floor a write costs before
// any Latchkey code runs. It leaves no table behind.
func commitLatency(ctx context.Context, dsn string, n int) (time.Duration, error) {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := db.SQL.ExecContext(ctx, "CREATE TABLE bench_commit_probe (id INTEGER PRIMARY KEY, v VARCHAR(64) NOT NULL)"); err != nil {
		return 0, err
	}
	defer db.SQL.ExecContext(context.Background(), "DROP TABLE bench_commit_probe")
	q := db.Q("INSERT INTO bench_commit_probe (id, v) VALUES (?, ?)")
	d := make([]time.Duration, n)
	for k := range n {
		t := time.Now()
		if _, err := db.SQL.ExecContext(ctx, q, k, "probe"); err != nil {
			return 0, err
		}
		d[k] = time.Since(t)
	}
	return percentile(d, 0.5), nil
}

// server is a running latchkey child process.
type server struct {
	db        string
	publicURL string
	commit    time.Duration // commitLatency of its database
	cmd       *exec.Cmd
	logPath   string
	done      chan struct{}
	err       error
	once      sync.Once
	cleanup   []func()
}

// startServer prepares a database, config and migrations, then starts
// `latchkey serve` and waits until it is ready.
func startServer(ctx context.Context, o options, db, tmp, bin string) (_ *server, err error) {
	s := &server{db: db, done: make(chan struct{})}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	dir := filepath.Join(tmp, db)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	var dsn string
	switch db {
	case "sqlite":
		dsn = "sqlite://" + filepath.Join(dir, "latchkey.db") + "?_fk=true"
	case "postgres":
		d, drop, err := postgresDatabase(ctx, o.postgresDSN)
		if err != nil {
			return nil, err
		}
		s.cleanup = append(s.cleanup, drop)
		dsn = d
	}
	pub, err := freePort()
	if err != nil {
		return nil, err
	}
	adm, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "latchkey.yml")
	if err := writeConfig(cfg, dsn, o.bcryptCost, pub, adm); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, bin, "migrate", "sql", "-e", "--yes", "-c", cfg).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("latchkey migrate sql: %v\n%s", err, out)
	}
	if s.commit, err = commitLatency(ctx, dsn, 200); err != nil {
		return nil, fmt.Errorf("measure a commit: %w", err)
	}
	s.logPath = filepath.Join(dir, "serve.log")
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "-c", cfg)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// The server dies with the benchmark if the benchmark is killed.
	s.cmd.SysProcAttr = childAttr()
	if err := s.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start latchkey: %w", err)
	}
	go func() { s.err = s.cmd.Wait(); logFile.Close(); close(s.done) }()
	s.publicURL = fmt.Sprintf("http://127.0.0.1:%d/", pub)
	if err := s.waitReady(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop asks the server to shut down (SIGTERM), kills it after 20s, then
// drops its database. Calling it again does nothing.
func (s *server) stop() {
	s.once.Do(func() {
		if s.cmd != nil && s.cmd.Process != nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(20 * time.Second):
				_ = s.cmd.Process.Kill()
				<-s.done
			}
		}
		for k := len(s.cleanup) - 1; k >= 0; k-- {
			s.cleanup[k]()
		}
	})
}

// tail returns the end of the server's log, for error messages.
func (s *server) tail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func (s *server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-s.done:
			return fmt.Errorf("latchkey exited before it was ready (%v):\n%s", s.err, s.tail())
		default:
		}
		if resp, err := client.Get(s.publicURL + "health/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("latchkey was not ready within 30s:\n%s", s.tail())
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// readRSS returns a process's resident memory in KiB (VmRSS), 0 if unknown.
func readRSS(pid int) int64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
