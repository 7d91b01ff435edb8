package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/latchkey/latchkey/bench/internal/harness"
)

// Result is what one target did under load.
type Result struct {
	Target     string  `json:"target"`
	Requests   int64   `json:"requests"` // 200 answers completed inside the measured window
	Errors     int64   `json:"errors"`   // non-200 answers and transport errors inside the window
	FirstError string  `json:"first_error,omitempty"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	Ratio      float64 `json:"ratio_to_baseline"`
	PeakRSSKiB int64   `json:"peak_rss_kib"`
	// ServerCPU is the server process's CPU time over the measured window
	// divided by its length: 1.0 is one core busy. The machine has two, and
	// the load generator uses the rest.
	ServerCPU float64 `json:"server_cpu_cores"`
	// CPUPerReq is the server's CPU time per answered request in
	// microseconds: steadier than req/s when the machine is shared.
	CPUPerReq float64 `json:"server_cpu_us_per_request"`
}

// LoadOptions shape the closed loop.
type LoadOptions struct {
	URL      string // the whoami URL (always on 127.0.0.1)
	Tokens   []string
	Conns    int
	Warmup   time.Duration
	Duration time.Duration
	// OnMeasure and OnDone, when set, run when the measured window opens
	// and closes (used to sample the server and to toggle profiling).
	OnMeasure, OnDone func()
}

// requestTimeout bounds one request; the whole run is bounded by its
// window, after which in-flight requests are cancelled.
const requestTimeout = 10 * time.Second

// Drive runs a closed loop: Conns workers, each sending one whoami with a
// random token from the set and waiting for the answer before the next,
// over Conns keep-alive connections. Only answers that complete inside the
// measured window (after Warmup, for Duration) are counted. It returns when
// the window closes or ctx is cancelled, whichever is first.
func Drive(ctx context.Context, o LoadOptions) Result {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        o.Conns,
		MaxIdleConnsPerHost: o.Conns,
		MaxConnsPerHost:     o.Conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: requestTimeout}

	start := time.Now()
	measureFrom := start.Add(o.Warmup)
	end := measureFrom.Add(o.Duration)
	runCtx, cancel := context.WithDeadline(ctx, end)
	defer cancel()

	type worker struct {
		ok, errs int64
		firstErr string
		lat      []time.Duration
	}
	workers := make([]worker, o.Conns)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(wk *worker, seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(time.Now().UnixNano())))
			wk.lat = make([]time.Duration, 0, 4096)
			for runCtx.Err() == nil {
				tok := o.Tokens[rng.IntN(len(o.Tokens))]
				req, err := http.NewRequestWithContext(runCtx, http.MethodGet, o.URL, nil)
				if err != nil {
					panic(err) // fixed, valid URL
				}
				req.Header.Set("X-Session-Token", tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				status := 0
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				t1 := time.Now()
				if t1.Before(measureFrom) || t1.After(end) || runCtx.Err() != nil {
					continue // warm-up, or cut off when the window closed
				}
				switch {
				case err != nil:
					wk.errs++
					if wk.firstErr == "" {
						wk.firstErr = err.Error()
					}
				case status != http.StatusOK:
					wk.errs++
					if wk.firstErr == "" {
						wk.firstErr = fmt.Sprintf("HTTP %d", status)
					}
				default:
					wk.ok++
					wk.lat = append(wk.lat, t1.Sub(t0))
				}
			}
		}(&workers[w], uint64(w))
	}
	if o.OnMeasure != nil || o.OnDone != nil {
		go func() {
			select {
			case <-time.After(time.Until(measureFrom)):
			case <-runCtx.Done():
				return
			}
			if o.OnMeasure != nil {
				o.OnMeasure()
			}
		}()
	}
	wg.Wait()
	if o.OnDone != nil {
		o.OnDone()
	}

	var r Result
	var all []time.Duration
	for _, wk := range workers {
		r.Requests += wk.ok
		r.Errors += wk.errs
		if r.FirstError == "" {
			r.FirstError = wk.firstErr
		}
		all = append(all, wk.lat...)
	}
	window := min(time.Since(measureFrom), o.Duration)
	if window > 0 {
		r.Seconds = window.Seconds()
		r.RPS = float64(r.Requests) / r.Seconds
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return harness.Ms(all[int(p*float64(len(all)-1))])
	}
	r.P50ms, r.P90ms, r.P99ms = pct(0.50), pct(0.90), pct(0.99)
	return r
}
