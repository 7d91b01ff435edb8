// Command whoami measures Latchkey's GET /sessions/whoami under load and
// compares it with a bare net/http baseline measured in the same run.
//
//	go run ./bench/whoami -db both
//
// It starts the baseline (a map of token to a fixed session JSON) and the
// real latchkey binary as child processes on 127.0.0.1, gives Latchkey N
// identities with one session each, drives every server with the same
// closed-loop load generator, and prints req/s, latency percentiles,
// errors, the ratio to the baseline and the server's peak resident memory.
// See bench/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/latchkey/latchkey/bench/internal/harness"
	"github.com/latchkey/latchkey/internal/token"
)

type options struct {
	duration, warmup time.Duration
	conns            int
	identities       int
	db               string
	postgresDSN      string
	jsonOut          string
	latchkeyBin      string
	cpuprofile       string
	rounds           int
	dsnParams        string
}

// Goals from the issue: whoami rate as a share of the baseline's.
var goals = map[string]float64{"sqlite": 0.40, "postgres": 0.25}

func main() {
	var o options
	fs := flag.NewFlagSet("whoami", flag.ExitOnError)
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per target")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	fs.IntVar(&o.conns, "conns", 64, "concurrent keep-alive connections (closed loop: one request in flight each)")
	fs.IntVar(&o.identities, "identities", 1000, "identities (one session each) the tokens are drawn from")
	fs.IntVar(&o.rounds, "rounds", 1, "measure every target this many times, alternating, and report medians")
	fs.StringVar(&o.db, "db", "sqlite", "Latchkey database: sqlite, postgres or both")
	fs.StringVar(&o.postgresDSN, "postgres-dsn", os.Getenv("LATCHKEY_BENCH_POSTGRES_DSN"),
		"PostgreSQL server to create the run's database on (default $LATCHKEY_BENCH_POSTGRES_DSN), e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	fs.StringVar(&o.dsnParams, "dsn-params", "", "extra query parameters for Latchkey's DSN, e.g. max_conns=8 (default: Latchkey's defaults)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.latchkeyBin, "latchkey-bin", "", "use this latchkey binary instead of building ./cmd/latchkey")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "profile Latchkey during the measured window: writes PREFIX-DB.cpu.pprof and PREFIX-DB.allocs.pprof (runs a profiling copy of `latchkey serve` built into this command)")
	// Hidden: how this command runs its own child servers.
	child := fs.String("child", "", "internal: run as the baseline or profiled latchkey child")
	addr := fs.String("addr", "", "internal: baseline listen address")
	tokensFile := fs.String("tokens-file", "", "internal: baseline tokens")
	cfgFile := fs.String("config", "", "internal: latchkey config for the profiled child")
	_ = fs.Parse(os.Args[1:])

	switch *child {
	case "":
	case "baseline":
		exitOn(runBaselineChild(*addr, *tokensFile))
		return
	case "latchkey":
		exitOn(runProfiledLatchkey(*cfgFile, o.cpuprofile))
		return
	default:
		exitOn(fmt.Errorf("unknown -child %q", *child))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	exitOn(run(ctx, o))
}

