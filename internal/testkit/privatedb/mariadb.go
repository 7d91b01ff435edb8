package privatedb

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
)

// MariaDB initialises and starts a MariaDB server of the test's own and
// returns it with a DSN for an empty database on it. The server stops when
// the test ends.
func MariaDB(t testing.TB) *Server {
	t.Helper()
	installDB := find("mariadb-install-db", "/usr/bin/mysql_install_db")
	mariadbd := find("mariadbd", "/usr/sbin/mariadbd", "/usr/sbin/mysqld")
	if installDB == "" || mariadbd == "" {
		t.Skip("private MariaDB skipped: mariadb-install-db and mariadbd are not installed")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if err := run(exec.Command(installDB, append(args, "--auth-root-authentication-method=normal", "--skip-test-db")...)); err != nil {
		t.Fatalf("mariadb-install-db: %v", err)
	}
	port := freePort(t)
	args = append(args, fmt.Sprintf("--port=%d", port), "--bind-address=127.0.0.1",
		"--socket="+filepath.Join(dir, "mysqld.sock"), "--pid-file="+filepath.Join(dir, "mysqld.pid"),
		"--skip-log-bin", "--innodb-flush-log-at-trx-commit=0", "--max-connections=60")
	base := fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port)

	var (
		mu   sync.Mutex
		proc *exec.Cmd
		done chan error
		log  syncBuffer // the server's output, shown when it fails
	)
	stop := func() error {
		mu.Lock()
		defer mu.Unlock()
		if proc == nil {
			return nil
		}
		_ = proc.Process.Signal(syscall.SIGTERM) // a clean shutdown, cutting every client
		select {
		case err := <-done:
			proc = nil
			if err != nil {
				return fmt.Errorf("mariadbd: %v\n%s", err, log.String())
			}
			return nil
		case <-time.After(60 * time.Second):
			_ = proc.Process.Kill()
			return fmt.Errorf("mariadbd did not stop in a minute\n%s", log.String())
		}
	}
	start := func() error {
		mu.Lock()
		defer mu.Unlock()
		proc = exec.Command(mariadbd, args...)
		proc.Stdout, proc.Stderr = &log, &log
		if err := proc.Start(); err != nil {
			return err
		}
		done = make(chan error, 1)
		go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(proc, done)
		return waitMySQL(base, done, &log)
	}
	s := &Server{t: t, DSN: "mysql://" + base + "latchkey", stop: stop, start: start}
	s.Start()
	t.Cleanup(func() {
		mu.Lock()
		p := proc
		mu.Unlock()
		if p != nil {
			_ = p.Process.Kill()
			<-done
		}
	})
	db, err := sql.Open("mysql", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE latchkey CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("create the database: %v", err)
	}
	return s
}

// syncBuffer is the server's output: written by exec's copying goroutine,
// read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitMySQL returns once the server answers a ping, or with the reason it
// will not.
func waitMySQL(dsn string, exited <-chan error, log *syncBuffer) error {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("mariadbd exited while starting: %v\n%s", werr, log.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mariadbd does not answer after a minute: %v\n%s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
