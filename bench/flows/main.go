// Command flows measures Latchkey's native-app (api) registration and login
// end to end (init + submit) with a cheap hasher, next to the hash alone.
//
//	go run ./bench/flows -db all -clients 8 -duration 60s
//
// It builds ./cmd/latchkey and runs the real binary as a child process on
// 127.0.0.1 (as bench/whoami does), with bcrypt at cost 4 (or, with
// -hasher argon2, a cheap argon2id), one database
// per run (a SQLite file, or a fresh database on the PostgreSQL or MariaDB
// server that LATCHKEY_TEST_POSTGRES_DSN or LATCHKEY_TEST_MYSQL_DSN names). Per database it drives, in order:
//
//  1. registration, then login, from one client: latency without queueing,
//     so p50 minus the in-process hash time is Latchkey's own overhead;
//  2. registration, then login, from -clients clients in a closed loop for
//     -duration each: throughput, errors, and the server's resident memory
//     at the start, middle and end of the window.
//
// See bench/flows/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/latchkey/latchkey/bench/internal/harness"
	"github.com/latchkey/latchkey/internal/hasher"
)

type options struct {
	db              string
	clients         int
	duration        time.Duration
	latencyDuration time.Duration
	warmup          time.Duration
	hasher          string
	bcryptCost      int
	latchkeyBin     string
	jsonOut         string
	fill            int
	fillCache       string
	cpuprofile      string
}

