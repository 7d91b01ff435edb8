package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Setup says how to prepare one Latchkey for a run.
type Setup struct {
	Prog      string // the benchmark's name, for messages
	DB        string // "sqlite", "postgres" or "mysql"
	Tmp       string // the run's temporary directory; the server's files go in Tmp/DB
	Dir       string // instead of DB in that path, for a second server on one kind of database
	Bin       string // the latchkey binary
	DBPrefix  string // name prefix of that database
	DSNParams string // extra query parameters for the DSN, "" for none
	Config    string // YAML added to the config (see WriteConfig)
}

// Instance is a Latchkey whose database, config and migrations are ready
// and which is not running yet.
type Instance struct {
	Dir       string // its files: config, SQLite database, serve.log
	DSN       string
	Config    string // the config file's path
	PublicURL string // with a trailing slash
	AdminURL  string
	Drop      func() // drops the database; call it after the server stopped
}

// Prepare does what an operator does before `latchkey serve`: a database,
// a config file on two free loopback ports, and `latchkey migrate sql`.
// On error, what it created is removed again.
func Prepare(ctx context.Context, s Setup) (_ *Instance, err error) {
	sub := s.DB
	if s.Dir != "" {
		sub = s.Dir
	}
	dir := filepath.Join(s.Tmp, sub)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	dsn, drop, err := Database(ctx, s.DB, dir, ServerDSN(s.DB), s.DBPrefix, s.Prog)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			drop()
		}
	}()
	if s.DSNParams != "" {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + s.DSNParams
	}
	pub, err := FreePort()
	if err != nil {
		return nil, err
	}
	adm, err := FreePort()
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "latchkey.yml")
	if err := WriteConfig(cfg, dsn, pub, adm, s.Config); err != nil {
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, s.Bin, "migrate", "sql", "-e", "--yes", "-c", cfg).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("latchkey migrate sql: %v\n%s", err, out)
	}
	return &Instance{
		Dir: dir, DSN: dsn, Config: cfg, Drop: drop,
		PublicURL: fmt.Sprintf("http://127.0.0.1:%d/", pub),
		AdminURL:  fmt.Sprintf("http://127.0.0.1:%d/", adm),
	}, nil
}

// Serve starts `latchkey serve` on the instance's config, with its output
// in Dir/serve.log. Wait for it with WaitReady(ctx, PublicURL+"health/ready").
func (i *Instance) Serve(bin string) (*Child, error) {
	return StartChild("latchkey", filepath.Join(i.Dir, "serve.log"), bin, "serve", "-c", i.Config)
}
