package harness

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/logbuf"
)

// A benchmark's -cpuprofile re-executes the benchmark itself as the
// server: RunProfiledLatchkey is `latchkey serve` with a CPU profile of
// the window the benchmark marks with SIGUSR1 and SIGUSR2.

// RunProfiledLatchkey does what `latchkey serve -c cfgFile` does (same
// config loading, app.New, listeners and Serve) and records a CPU profile
// between SIGUSR1 and SIGUSR2 (or shutdown), plus an allocation profile of
// the same window. Bench-only: the server code is untouched.
func RunProfiledLatchkey(cfgFile, profPrefix string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	loaded, err := config.Load([]string{cfgFile}, os.Getenv, false)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	logOut := logbuf.New(os.Stderr) // as serve does
	defer logOut.Close()
	log := app.NewLogger(cfg.Log, logOut)
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