func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "whoami:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	dbs, err := harness.Databases(o.db)
	if err != nil {
		return err
	}
	if o.conns < 1 || o.identities < 1 || o.rounds < 1 || o.duration <= 0 || o.warmup < 0 {
		return errors.New("-conns, -identities and -rounds must be positive, -duration positive and -warmup not negative")
	}
	if err := harness.NeedPostgresDSN(dbs, o.postgresDSN); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "latchkey-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "whoami: %d CPUs, %s; %d connections, %s warm-up + %s measured per target, %d round(s), %d sessions\n",
		runtime.NumCPU(), runtime.Version(), o.conns, o.warmup, o.duration, o.rounds, o.identities)

	// Start every server first; they stay up, idle, while the others are
	// driven, so that rounds can alternate between them.
	var targets []*target
	defer func() {
		for k := len(targets) - 1; k >= 0; k-- {
			targets[k].close()
		}
	}()
	base, err := startBaseline(ctx, o, tmp, self)
	if err != nil {
		return fmt.Errorf("baseline: %w", err)
	}
	targets = append(targets, base)
	bin := o.latchkeyBin
	if bin == "" {
		fmt.Fprintln(os.Stderr, "whoami: building ./cmd/latchkey")
		if bin, err = harness.BuildLatchkey(ctx, tmp); err != nil {
			return err
		}
	}
	for _, d := range dbs {
		t, err := startLatchkey(ctx, o, d, tmp, bin, self)
		if err != nil {
			return fmt.Errorf("latchkey on %s: %w", d, err)
		}
		targets = append(targets, t)
	}

	// Each round drives the baseline, then each Latchkey; a target's ratio
	// in a round is against that round's baseline.
	perTarget := make([][]Result, len(targets))
	for round := range o.rounds {
		var baseRPS float64
		for k, t := range targets {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r := drive(ctx, o, t, round == 0)
			if err := t.child.Exited(); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if k == 0 {
				baseRPS = r.RPS
			}
			if baseRPS > 0 {
				r.Ratio = r.RPS / baseRPS
			}
			fmt.Fprintf(os.Stderr, "whoami: round %d %s: %.0f req/s (%.1f%% of baseline), p50 %.2fms, p99 %.2fms, %d errors, %.0fµs server CPU/req\n",
				round+1, r.Target, r.RPS, r.Ratio*100, r.P50ms, r.P99ms, r.Errors, r.CPUPerReq)
			perTarget[k] = append(perTarget[k], r)
		}
	}
	var results []Result
	for _, rs := range perTarget {
		results = append(results, summarize(rs))
	}
	printTable(os.Stdout, o, results)
	if o.jsonOut != "" {
		doc := map[string]any{
			"cpus": runtime.NumCPU(), "go": runtime.Version(), "conns": o.conns, "identities": o.identities,
			"warmup_s": o.warmup.Seconds(), "duration_s": o.duration.Seconds(), "rounds": o.rounds,
			"results": results, "rounds_detail": perTarget, "goals": goals,
		}
		if err := harness.WriteJSON(o.jsonOut, doc); err != nil {
			return err
		}
	}
	return nil
}

// summarize reduces a target's rounds to one row: medians of the rates,
// ratios, latencies and CPU, the sum of errors, and the highest RSS.
func summarize(rs []Result) Result {
	med := func(f func(Result) float64) float64 {
		v := make([]float64, len(rs))
		for k, r := range rs {
			v[k] = f(r)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	out := Result{Target: rs[0].Target}
	out.RPS = med(func(r Result) float64 { return r.RPS })
	out.Ratio = med(func(r Result) float64 { return r.Ratio })
	out.P50ms = med(func(r Result) float64 { return r.P50ms })
	out.P90ms = med(func(r Result) float64 { return r.P90ms })
	out.P99ms = med(func(r Result) float64 { return r.P99ms })
	out.ServerCPU = med(func(r Result) float64 { return r.ServerCPU })
	out.CPUPerReq = med(func(r Result) float64 { return r.CPUPerReq })
	for _, r := range rs {
		out.Requests += r.Requests
		out.Errors += r.Errors
		out.Seconds += r.Seconds
		out.PeakRSSKiB = max(out.PeakRSSKiB, r.PeakRSSKiB)
		if out.FirstError == "" {
			out.FirstError = r.FirstError
		}
	}
	return out
}

// target is a running server the load is driven against.
type target struct {
	name      string
	url       string // whoami
	tokens    []string
	child     *harness.Child
	onMeasure func() // when the measured window opens (first round only)
	onDone    func() // when it closes (first round only)
	cleanup   []func()
}

func (t *target) close() {
	t.child.Stop()
	for k := len(t.cleanup) - 1; k >= 0; k-- {
		t.cleanup[k]()
	}
}

func startBaseline(ctx context.Context, o options, tmp, self string) (*target, error) {
	port, err := harness.FreePort()
	if err != nil {
		return nil, err
	}
	tokens := make([]string, o.identities)
	for k := range tokens {
		tokens[k] = token.New()
	}
	tf := filepath.Join(tmp, "baseline-tokens")
	if err := os.WriteFile(tf, []byte(strings.Join(tokens, "\n")), 0o600); err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	c, err := harness.StartChild("baseline", filepath.Join(tmp, "baseline.log"), self, "-child", "baseline", "-addr", addr, "-tokens-file", tf)
	if err != nil {
		return nil, err
	}
	t := &target{name: "baseline", url: "http://" + addr + "/sessions/whoami", tokens: tokens, child: c}
	if err := c.WaitReady(ctx, "http://"+addr+"/health/alive"); err != nil {
		t.close()
		return nil, err
	}
	size, err := checkWhoami(ctx, t.url, tokens[0])
	if err != nil {
		t.close()
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "whoami: baseline ready (pid %d, %d-byte session body)\n", c.PID(), size)
	return t, nil
}

func startLatchkey(ctx context.Context, o options, db, tmp, bin, self string) (_ *target, err error) {
	var cleanup []func()
	defer func() {
		if err != nil {
			for k := len(cleanup) - 1; k >= 0; k-- {
				cleanup[k]()
			}
		}
	}()
	inst, err := harness.Prepare(ctx, harness.Setup{
		Prog: "whoami", DB: db, Tmp: tmp, Bin: bin,
		PostgresDSN: o.postgresDSN, DBPrefix: "lk_bench_", DSNParams: o.dsnParams,
	})
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, inst.Drop)

	var c *harness.Child
	profPrefix := ""
	if o.cpuprofile != "" {
		profPrefix = o.cpuprofile + "-" + db
		c, err = harness.StartChild("latchkey (profiled)", filepath.Join(inst.Dir, "serve.log"), self, "-child", "latchkey", "-config", inst.Config, "-cpuprofile", profPrefix)
	} else {
		c, err = inst.Serve(bin)
	}
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, func() {
		c.Stop()
		if profPrefix != "" {
			fmt.Fprintf(os.Stderr, "whoami: wrote %s.cpu.pprof and %s.allocs.pprof\n", profPrefix, profPrefix)
			for _, line := range strings.Split(c.Tail(), "\n") {
				if strings.HasPrefix(line, "bench: ") {
					fmt.Fprintln(os.Stderr, "whoami: latchkey-"+db+": "+strings.TrimPrefix(line, "bench: "))
				}
			}
		}
	})
	if err := c.WaitReady(ctx, inst.PublicURL+"health/ready"); err != nil {
		return nil, err
	}
	t0 := time.Now()
	ids, err := createIdentities(ctx, inst.AdminURL, o.identities)
	if err != nil {
		return nil, err
	}
	tokens, err := insertSessions(ctx, inst.DSN, ids)
	if err != nil {
		return nil, err
	}
	url := inst.PublicURL + "sessions/whoami"
	size, err := checkWhoami(ctx, url, tokens[0])
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "whoami: latchkey on %s ready (pid %d, %d identities and sessions in %s, %d-byte session body)\n",
		db, c.PID(), len(ids), time.Since(t0).Round(time.Millisecond), size)
	// c.Stop runs in cleanup; Child.Stop is safe to call twice.
	t := &target{name: "latchkey-" + db, url: url, tokens: tokens, child: c, cleanup: cleanup}
	if profPrefix != "" {
		t.onMeasure = func() { _ = c.Signal(syscall.SIGUSR1) }
		t.onDone = func() { _ = c.Signal(syscall.SIGUSR2) }
	}
	return t, nil
}

