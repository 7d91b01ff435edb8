package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/latchkey/latchkey/bench/baseline"
	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
)

// The benchmark re-executes itself for the servers that are not the real
// latchkey binary: the baseline, and (with -cpuprofile) a profiling copy
// of `latchkey serve`.

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

// runProfiledLatchkey does what `latchkey serve -c cfgFile` does (same
// config loading, app.New, listeners and Serve) and records a CPU profile
// between SIGUSR1 and SIGUSR2 (or shutdown), plus an allocation profile of
// the same window. Bench-only: the server code is untouched.
func runProfiledLatchkey(cfgFile, profPrefix string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	loaded, err := config.Load([]string{cfgFile}, os.Getenv, false)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	log := app.NewLogger(cfg.Log, os.Stderr)
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	l, err := a.Listen()
	if err != nil {
		return err
	}

	prof := make(chan os.Signal, 2)
	signal.Notify(prof, syscall.SIGUSR1, syscall.SIGUSR2)
	var cpuFile *os.File
	var allocs0 runtime.MemStats
	stopProfile := func() {
		if cpuFile == nil {
			return
		}
		pprof.StopCPUProfile()
		cpuFile.Close()
		cpuFile = nil
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(os.Stderr, "bench: window allocations: %d objects, %d bytes, %d GCs\n",
			m.Mallocs-allocs0.Mallocs, m.TotalAlloc-allocs0.TotalAlloc, m.NumGC-allocs0.NumGC)
		if f, err := os.Create(profPrefix + ".allocs.pprof"); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, l) }()
	for {
		select {
		case s := <-prof:
			if s == syscall.SIGUSR1 && cpuFile == nil {
				f, err := os.Create(profPrefix + ".cpu.pprof")
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					f.Close()
					return err
				}
				cpuFile = f
				runtime.ReadMemStats(&allocs0)
			} else if s == syscall.SIGUSR2 {
				stopProfile()
			}
		case err := <-served:
			stopProfile()
			return err
		}
	}
}
