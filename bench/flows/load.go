package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/latchkey/latchkey/bench/internal/fill"
	"github.com/latchkey/latchkey/bench/internal/harness"
)

// benchPassword passes the password policy (length, not common, unlike
// the generated emails), so every registration reaches the hasher.
// It is the fill's, so a filled identity signs in with it too.
const benchPassword = fill.Password

// api is a native app talking to one server: init + submit per operation,
// over keep-alive connections, the way the SDK does it.
type api struct {
	base string
	http *http.Client
}

func newAPI(base string, conns int) *api {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute, DisableCompression: true}
	return &api{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends one request and returns the status and body.
func (a *api) do(ctx context.Context, method, url string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// flow runs init + submit of one api flow and checks that the answer
// carries a session token. It reports how long the init took through the
// context's step timer, so the two halves can be told apart.
func (a *api) flow(ctx context.Context, kind string, submission any) error {
	t0 := time.Now()
	status, b, err := a.do(ctx, http.MethodGet, a.base+"self-service/"+kind+"/api", nil)
	if st, ok := ctx.Value(stepKey{}).(*time.Duration); ok {
		*st = time.Since(t0)
	}
	if err != nil {
		return err
	}
	var f struct {
		ID string `json:"id"`
	}
	if status != http.StatusOK || json.Unmarshal(b, &f) != nil || f.ID == "" {
		return fmt.Errorf("init %s: %d %.200s", kind, status, b)
	}
	sub, _ := json.Marshal(submission)
	status, b, err = a.do(ctx, http.MethodPost, a.base+"self-service/"+kind+"?flow="+f.ID, sub)
	if err != nil {
		return err
	}
	var out struct {
		SessionToken string `json:"session_token"`
	}
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil || out.SessionToken == "" {
		return fmt.Errorf("submit %s: %d %.200s", kind, status, b)
	}
	return nil
}

func (a *api) register(ctx context.Context, email string) error {
	return a.flow(ctx, "registration", map[string]any{
		"method": "password", "password": benchPassword, "traits": map[string]any{"email": email, "name": "Bench"},
	})
}

func (a *api) login(ctx context.Context, email string) error {
	return a.flow(ctx, "login", map[string]any{"method": "password", "password_identifier": email, "password": benchPassword})
}

// Phase is the outcome of driving one operation for a while.
type Phase struct {
	DB, Op        string // DB: the server, e.g. "sqlite" or "sqlite+1M"
	Filled        int    // identities written before the server started
	Clients       int
	Ops, Errors   int
	Seconds       float64
	PerSec        float64
	P50ms, P99ms  float64
	InitP50ms     float64 // of the init request alone
	SubmitP50ms   float64 // of the submit request alone
	HashP50ms     float64 // the hash alone, measured in-process
	OverheadP50ms float64 // P50ms - HashP50ms
	CommitP50ms   float64 // a one-row INSERT+commit on the same database, for scale
	// CPUms is the server's CPU time (user + system, all threads) from the
	// window's start to the end of its last flow, per successful flow:
	// unlike latency it hardly moves when other work shares the machine.
	// OwnCPUms is CPUms minus the hash alone.
	CPUms, OwnCPUms float64
	RSSKiB          RSS
	FirstError      string `json:",omitempty"`
}

// RSS is the server's resident memory over the measured window (VmRSS),
// and the anonymous part of it (RssAnon: the server's own allocations,
// without its binary's mapped pages) at the same moments.
type RSS struct {
	Start, Middle, End, Peak                 int64
	AnonStart, AnonMiddle, AnonEnd, AnonPeak int64
}

type sample struct {
	start     time.Time
	dur, init time.Duration
	err       error
}

// stepKey carries a *time.Duration that an operation sets to the time its
// first step (the init) took.
type stepKey struct{}

// drive runs op from n clients in a closed loop (one operation in flight
// each): warm-up first, then the measured window, while sampling the
// server's memory. Operations that start inside the window count. mark,
// if not nil, is told when the window opens and when the last operation
// of the window is over (the profiler's window).
func drive(ctx context.Context, n int, warmup, duration time.Duration, pid int, op func(ctx context.Context, client, seq int) error, mark func(open bool)) Phase {
	t0 := time.Now()
	from, to := t0.Add(warmup), t0.Add(warmup+duration)
	ctx, cancel := context.WithDeadline(ctx, to.Add(30*time.Second))
	defer cancel()
	if mark != nil {
		open := time.AfterFunc(warmup, func() { mark(true) })
		defer func() {
			if open.Stop() {
				return // never opened
			}
			mark(false)
		}()
	}

	rss := make(chan RSS, 1)
	go func() { rss <- sampleRSS(pid, from, to) }()
	cpu0 := make(chan int64, 1)
	go func() {
		time.Sleep(time.Until(from))
		cpu0 <- harness.CPUTicks(pid)
	}()

	per := make([][]sample, n)
	var wg sync.WaitGroup
	for c := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				s := time.Now()
				if !s.Before(to) || ctx.Err() != nil {
					return
				}
				var init time.Duration
				err := op(context.WithValue(ctx, stepKey{}, &init), c, seq)
				if !s.Before(from) {
					per[c] = append(per[c], sample{start: s, dur: time.Since(s), init: init, err: err})
				}
			}
		}()
	}
	wg.Wait()
	cpu := harness.CPUTicks(pid) - <-cpu0

	p := Phase{Clients: n, Seconds: duration.Seconds(), RSSKiB: <-rss}
	var durs, inits, submits []time.Duration
	for _, ss := range per {
		for _, s := range ss {
			p.Ops++
			if s.err != nil {
				p.Errors++
				if p.FirstError == "" {
					p.FirstError = s.err.Error()
				}
				continue
			}
			durs = append(durs, s.dur)
			inits = append(inits, s.init)
			submits = append(submits, s.dur-s.init)
		}
	}
	p.PerSec = float64(p.Ops-p.Errors) / p.Seconds
	if ok := p.Ops - p.Errors; ok > 0 {
		p.CPUms = float64(cpu) / harness.TicksPerSecond * 1000 / float64(ok)
	}
	p.P50ms, p.P99ms = harness.Ms(harness.Percentile(durs, 0.50)), harness.Ms(harness.Percentile(durs, 0.99))
	p.InitP50ms, p.SubmitP50ms = harness.Ms(harness.Percentile(inits, 0.50)), harness.Ms(harness.Percentile(submits, 0.50))
	return p
}

// sampleRSS reads the server's RSS every 250ms between from and to and
// returns the first, middle, last and highest reading.
func sampleRSS(pid int, from, to time.Time) RSS {
	time.Sleep(time.Until(from))
	var got, anon []int64
	for {
		m := harness.ReadMem(pid)
		got, anon = append(got, m.RSS), append(anon, m.Anon)
		if !time.Now().Before(to) {
			break
		}
		time.Sleep(min(250*time.Millisecond, time.Until(to)))
	}
	n := len(got)
	return RSS{Start: got[0], Middle: got[n/2], End: got[n-1], Peak: slices.Max(got),
		AnonStart: anon[0], AnonMiddle: anon[n/2], AnonEnd: anon[n-1], AnonPeak: slices.Max(anon)}
}
