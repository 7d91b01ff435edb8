// Command whoami measures Latchkey's GET /sessions/whoami under load and
// compares it with a bare net/http baseline measured in the same run.
//
//	go run ./bench/whoami -db all -rounds 3
//
// It starts the baseline (a map of token to a fixed session JSON) and the
// real latchkey binary on every database asked for as child processes on
// 127.0.0.1, gives each Latchkey N identities with one session each, and
// drives every server with wrk, in interleaved rounds (baseline, SQLite,
// PostgreSQL, MariaDB, baseline, ...) at each connection count. It prints
// the medians of req/s, latency percentiles, errors, the ratio to the
// same round's baseline, the server's CPU time per request and memory.
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

	"github.com/latchkey/latchkey/bench/internal/fill"
	"github.com/latchkey/latchkey/bench/internal/harness"
	"github.com/latchkey/latchkey/internal/token"
)

type options struct {
	duration, warmup time.Duration
	conns            []int
	identities       int
	fill             int
	fillCache        string
	fillOnly         bool
	db               string
	jsonOut          string
	latchkeyBin      string
	cpuprofile       string
	rounds           int
	dsnParams        string
	serverCmd        string
	serverDB         string
	serverConfig     string
	wrk              string
	threads          int
}

// The goals: whoami's rate as a share of the baseline's at 64
// connections, and its median latency at 8.
var (
	ratioGoals = map[string]float64{"sqlite": 0.60, "postgres": 0.40}
	ratioConns = 64
	p50Goal    = 0.3 // ms
	p50Conns   = 8
)

