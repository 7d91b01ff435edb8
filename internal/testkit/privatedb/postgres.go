package privatedb

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Postgres initialises and starts a PostgreSQL server of the test's own
// and returns it with a DSN for its "postgres" database. The server stops
// when the test ends.
func Postgres(t testing.TB) *Server {
	t.Helper()
	initdb := find("initdb", "/usr/lib/postgresql/*/bin/initdb", "/usr/local/pgsql/bin/initdb")
	pgctl := find("pg_ctl", filepath.Join(filepath.Dir(initdb), "pg_ctl"))
	if initdb == "" || pgctl == "" {
		t.Skip("private PostgreSQL skipped: initdb and pg_ctl are not installed (on PATH or under /usr/lib/postgresql/*/bin)")
	}
	dir := t.TempDir()
	cmd := asUser(t, dir, "postgres")
	data := filepath.Join(dir, "data")
	if err := run(cmd(initdb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	port := freePort(t)
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"+
		"fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 40\n", port, dir)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "server.log")
	s := &Server{
		t:   t,
		DSN: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		// -m fast ends every session with 57P01 as an operator's restart
		// does; clients connecting meanwhile meet 57P03, then a refusal.
		stop:  func() error { return run(cmd(pgctl, "-D", data, "-m", "fast", "-w", "-t", "60", "stop")) },
		start: func() error { return run(cmd(pgctl, "-D", data, "-l", log, "-w", "-t", "60", "start")) },
	}
	s.Start()
	t.Cleanup(func() { _ = run(cmd(pgctl, "-D", data, "-m", "immediate", "-w", "stop")) })
	return s
}
