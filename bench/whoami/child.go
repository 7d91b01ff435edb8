package main

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/latchkey/latchkey/bench/baseline"
)

// The benchmark re-executes itself for the servers that are not the real
// latchkey binary: the baseline, and (with -cpuprofile) a profiling copy
// of `latchkey serve` (harness.RunProfiledLatchkey).

// runBaselineChild serves the baseline on addr with the tokens in a file,
// one per line, until SIGTERM.
func runBaselineChild(addr, tokensFile string) error {
	raw, err := os.ReadFile(tokensFile)
	if err != nil {
		return err
	}
	tokens := strings.Fields(string(raw))
	h := baseline.New(tokens, "http://"+addr+"/")
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// The same server timeouts as Latchkey's, so only the handler differs.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != http.ErrServerClosed {
		return err
	}
	return nil
}
