package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/latchkey/latchkey/bench/internal/harness"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// This file starts the real latchkey binary the way an operator would (a
// config file, `latchkey migrate sql`, `latchkey serve`) through
// bench/internal/harness, as bench/whoami does, so that what is measured
// is the shipped server.

// flowsConfig is what this benchmark adds to the harness's production-style
// config: the cheap hasher (bcrypt at -bcrypt-cost), no
// breached-password lookups (a network call would be measured instead of
// Latchkey), the session hook after registration so that sign-up answers a
// session token, as native apps configure it, and brute-force limits far
// above what one load generator's address sends: the throttle still
// reserves every attempt in the database, so its cost is measured, but it
// never refuses one.
const flowsConfig = `hashers:
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
	publicURL string
	commit    time.Duration // commitLatency of its database
	child     *harness.Child
	once      sync.Once
	cleanup   []func()
}

// startServer prepares a database, config and migrations, then starts
// `latchkey serve` and waits until it is ready.
func startServer(ctx context.Context, o options, db, tmp, bin string) (_ *server, err error) {
	s := &server{db: db}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	inst, err := harness.Prepare(ctx, harness.Setup{
		Prog: "flows", DB: db, Tmp: tmp, Bin: bin,
		DBPrefix: "lk_bench_flows_",
		Config:   fmt.Sprintf(flowsConfig, o.bcryptCost),
	})
	if err != nil {
		return nil, err
	}
	s.cleanup = append(s.cleanup, inst.Drop)
	if s.commit, err = commitLatency(ctx, inst.DSN, 200); err != nil {
		return nil, fmt.Errorf("measure a commit: %w", err)
	}
	if s.child, err = inst.Serve(bin); err != nil {
		return nil, err
	}
	s.publicURL = inst.PublicURL
	if err := s.child.WaitReady(ctx, s.publicURL+"health/ready"); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *server) pid() int { return s.child.PID() }

// stop stops the server (see harness.Child.Stop), then drops its
// database. Calling it again does nothing.
func (s *server) stop() {
	s.once.Do(func() {
		if s.child != nil {
			s.child.Stop()
		}
		for k := len(s.cleanup) - 1; k >= 0; k-- {
			s.cleanup[k]()
		}
	})
}

// tail returns the end of the server's log, for error messages.
func (s *server) tail() string { return s.child.Tail() }
