package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latchkey/latchkey/bench/baseline"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/token"
)

// benchSessions is how many sessions the tokens are drawn from, as in the
// whoami command's default.
const benchSessions = 1000

// benchParallelism times GOMAXPROCS is the number of concurrent callers:
// 64 on the 2-core machine, like the command's 64 connections.
const benchParallelism = 32

// BenchmarkWhoami compares Latchkey's whoami (the real app from
// testkit.Start on SQLite, sessions issued by session.Manager.Issue) with
// the baseline handler, in one process:
//
//   - http/...: over loopback TCP with keep-alive connections, the same
//     comparison as `go run ./bench/whoami` but with client and servers
//     sharing one Go runtime;
//   - handler/...: ServeHTTP called directly, the server-side cost alone
//     without net/http's connection handling.
//
// Each latchkey line's %-of-baseline is its rate as a share of the
// baseline line above it. Nothing about timing is asserted.
func BenchmarkWhoami(b *testing.B) {
	srv := testkit.Start(b, testkit.Config(b, testkit.NewDatabase(b, "sqlite"), nil))
	ctx := context.Background()
	lkTokens := make([]string, benchSessions)
	for k := range lkTokens {
		i, err := srv.App.Identities.Create(ctx, identity.Draft{
			SchemaID: "default", AddressStatus: identity.StatusPending,
			Traits: json.RawMessage(fmt.Sprintf(`{"email":"bench-%06d@example.com"}`, k)),
		})
		if err != nil {
			b.Fatalf("create identity: %v", err)
		}
		if _, lkTokens[k], err = srv.App.Sessions.Issue(ctx, i, time.Now()); err != nil {
			b.Fatalf("issue session: %v", err)
		}
	}
	baseTokens := make([]string, benchSessions)
	for k := range baseTokens {
		baseTokens[k] = token.New()
	}
	base := baseline.New(baseTokens, srv.PublicURL)
	baseSrv := httptest.NewUnstartedServer(base)
	baseSrv.Config.ReadHeaderTimeout, baseSrv.Config.IdleTimeout = 10*time.Second, 120*time.Second
	baseSrv.Start()
	b.Cleanup(baseSrv.Close)

	// Each latchkey sub-benchmark also reports its rate as a share of the
	// baseline sub-benchmark that ran just before it (%-of-baseline).
	var baseNs float64
	measure := func(b *testing.B, isBaseline bool, run func()) {
		run()
		ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		if isBaseline {
			baseNs = ns
		} else if baseNs > 0 && ns > 0 {
			b.ReportMetric(100*baseNs/ns, "%-of-baseline")
		}
	}
	b.Run("http/baseline", func(b *testing.B) {
		measure(b, true, func() { overHTTP(b, baseSrv.URL+"/sessions/whoami", baseTokens) })
	})
	b.Run("http/latchkey-sqlite", func(b *testing.B) {
		measure(b, false, func() { overHTTP(b, srv.PublicURL+"sessions/whoami", lkTokens) })
	})
	baseNs = 0
	b.Run("handler/baseline", func(b *testing.B) {
		measure(b, true, func() { direct(b, base, baseTokens) })
	})
	b.Run("handler/latchkey-sqlite", func(b *testing.B) {
		measure(b, false, func() { direct(b, srv.App.Public, lkTokens) })
	})
}

// overHTTP sends whoami requests over 64 keep-alive connections.
func overHTTP(b *testing.B, url string, tokens []string) {
	tr := &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	parallel(b, tokens, func(tok string) bool {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("X-Session-Token", tok)
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// direct calls the handler's ServeHTTP with a recorder.
func direct(b *testing.B, h http.Handler, tokens []string) {
	parallel(b, tokens, func(tok string) bool {
		req := httptest.NewRequest(http.MethodGet, "/sessions/whoami", nil)
		req.Header.Set("X-Session-Token", tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code == http.StatusOK
	})
}

// parallel is the loop both ways share, so that they differ only in how a
// request reaches the handler: benchParallelism callers per CPU call one
// with a random token from the set, b.N times in all, and the calls that
// did not get 200 are reported.
func parallel(b *testing.B, tokens []string, one func(tok string) bool) {
	var bad atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
		for pb.Next() {
			if !one(tokens[rng.IntN(len(tokens))]) {
				bad.Add(1)
			}
		}
	})
	report(b, bad.Load())
}

// report shows failed requests as a metric instead of failing: a broken
// setup shows up as errors/op > 0.
func report(b *testing.B, bad int64) {
	b.ReportMetric(float64(bad)/float64(b.N), "errors/op")
	if bad > 0 {
		b.Logf("%d of %d requests did not get 200", bad, b.N)
	}
}