func main() {
	var o options
	fs := flag.NewFlagSet("flows", flag.ExitOnError)
	fs.StringVar(&o.db, "db", "all", "databases: a comma-separated list of sqlite, postgres, mysql, or all (SQLite plus each server whose "+harness.EnvPostgres+" or "+harness.EnvMySQL+" is set)")
	fs.IntVar(&o.clients, "clients", 8, "concurrent clients in the load phases (closed loop: one flow in flight each)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "measured time of each load phase (registration, then login)")
	fs.DurationVar(&o.latencyDuration, "latency-duration", 10*time.Second, "measured time of each single-client latency phase")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each phase")
	fs.StringVar(&o.hasher, "hasher", "bcrypt", "the server's hasher, and the in-process hash measurement's: bcrypt (at -bcrypt-cost) or argon2 (argon2id, 1 MiB, 1 iteration, 1 lane: the cheapest the config accepts)")
	fs.IntVar(&o.bcryptCost, "bcrypt-cost", 4, "hashers.bcrypt.cost of the server, and of the in-process hash measurement (-hasher bcrypt)")
	fs.StringVar(&o.latchkeyBin, "latchkey-bin", "", "use this latchkey binary instead of building ./cmd/latchkey")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.IntVar(&o.fill, "fill", 0, "also measure, next to each Latchkey, a second one whose database holds this many more identities (password, email, one session each) written in bulk before it starts, e.g. 1000000; every phase runs on both, one after the other")
	fs.StringVar(&o.fillCache, "fill-cache", "", "keep each filled database here (SQLite files; on PostgreSQL a template database) and start the next run with the same -fill from a copy")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "profile each Latchkey during its one-client login window: writes PREFIX-DB.cpu.pprof and PREFIX-DB.allocs.pprof (runs a profiling copy of `latchkey serve` built into this command)")
	// Hidden: how this command runs its profiled server.
	child := fs.String("child", "", "internal: run as the profiled latchkey child")
	cfgFile := fs.String("config", "", "internal: latchkey config for the profiled child")
	_ = fs.Parse(os.Args[1:])
	if *child == "latchkey" {
		if err := harness.RunProfiledLatchkey(*cfgFile, o.cpuprofile); err != nil {
			fmt.Fprintln(os.Stderr, "flows:", err)
			os.Exit(1)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "flows:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	dbs, err := harness.Databases(o.db)
	if err != nil {
		return err
	}
	if o.clients < 1 || o.duration <= 0 || o.latencyDuration <= 0 || o.warmup < 0 || o.fill < 0 {
		return errors.New("-clients, -duration and -latency-duration must be positive, -warmup and -fill not negative")
	}
	if o.hasher != "bcrypt" && o.hasher != "argon2" {
		return fmt.Errorf("-hasher %q: want bcrypt or argon2", o.hasher)
	}
	if o.fill > 0 && o.hasher == "bcrypt" && o.bcryptCost != 4 {
		return errors.New("-fill writes passwords hashed at bcrypt cost 4: use -bcrypt-cost 4")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "latchkey-bench-flows-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := o.latchkeyBin
	if bin == "" {
		fmt.Fprintln(os.Stderr, "flows: building ./cmd/latchkey")
		if bin, err = harness.BuildLatchkey(ctx, tmp); err != nil {
			return err
		}
	}
	gen, cmp, err := hashTimes(o.hashParams(), 300)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "flows: %d CPUs, %s; %s in-process: hash p50 %.3fms, compare p50 %.3fms\n",
		runtime.NumCPU(), runtime.Version(), o.hasherName(), harness.Ms(gen), harness.Ms(cmp))

	var results []Phase
	for _, db := range dbs {
		rs, err := benchDB(ctx, o, db, tmp, bin, self)
		results = append(results, rs...)
		if err != nil {
			return fmt.Errorf("%s: %w", db, err)
		}
	}
	for k := range results {
		r := &results[k]
		r.HashP50ms = harness.Ms(gen)
		if r.Op == "login" {
			r.HashP50ms = harness.Ms(cmp)
		}
		r.OverheadP50ms = r.P50ms - r.HashP50ms
		r.OwnCPUms = r.CPUms - r.HashP50ms
	}
	report(os.Stdout, o, results)
	scale := compareFilled(results)
	printScale(os.Stdout, o, scale)
	if o.jsonOut != "" {
		doc := map[string]any{"cpus": runtime.NumCPU(), "go": runtime.Version(), "hasher": o.hasherName(), "bcrypt_cost": o.bcryptCost, "filled": o.fill,
			"clients": o.clients, "duration_s": o.duration.Seconds(), "latency_duration_s": o.latencyDuration.Seconds(), "results": results, "scale": scale}
		return harness.WriteJSON(o.jsonOut, doc)
	}
	return nil
}

// benchDB starts a server on one database (and, with -fill, a filled one
// beside it) and runs the four phases, each on every server in turn.
func benchDB(ctx context.Context, o options, db, tmp, bin, self string) ([]Phase, error) {
	fills := []int{0}
	if o.fill > 0 {
		fills = append(fills, o.fill)
	}
	var srvs []*server
	defer func() {
		for _, s := range srvs {
			s.stop()
		}
	}()
	for _, n := range fills {
		srv, err := startServer(ctx, o, db, n, tmp, bin, self)
		if err != nil {
			return nil, err
		}
		srvs = append(srvs, srv)
		r := srv.child.Ready
		fmt.Fprintf(os.Stderr, "flows: latchkey on %s ready in %.0fms (%.0fms CPU, RSS %.1f MiB: anon %.1f, file %.1f; pid %d); one-row INSERT+commit p50 %.3fms\n",
			srv.name, harness.Ms(r.Wall), harness.Ms(r.CPU), mib(r.Mem.RSS), mib(r.Mem.Anon), mib(r.Mem.File), srv.pid(), harness.Ms(srv.commit))
	}
	type phase struct {
		op      string
		clients int
		dur     time.Duration
		fn      func(ctx context.Context, client, seq int) error
		profile bool
	}
	var mu sync.Mutex
	users := make([][]string, len(srvs)) // per server, emails registered so far, to sign in as
	plan := make([][]phase, len(srvs))
	for k, srv := range srvs {
		a := newAPI(srv.publicURL, o.clients)
		register := func(tag string) func(ctx context.Context, client, seq int) error {
			return func(ctx context.Context, client, seq int) error {
				email := fmt.Sprintf("bench-%s-%d-%d@example.com", tag, client, seq)
				err := a.register(ctx, email)
				if err == nil {
					mu.Lock()
					users[k] = append(users[k], email)
					mu.Unlock()
				}
				return err
			}
		}
		login := func(n int) func(ctx context.Context, client, seq int) error {
			return func(ctx context.Context, client, seq int) error {
				mu.Lock()
				email := users[k][(seq*n+client)%len(users[k])]
				mu.Unlock()
				return a.login(ctx, email)
			}
		}
		plan[k] = []phase{
			{"registration", 1, o.latencyDuration, register("lat"), false},
			{"login", 1, o.latencyDuration, login(1), true},
			{"registration", o.clients, o.duration, register("load"), false},
			{"login", o.clients, o.duration, login(o.clients), false},
		}
	}
	var out []Phase
	for p := range plan[0] {
		for k, srv := range srvs {
			ph := plan[k][p]
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			mu.Lock()
			none := ph.op == "login" && len(users[k]) == 0
			mu.Unlock()
			if none {
				return out, errors.New("no registration succeeded, so there is nobody to sign in as:\n" + srv.tail())
			}
			var mark func(open bool)
			if ph.profile && o.cpuprofile != "" {
				mark = srv.profile
			}
			r := drive(ctx, ph.clients, o.warmup, ph.dur, srv.pid(), ph.fn, mark)
			r.DB, r.Filled, r.Op, r.CommitP50ms = srv.name, srv.filled, ph.op, harness.Ms(srv.commit)
			fmt.Fprintf(os.Stderr, "flows: %s %s x%d: %.0f/s, p50 %.2fms, p99 %.2fms, server CPU %.2fms/flow, %d errors, RSS %.1f→%.1f→%.1f MiB\n",
				r.DB, r.Op, r.Clients, r.PerSec, r.P50ms, r.P99ms, r.CPUms, r.Errors, mib(r.RSSKiB.Start), mib(r.RSSKiB.Middle), mib(r.RSSKiB.End))
			out = append(out, r)
		}
	}
	return out, nil
}

// argon2Params is -hasher argon2: argon2id at the least memory
// hashers.argon2.memory accepts (1MB, that is 1 MiB), one pass, one lane.
var argon2Params = hasher.Argon2Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// hashParams are the server's hasher settings as the hasher package
// takes them, so the in-process measurement runs the server's own code.
func (o options) hashParams() hasher.Params {
	if o.hasher == "argon2" {
		return hasher.Params{Algorithm: "argon2", Argon2: argon2Params}
	}
	return hasher.Params{Algorithm: "bcrypt", BcryptCost: o.bcryptCost}
}

func (o options) hasherName() string {
	if o.hasher == "argon2" {
		p := argon2Params
		return fmt.Sprintf("argon2id m=%dKiB t=%d p=%d", p.Memory, p.Iterations, p.Parallelism)
	}
	return fmt.Sprintf("bcrypt cost %d", o.bcryptCost)
}

// hasherConfig is the hashers section of the server's config for -hasher.
func (o options) hasherConfig() string {
	if o.hasher == "argon2" {
		p := argon2Params
		return fmt.Sprintf("hashers:\n  algorithm: argon2\n  argon2:\n    memory: %dMB\n    iterations: %d\n    parallelism: %d\n    salt_length: %d\n    key_length: %d\n",
			p.Memory/1024, p.Iterations, p.Parallelism, p.SaltLength, p.KeyLength)
	}
	return fmt.Sprintf("hashers:\n  algorithm: bcrypt\n  bcrypt:\n    cost: %d\n", o.bcryptCost)
}

// hashTimes measures the hash alone, in this process, one at a time, with
// the hasher package the server uses: the median time to hash a password
// and to compare one against its hash.
func hashTimes(p hasher.Params, n int) (hash, compare time.Duration, err error) {
	ctx := context.Background()
	h := hasher.New(p, 1)
	pw := []byte(benchPassword)
	enc, err := h.Hash(ctx, pw)
	if err != nil {
		return 0, 0, err
	}
	gen, cmp := make([]time.Duration, n), make([]time.Duration, n)
	for k := range n {
		t := time.Now()
		if _, err := h.Hash(ctx, pw); err != nil {
			return 0, 0, err
		}
		gen[k] = time.Since(t)
		t = time.Now()
		if err := h.Compare(ctx, pw, enc); err != nil {
			return 0, 0, err
		}
		cmp[k] = time.Since(t)
	}
	return harness.Percentile(gen, 0.5), harness.Percentile(cmp, 0.5), nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

// rateGoals are the throughput goals with 8 clients on SQLite.
var rateGoals = map[string]float64{"login": 1000, "registration": 500}

// report prints the table and the goals with verdicts. Overhead is
// only meaningful without queueing, so it is judged on the one-client rows.
func report(w io.Writer, o options, rs []Phase) {
	fmt.Fprintf(w, "\nnative-app flows (init + submit), %s, %d CPUs shared by load generator and server\n\n", o.hasherName(), runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "db\tflow\tclients\tper s\tp50\tp99\tinit p50\tsubmit p50\terrors\thash p50\toverhead p50\tCPU/flow\town CPU\tcommit p50\tRSS start\tmiddle\tend\tpeak\t")
	for _, r := range rs {
		over := "-"
		if r.Clients == 1 {
			over = fmt.Sprintf("%.2fms", r.OverheadP50ms)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.2fms\t%.2fms\t%.2fms\t%.2fms\t%d\t%.2fms\t%s\t%.2fms\t%.2fms\t%.2fms\t%.1f MiB\t%.1f MiB\t%.1f MiB\t%.1f MiB\t\n",
			r.DB, r.Op, r.Clients, r.PerSec, r.P50ms, r.P99ms, r.InitP50ms, r.SubmitP50ms, r.Errors, r.HashP50ms, over, r.CPUms, r.OwnCPUms, r.CommitP50ms,
			mib(r.RSSKiB.Start), mib(r.RSSKiB.Middle), mib(r.RSSKiB.End), mib(r.RSSKiB.Peak))
	}
	tw.Flush()
	fmt.Fprintln(w, "\ngoals:")
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	for _, r := range rs {
		switch {
		case r.Clients == 1:
			fmt.Fprintf(w, "  %s %s: own overhead p50 %.2fms < 1ms: %s\n", r.DB, r.Op, r.OverheadP50ms, verdict(r.OverheadP50ms < 1))
		default:
			fmt.Fprintf(w, "  %s %s x%d: %d errors (zero wanted): %s\n", r.DB, r.Op, r.Clients, r.Errors, verdict(r.Errors == 0))
			if want, ok := rateGoals[r.Op]; ok && r.DB == "sqlite" && r.Clients == 8 {
				fmt.Fprintf(w, "  sqlite %s x8: %.0f/s >= %.0f/s: %s\n", r.Op, r.PerSec, want, verdict(r.PerSec >= want))
			}
			// Flat: the second half of the window adds under 10% to the
			// first half's level (the heap settles during the first).
			growth := float64(r.RSSKiB.End-r.RSSKiB.Middle) / float64(max(r.RSSKiB.Middle, 1))
			fmt.Fprintf(w, "  %s %s x%d: RSS %.1f → %.1f → %.1f MiB (anon %.1f → %.1f → %.1f) over %s, second half %+.1f%% (flat = under +10%%): %s\n",
				r.DB, r.Op, r.Clients, mib(r.RSSKiB.Start), mib(r.RSSKiB.Middle), mib(r.RSSKiB.End),
				mib(r.RSSKiB.AnonStart), mib(r.RSSKiB.AnonMiddle), mib(r.RSSKiB.AnonEnd), time.Duration(r.Seconds*float64(time.Second)),
				growth*100, verdict(growth < 0.10))
		}
	}
	for _, r := range rs {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s %s x%d: first error: %s\n", r.DB, r.Op, r.Clients, r.FirstError)
		}
	}
}

// Scale is one phase on a filled Latchkey next to the same phase on the
// same database without the fill, run one after the other.
type Scale struct {
	DB, Filled           string
	Op                   string
	Clients              int
	PerSec, FilledPerSec float64
	P50ms, FilledP50ms   float64
	// OverheadP50ms is p50 minus the hash alone (one client only).
	OverheadP50ms, FilledOverheadP50ms float64
}

// compareFilled pairs every "DB+N" phase with its "DB" phase.
func compareFilled(rs []Phase) []Scale {
	var out []Scale
	for _, f := range rs {
		if f.Filled == 0 {
			continue
		}
		base, _, _ := strings.Cut(f.DB, "+")
		for _, r := range rs {
			if r.DB == base && r.Op == f.Op && r.Clients == f.Clients {
				out = append(out, Scale{DB: base, Filled: f.DB, Op: f.Op, Clients: f.Clients, PerSec: r.PerSec, FilledPerSec: f.PerSec,
					P50ms: r.P50ms, FilledP50ms: f.P50ms, OverheadP50ms: r.OverheadP50ms, FilledOverheadP50ms: f.OverheadP50ms})
			}
		}
	}
	return out
}

func printScale(w io.Writer, o options, ss []Scale) {
	if len(ss) == 0 {
		return
	}
	fmt.Fprintf(w, "\nscale: each phase on a fresh database, then on one with %d more identities and sessions\n\n", o.fill)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "db\tflow\tclients\tper s\tfilled\tchange\tp50\tfilled\toverhead p50\tfilled\tchange\t")
	for _, s := range ss {
		over, fover, ch := "-", "-", "-"
		if s.Clients == 1 {
			over, fover, ch = fmt.Sprintf("%.2fms", s.OverheadP50ms), fmt.Sprintf("%.2fms", s.FilledOverheadP50ms), harness.Change(s.OverheadP50ms, s.FilledOverheadP50ms)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.0f\t%s\t%.2fms\t%.2fms\t%s\t%s\t%s\t\n", s.Filled, s.Op, s.Clients, s.PerSec, s.FilledPerSec, harness.Change(s.PerSec, s.FilledPerSec),
			s.P50ms, s.FilledP50ms, over, fover, ch)
	}
	tw.Flush()
}