func main() {
	var o options
	fs := flag.NewFlagSet("whoami", flag.ExitOnError)
	conns := fs.String("conns", "8,64", "comma-separated connection counts; every target is measured at each")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per target, connection count and round (whole seconds)")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured load before each measurement")
	fs.IntVar(&o.identities, "identities", 1000, "identities (one session each) the tokens are drawn from")
	fs.IntVar(&o.fill, "fill", 0, "also measure, next to each Latchkey, a second one whose database holds this many more identities (one session each) written in bulk before it starts, e.g. 1000000: whoami should stay flat with data")
	fs.StringVar(&o.fillCache, "fill-cache", "", "keep each filled database here (SQLite files; on PostgreSQL a template database) and start the next run with the same -fill from a copy")
	fs.BoolVar(&o.fillOnly, "fill-only", false, "with -fill and -fill-cache: only fill the cache, measure nothing (the slow part, which needs no benchmark lock)")
	fs.IntVar(&o.rounds, "rounds", 3, "interleaved rounds; the table shows medians")
	fs.StringVar(&o.db, "db", "all", "Latchkey's databases: a comma-separated list of sqlite, postgres, mysql, or all (SQLite plus each server whose "+harness.EnvPostgres+" or "+harness.EnvMySQL+" is set)")
	fs.StringVar(&o.dsnParams, "dsn-params", "", "extra query parameters for Latchkey's DSN, e.g. max_conns=8 (default: Latchkey's defaults)")
	fs.StringVar(&o.serverCmd, "server-cmd", "", "also measure this server, which has the reference's CLI (`migrate sql -e --yes -c CFG`, `serve -c CFG`), e.g. a kratos v0.6.3 binary")
	fs.StringVar(&o.serverDB, "server-db", "sqlite", "the database of the -server-cmd server")
	fs.StringVar(&o.serverConfig, "server-config", "", "a YAML file appended to the -server-cmd server's config (top-level keys), e.g. `throttle: {enabled: false}` when that server is latchkey")
	fs.StringVar(&o.wrk, "wrk", "wrk", "the wrk binary (the load generator)")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.StringVar(&o.jsonOut, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.latchkeyBin, "latchkey-bin", "", "use this latchkey binary instead of building ./cmd/latchkey")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "profile Latchkey during its first measured window at the highest connection count: writes PREFIX-DB.cpu.pprof and PREFIX-DB.allocs.pprof (runs a profiling copy of `latchkey serve` built into this command)")
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
		exitOn(harness.RunProfiledLatchkey(*cfgFile, o.cpuprofile))
		return
	default:
		exitOn(fmt.Errorf("unknown -child %q", *child))
	}
	for _, c := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			exitOn(fmt.Errorf("-conns: %q is not a positive number", c))
		}
		o.conns = append(o.conns, n)
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
	if o.identities < 1 || o.rounds < 1 || o.duration < time.Second || o.warmup < 0 || o.threads < 1 {
		return errors.New("-identities, -rounds and -threads must be positive, -duration at least 1s and -warmup not negative")
	}
	if o.fillOnly {
		return fillOnly(ctx, o, dbs)
	}
	if o.serverCmd != "" {
		if _, err := harness.Databases(o.serverDB); err != nil {
			return fmt.Errorf("-server-db: %w", err)
		}
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
	load, err := newLoader(o.wrk, tmp, o.threads)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "whoami: %d CPUs, %s; wrk -t%d at %v connections, %s warm-up + %s measured per target, %d round(s), %d sessions, %d more filled\n",
		runtime.NumCPU(), runtime.Version(), o.threads, o.conns, o.warmup, o.duration, o.rounds, o.identities, o.fill)

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
	var binSize int64
	if fi, err := os.Stat(bin); err == nil {
		binSize = fi.Size()
	}
	for _, d := range dbs {
		fills := []int{0}
		if o.fill > 0 {
			fills = append(fills, o.fill)
		}
		for _, n := range fills {
			t, err := startLatchkey(ctx, o, d, n, tmp, bin, self)
			if err != nil {
				return fmt.Errorf("latchkey on %s: %w", d, err)
			}
			targets = append(targets, t)
		}
	}
	if o.serverCmd != "" {
		t, err := startServerCmd(ctx, o, tmp)
		if err != nil {
			return fmt.Errorf("-server-cmd %s: %w", o.serverCmd, err)
		}
		targets = append(targets, t)
	}

	// Each round drives every target at every connection count, in the
	// same order; a target's ratio is against the baseline of its round
	// and connection count, measured seconds before it.
	type key struct{ target, conns int }
	per := map[key][]Result{}
	var detail []Result
	maxConns := slices.Max(o.conns)
	for round := range o.rounds {
		for _, conns := range o.conns {
			var baseRPS float64
			for k, t := range targets {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				r, err := load.measure(ctx, o, t, conns, round == 0 && conns == maxConns)
				if err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				if err := t.child.Exited(); err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				if k == 0 {
					baseRPS = r.RPS
				}
				if baseRPS > 0 {
					r.Ratio = r.RPS / baseRPS
				}
				fmt.Fprintf(os.Stderr, "whoami: round %d, %d conns, %s: %.0f req/s (%.1f%% of baseline), p50 %.2fms, p99 %.2fms, %d errors, %.0fµs server CPU/req\n",
					round+1, conns, r.Target, r.RPS, r.Ratio*100, r.P50ms, r.P99ms, r.Errors, r.CPUPerReq)
				per[key{k, conns}] = append(per[key{k, conns}], r)
				detail = append(detail, r)
			}
		}
	}
	var results []Result
	for _, conns := range o.conns {
		for k := range targets {
			results = append(results, summarize(per[key{k, conns}]))
		}
	}
	verdicts := judge(results)
	printTable(os.Stdout, o, binSize, targets, results, verdicts)
	scale := compareFilled(results)
	printScale(os.Stdout, o, scale)
	if o.jsonOut != "" {
		var setup []map[string]any
		for _, t := range targets {
			setup = append(setup, map[string]any{"target": t.name, "start_to_ready_ms": harness.Ms(t.startup),
				"start_cpu_ms": harness.Ms(t.startCPU), "idle_rss_kib": t.idle.RSS, "idle_anon_kib": t.idle.Anon, "idle_file_kib": t.idle.File, "fill_s": t.fill.Seconds(), "sessions": len(t.tokens)})
		}
		doc := map[string]any{
			"cpus": runtime.NumCPU(), "go": runtime.Version(), "conns": o.conns, "identities": o.identities, "filled": o.fill,
			"warmup_s": o.warmup.Seconds(), "duration_s": o.duration.Seconds(), "rounds": o.rounds,
			"load_generator": "wrk -t" + strconv.Itoa(o.threads), "latchkey_binary_bytes": binSize,
			"setup": setup, "results": results, "rounds_detail": detail, "goals": verdicts, "scale": scale,
		}
		if err := harness.WriteJSON(o.jsonOut, doc); err != nil {
			return err
		}
	}
	return nil
}

