package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/latchkey/latchkey/bench/internal/fill"
	"github.com/latchkey/latchkey/bench/internal/harness"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// This file starts the real latchkey binary the way an operator would (a
// config file, `latchkey migrate sql`, `latchkey serve`) through
// bench/internal/harness, as bench/whoami does, so that what is measured
// is the shipped server.

// flowsConfig is what this benchmark adds to the harness's production-style
// config, after the hashers section (options.hasherConfig: the issue's
// cheap hasher, bcrypt at -bcrypt-cost or a cheap argon2id), no
// breached-password lookups (a network call would be measured instead of
// Latchkey), the session hook after registration so that sign-up answers a
// session token, as native apps configure it, and brute-force limits far
// above what one load generator's address sends: the throttle still
// reserves every attempt in the database, so its cost is measured, but it
// never refuses one.
const flowsConfig = `selfservice:
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
throttle:
  identifier:
    free: 1000000000
    limit: 1000000000
  address:
    free: 1000000000
    limit: 1000000000
`

// commitLatency is the median time of a one-row INSERT in its own
// transaction on the run's database, opened the way the server opens it
// (same DSN handling, pragmas and driver): the floor a write costs before
// any Latchkey code runs. It leaves no table behind.
func commitLatency(ctx context.Context, dsn string, n int) (time.Duration, error) {
	db, err := sqldb.Open(ctx, dsn)
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
	return harness.Percentile(d, 0.5), nil
}

// server is a running latchkey child process.
type server struct {
	db        string
	name      string // db, or db+N with a fill of N ("sqlite+1M")
	filled    int
	profPath  string // PREFIX-NAME with -cpuprofile
	publicURL string
	commit    time.Duration // commitLatency of its database
	child     *harness.Child
	once      sync.Once
	cleanup   []func()
}

// startServer prepares a database, config and migrations, fills it with
// filled identities if that is not 0, then starts `latchkey serve` (or,
// with -cpuprofile, the profiling copy of it) and waits until it is ready.
func startServer(ctx context.Context, o options, db string, filled int, tmp, bin, self string) (_ *server, err error) {
	s := &server{db: db, name: db, filled: filled}
	dir := db
	if filled > 0 {
		s.name += "+" + fill.Count(filled)
		dir += "-filled"
	}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	inst, err := harness.Prepare(ctx, harness.Setup{
		Prog: "flows", DB: db, Dir: dir, Tmp: tmp, Bin: bin,
		DBPrefix: "lk_bench_flows_",
		Config:   o.hasherConfig() + flowsConfig,
	})
	if err != nil {
		return nil, err
	}
	s.cleanup = append(s.cleanup, inst.Drop)
	if s.commit, err = commitLatency(ctx, inst.DSN, 200); err != nil {
		return nil, fmt.Errorf("measure a commit: %w", err)
	}
	if filled > 0 {
		res, err := fill.Fill(ctx, fill.Options{ConfigFile: inst.Config, N: filled, PasswordHash: fill.PasswordHash,
			Log: os.Stderr, Cache: fill.NewCache(o.fillCache, db)})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "flows: %s: %s\n", s.name, res)
	}
	if o.cpuprofile != "" {
		s.profPath = o.cpuprofile + "-" + s.name
		s.child, err = harness.StartChild("latchkey (profiled)", filepath.Join(inst.Dir, "serve.log"), self, "-child", "latchkey", "-config", inst.Config, "-cpuprofile", s.profPath)
	} else {
		s.child, err = inst.Serve(bin)
	}
	if err != nil {
		return nil, err
	}
	s.publicURL = inst.PublicURL
	if err := s.child.WaitReady(ctx, s.publicURL+"health/ready"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *server) pid() int { return s.child.PID() }

// profile opens (SIGUSR1) or closes (SIGUSR2) the profiled window.
func (s *server) profile(open bool) {
	sig := syscall.SIGUSR2
	if open {
		sig = syscall.SIGUSR1
	}
	_ = s.child.Signal(sig)
}

// stop stops the server (see harness.Child.Stop), then drops its
// database. Calling it again does nothing.
func (s *server) stop() {
	s.once.Do(func() {
		if s.child != nil {
			s.child.Stop()
			if s.profPath != "" {
				fmt.Fprintf(os.Stderr, "flows: wrote %s.cpu.pprof and %s.allocs.pprof\n", s.profPath, s.profPath)
				for _, line := range strings.Split(s.child.Tail(), "\n") {
					if strings.HasPrefix(line, "bench: ") {
						fmt.Fprintln(os.Stderr, "flows: "+s.name+": "+strings.TrimPrefix(line, "bench: "))
					}
				}
			}
		}
		for k := len(s.cleanup) - 1; k >= 0; k-- {
			s.cleanup[k]()
		}
	})
}

// tail returns the end of the server's log, for error messages.
func (s *server) tail() string { return s.child.Tail() }
