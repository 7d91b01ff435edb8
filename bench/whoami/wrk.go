package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/bench/internal/harness"
)

// The load generator is wrk (Debian's wrk package), a separate C process
// with its own event loops: the Go client this command used before shared
// the Go runtime's scheduler costs with nothing but itself and let the
// baseline reach only about 60% of what wrk drives it to on the same
// cores, which flattered every ratio.

//go:embed whoami.lua
var whoamiLua []byte

// Result is what one target did under load at one connection count.
type Result struct {
	Target     string  `json:"target"`
	Conns      int     `json:"conns"`
	Requests   int64   `json:"requests"` // 2xx answers inside the measured window
	Errors     int64   `json:"errors"`   // non-2xx answers, socket errors and timeouts
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	Ratio      float64 `json:"ratio_to_baseline"`
	PeakRSSKiB int64   `json:"peak_rss_kib"`
	// PeakAnonKiB is the peak of the RSS's anonymous part (RssAnon): the
	// server's own allocations, without its binary's mapped pages.
	PeakAnonKiB int64 `json:"peak_anon_kib"`
	// ServerCPU is the server process's CPU time over the measured window
	// divided by its length: 1.0 is one core busy.
	ServerCPU float64 `json:"server_cpu_cores"`
	// CPUPerReq is the server's CPU time per answered request in
	// microseconds: steadier than req/s when the machine is shared.
	CPUPerReq float64 `json:"server_cpu_us_per_request"`
}

// wrkRun is one wrk invocation's summary, as whoami.lua's done() prints it.
type wrkRun struct {
	Requests   int64   `json:"requests"`
	DurationUS float64 `json:"duration_us"`
	Non2xx     int64   `json:"status_errors"`
	Socket     int64   `json:"socket_errors"`
	Timeouts   int64   `json:"timeouts"`
	P50us      float64 `json:"p50_us"`
	P90us      float64 `json:"p90_us"`
	P99us      float64 `json:"p99_us"`
}

// loader runs wrk against whoami URLs with a token file per target.
type loader struct {
	wrk     string // the wrk binary
	script  string // whoami.lua, written to the run's directory
	threads int
}

func newLoader(wrk, dir string, threads int) (*loader, error) {
	path, err := exec.LookPath(wrk)
	if err != nil {
		return nil, fmt.Errorf("the load generator %q is not installed (Debian: apt-get install wrk): %w", wrk, err)
	}
	script := dir + "/whoami.lua"
	if err := os.WriteFile(script, whoamiLua, 0o644); err != nil {
		return nil, err
	}
	return &loader{wrk: path, script: script, threads: threads}, nil
}

// run drives url for d with conns keep-alive connections, each request
// carrying a random token from tokensFile, and returns wrk's summary.
func (l *loader) run(ctx context.Context, url, tokensFile string, conns int, d time.Duration) (wrkRun, error) {
	threads := min(l.threads, conns)
	secs := max(1, int(d.Round(time.Second)/time.Second))
	cmd := exec.CommandContext(ctx, l.wrk, "-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns),
		"-d", strconv.Itoa(secs)+"s", "--timeout", "10s", "-s", l.script, url, "--", tokensFile)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return wrkRun{}, fmt.Errorf("wrk: %v: %s%s", err, stderr.Bytes(), out.Bytes())
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "WHOAMI-RESULT "); ok {
			var r wrkRun
			if err := json.Unmarshal([]byte(rest), &r); err != nil {
				return wrkRun{}, fmt.Errorf("wrk summary %q: %w", rest, err)
			}
			return r, nil
		}
	}
	return wrkRun{}, fmt.Errorf("wrk printed no summary:\n%s%s", out.Bytes(), stderr.Bytes())
}

// measure runs an unmeasured warm-up, then the measured window while
// sampling the server, and turns both into a Result.
func (l *loader) measure(ctx context.Context, o options, t *target, conns int, profile bool) (Result, error) {
	if o.warmup > 0 {
		if _, err := l.run(ctx, t.url, t.tokensFile, conns, o.warmup); err != nil {
			return Result{}, err
		}
	}
	s := harness.NewSampler(t.child.PID())
	s.Start()
	if profile && t.onMeasure != nil {
		t.onMeasure()
	}
	w, err := l.run(ctx, t.url, t.tokensFile, conns, o.duration)
	if profile && t.onDone != nil {
		t.onDone()
	}
	s.Stop()
	if err != nil {
		return Result{}, err
	}
	r := Result{Target: t.name, Conns: conns, Seconds: w.DurationUS / 1e6,
		P50ms: w.P50us / 1000, P90ms: w.P90us / 1000, P99ms: w.P99us / 1000,
		PeakRSSKiB: s.PeakKiB(), PeakAnonKiB: s.PeakAnonKiB(), ServerCPU: s.CPUCores()}
	r.Errors = w.Non2xx + w.Socket + w.Timeouts
	r.Requests = w.Requests - w.Non2xx
	if r.Seconds > 0 {
		r.RPS = float64(r.Requests) / r.Seconds
	}
	if r.RPS > 0 {
		r.CPUPerReq = r.ServerCPU / r.RPS * 1e6
	}
	if r.Errors > 0 {
		r.FirstError = fmt.Sprintf("%d non-2xx, %d socket errors, %d timeouts", w.Non2xx, w.Socket, w.Timeouts)
	}
	return r, nil
}