// Verdict is one of the goals, judged on this run's medians.
type Verdict struct {
	Goal   string  `json:"goal"`
	Value  float64 `json:"value"`
	Target float64 `json:"target"`
	Met    bool    `json:"met"`
}

func judge(results []Result) []Verdict {
	var out []Verdict
	for _, r := range results {
		db, ok := strings.CutPrefix(r.Target, "latchkey-")
		if !ok {
			continue
		}
		if g, ok := ratioGoals[db]; ok && r.Conns == ratioConns {
			out = append(out, Verdict{Goal: fmt.Sprintf("%s: whoami at %d connections >= %.0f%% of the baseline", r.Target, r.Conns, g*100),
				Value: r.Ratio, Target: g, Met: r.Ratio >= g})
		}
		if r.Conns == p50Conns {
			out = append(out, Verdict{Goal: fmt.Sprintf("%s: whoami p50 at %d connections <= %.1fms", r.Target, r.Conns, p50Goal),
				Value: r.P50ms, Target: p50Goal, Met: r.P50ms <= p50Goal})
		}
	}
	return out
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
	out := Result{Target: rs[0].Target, Conns: rs[0].Conns}
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
		out.PeakAnonKiB = max(out.PeakAnonKiB, r.PeakAnonKiB)
		if out.FirstError == "" {
			out.FirstError = r.FirstError
		}
	}
	return out
}

// target is a running server the load is driven against.
type target struct {
	name       string
	url        string // whoami
	tokens     []string
	tokensFile string // the tokens, one a line, for wrk
	child      *harness.Child
	startup    time.Duration // from exec to a 200 from its health check
	startCPU   time.Duration // CPU time the process had used by then
	idle       harness.Mem   // once ready and filled, before any load
	fill       time.Duration // creating its identities and sessions
	onMeasure  func()        // when the profiled window opens
	onDone     func()        // when it closes
	cleanup    []func()
}

func (t *target) close() {
	t.child.Stop()
	for k := len(t.cleanup) - 1; k >= 0; k-- {
		t.cleanup[k]()
	}
}