// drive runs the load against one server while sampling its memory and CPU.
func drive(ctx context.Context, o options, t *target, first bool) Result {
	s := harness.NewSampler(t.child.PID())
	r := Drive(ctx, LoadOptions{
		URL: t.url, Tokens: t.tokens, Conns: o.conns, Warmup: o.warmup, Duration: o.duration,
		OnMeasure: func() {
			s.Start()
			if first && t.onMeasure != nil {
				t.onMeasure()
			}
		},
		OnDone: func() {
			s.Stop()
			if first && t.onDone != nil {
				t.onDone()
			}
		},
	})
	r.Target = t.name
	r.PeakRSSKiB = s.PeakKiB()
	r.ServerCPU = s.CPUCores()
	if r.RPS > 0 {
		r.CPUPerReq = r.ServerCPU / r.RPS * 1e6
	}
	return r
}

func printTable(w io.Writer, o options, results []Result) {
	fmt.Fprintf(w, "\nwhoami, %d connections, %s measured after %s warm-up, %d sessions, %d CPUs (load generator and servers share them)\n\n",
		o.conns, o.duration, o.warmup, o.identities, runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\treq/s\tp50\tp90\tp99\terrors\tratio\tgoal\tpeak RSS\tserver CPU\tCPU/req\t")
	for _, r := range results {
		goal := "-"
		if g, ok := goals[strings.TrimPrefix(r.Target, "latchkey-")]; ok && r.Target != "baseline" {
			verdict := "MISSED"
			if r.Ratio >= g {
				verdict = "met"
			}
			goal = fmt.Sprintf(">=%.0f%% %s", g*100, verdict)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2fms\t%.2fms\t%.2fms\t%d\t%.1f%%\t%s\t%.1f MiB\t%.2f cores\t%.0fµs\t\n",
			r.Target, r.RPS, r.P50ms, r.P90ms, r.P99ms, r.Errors, r.Ratio*100, goal, float64(r.PeakRSSKiB)/1024, r.ServerCPU, r.CPUPerReq)
	}
	tw.Flush()
	for _, r := range results {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s: first error: %s\n", r.Target, r.FirstError)
		}
	}
}