// ready records what a target looks like before the load: its tokens in a
// file for wrk, and its idle memory.
func (t *target) ready(dir string) error {
	t.tokensFile = filepath.Join(dir, t.name+"-tokens")
	if err := os.WriteFile(t.tokensFile, []byte(strings.Join(t.tokens, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	t.idle = harness.ReadMem(t.child.PID())
	return nil
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
	t.startup, t.startCPU = c.Ready.Wall, c.Ready.CPU
	size, err := checkWhoami(ctx, t.url, tokens[0])
	if err != nil {
		t.close()
		return nil, err
	}
	if err := t.ready(tmp); err != nil {
		t.close()
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "whoami: baseline ready (pid %d, %d-byte session body)\n", c.PID(), size)
	return t, nil
}

// startLatchkey starts Latchkey on a fresh database of kind db; with
// filled > 0 its database holds that many more identities and sessions,
// written before it starts, and its name says so ("latchkey-sqlite+1M").
func startLatchkey(ctx context.Context, o options, db string, filled int, tmp, bin, self string) (_ *target, err error) {
	var cleanup []func()
	defer func() {
		if err != nil {
			for k := len(cleanup) - 1; k >= 0; k-- {
				cleanup[k]()
			}
		}
	}()
	name := "latchkey-" + db
	dir := db
	if filled > 0 {
		name += "+" + fill.Count(filled)
		dir += "-filled"
	}
	inst, err := harness.Prepare(ctx, harness.Setup{
		Prog: "whoami", DB: db, Dir: dir, Tmp: tmp, Bin: bin, DBPrefix: "lk_bench_", DSNParams: o.dsnParams,
	})
	if err != nil {
		return nil, err
	}
	cleanup = append(cleanup, inst.Drop)
	if filled > 0 {
		res, err := fill.Fill(ctx, fill.Options{ConfigFile: inst.Config, N: filled, PasswordHash: fill.PasswordHash,
			Log: os.Stderr, Cache: fill.NewCache(o.fillCache, db)})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "whoami: %s: %s\n", name, res)
	}

	var c *harness.Child
	profPrefix := ""
	if o.cpuprofile != "" {
		profPrefix = o.cpuprofile + "-" + strings.TrimPrefix(name, "latchkey-")
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
					fmt.Fprintln(os.Stderr, "whoami: "+name+": "+strings.TrimPrefix(line, "bench: "))
				}
			}
		}
	})
	if err := c.WaitReady(ctx, inst.PublicURL+"health/ready"); err != nil {
		return nil, err
	}
	t1 := time.Now()
	ids, err := createIdentities(ctx, inst.AdminURL, o.identities)
	if err != nil {
		return nil, err
	}
	tokens, err := insertSessions(ctx, inst.DSN, ids)
	if err != nil {
		return nil, err
	}
	fill := time.Since(t1)
	url := inst.PublicURL + "sessions/whoami"
	size, err := checkWhoami(ctx, url, tokens[0])
	if err != nil {
		return nil, err
	}
	// c.Stop runs in cleanup; Child.Stop is safe to call twice.
	t := &target{name: name, url: url, tokens: tokens, child: c, cleanup: cleanup, startup: c.Ready.Wall, startCPU: c.Ready.CPU, fill: fill}
	if err := t.ready(tmp); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "whoami: %s ready in %s (pid %d, %d identities and sessions in %s, %d-byte session body)\n",
		name, c.Ready.Wall.Round(time.Millisecond), c.PID(), len(ids), fill.Round(time.Millisecond), size)
	if profPrefix != "" {
		t.onMeasure = func() { _ = c.Signal(syscall.SIGUSR1) }
		t.onDone = func() { _ = c.Signal(syscall.SIGUSR2) }
	}
	return t, nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func printTable(w io.Writer, o options, binSize int64, targets []*target, results []Result, verdicts []Verdict) {
	fmt.Fprintf(w, "\nwhoami: wrk -t%d, %s measured after %s warm-up, median of %d interleaved round(s), %d sessions asked for among %d, %d CPUs shared by wrk, servers and databases\n",
		o.threads, o.duration, o.warmup, o.rounds, o.identities, o.identities+o.fill, runtime.NumCPU())
	fmt.Fprintf(w, "latchkey binary: %.1f MiB\n\n", float64(binSize)/(1<<20))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tstart→ready\tstart CPU\tidle RSS\tanon\tfile\tfill\t")
	for _, t := range targets {
		fmt.Fprintf(tw, "%s\t%.0fms\t%.0fms\t%.1f MiB\t%.1f MiB\t%.1f MiB\t%s\t\n", t.name, harness.Ms(t.startup), harness.Ms(t.startCPU),
			mib(t.idle.RSS), mib(t.idle.Anon), mib(t.idle.File), t.fill.Round(time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns\ttarget\treq/s\tratio\tp50\tp90\tp99\terrors\tCPU/req\tserver CPU\tpeak RSS\t(anon)\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%d\t%s\t%.0f\t%.1f%%\t%.2fms\t%.2fms\t%.2fms\t%d\t%.0fµs\t%.2f cores\t%.1f MiB\t%.1f MiB\t\n",
			r.Conns, r.Target, r.RPS, r.Ratio*100, r.P50ms, r.P90ms, r.P99ms, r.Errors, r.CPUPerReq, r.ServerCPU, mib(r.PeakRSSKiB), mib(r.PeakAnonKiB))
	}
	tw.Flush()
	if len(verdicts) > 0 {
		fmt.Fprintln(w, "\ngoals:")
	}
	for _, v := range verdicts {
		verdict := "MISSED"
		if v.Met {
			verdict = "met"
		}
		val := fmt.Sprintf("%.2fms", v.Value)
		if strings.Contains(v.Goal, "%") {
			val = fmt.Sprintf("%.1f%%", v.Value*100)
		}
		fmt.Fprintf(w, "  %s: %s, %s\n", v.Goal, val, verdict)
	}
	for _, r := range results {
		if r.FirstError != "" {
			fmt.Fprintf(w, "%s at %d connections: errors: %s\n", r.Target, r.Conns, r.FirstError)
		}
	}
}

// Scale is a filled Latchkey next to the same database without the fill,
// at one connection count, from the same rounds.
type Scale struct {
	Target, Filled     string
	Conns              int
	RPS, FilledRPS     float64
	CPUPerReq          float64 `json:"CPUPerReqUs"`
	FilledCPUPerReq    float64 `json:"FilledCPUPerReqUs"`
	P50ms, FilledP50ms float64
}

// compareFilled pairs every "latchkey-DB+N" row with its "latchkey-DB" row.
func compareFilled(results []Result) []Scale {
	var out []Scale
	for _, f := range results {
		base, _, ok := strings.Cut(f.Target, "+")
		if !ok || !strings.HasPrefix(base, "latchkey-") {
			continue
		}
		for _, r := range results {
			if r.Target == base && r.Conns == f.Conns {
				out = append(out, Scale{Target: r.Target, Filled: f.Target, Conns: r.Conns, RPS: r.RPS, FilledRPS: f.RPS,
					CPUPerReq: r.CPUPerReq, FilledCPUPerReq: f.CPUPerReq, P50ms: r.P50ms, FilledP50ms: f.P50ms})
			}
		}
	}
	return out
}

func printScale(w io.Writer, o options, ss []Scale) {
	if len(ss) == 0 {
		return
	}
	fmt.Fprintf(w, "\nscale: %d measured sessions alone, and with %d more identities and sessions (same rounds, interleaved)\n\n", o.identities, o.fill)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "conns\ttarget\treq/s\tfilled\tchange\tCPU/req\tfilled\tchange\tp50\tfilled\t")
	for _, s := range ss {
		fmt.Fprintf(tw, "%d\t%s\t%.0f\t%.0f\t%s\t%.0fµs\t%.0fµs\t%s\t%.2fms\t%.2fms\t\n", s.Conns, s.Filled, s.RPS, s.FilledRPS, harness.Change(s.RPS, s.FilledRPS),
			s.CPUPerReq, s.FilledCPUPerReq, harness.Change(s.CPUPerReq, s.FilledCPUPerReq), s.P50ms, s.FilledP50ms)
	}
	tw.Flush()
}

// fillOnly prepares a database per kind, fills it into the -fill-cache
// and drops it again.
func fillOnly(ctx context.Context, o options, dbs []string) error {
	if o.fill < 1 || o.fillCache == "" {
		return errors.New("-fill-only needs -fill and -fill-cache")
	}
	tmp, err := os.MkdirTemp("", "latchkey-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := o.latchkeyBin
	if bin == "" {
		if bin, err = harness.BuildLatchkey(ctx, tmp); err != nil {
			return err
		}
	}
	for _, db := range dbs {
		inst, err := harness.Prepare(ctx, harness.Setup{Prog: "whoami", DB: db, Tmp: tmp, Bin: bin, DBPrefix: "lk_bench_"})
		if err != nil {
			return err
		}
		res, err := fill.Fill(ctx, fill.Options{ConfigFile: inst.Config, N: o.fill, PasswordHash: fill.PasswordHash,
			Log: os.Stderr, Cache: fill.NewCache(o.fillCache, db)})
		inst.Drop()
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "whoami: %s: %d identities kept (cached before: %v) in %s\n", db, o.fill, res.Cached, res.Took.Round(time.Second))
	}
	return nil
}
