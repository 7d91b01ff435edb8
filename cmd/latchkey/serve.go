package main

import (
	"context"
	"fmt"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/store"
)

func serve(ctx context.Context, c *cli, args []string) error {
	getenv, stdout, stderr := c.getenv, c.stdout, c.stderr
	fs := c.flags()
	cfgFiles := configFlag(fs)
	dev := fs.Bool("dev", false, "dev mode: no secrets needed, insecure cookies, SQLite migrated on start")
	watchCourier := fs.Bool("watch-courier", false, "run the mail courier inside this process (on by default)")
	fs.Bool("sqa-opt-out", false, "accepted for the reference's scripts: Latchkey never sends usage statistics")
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", positional[0])}
	}
	loaded, err := config.Load(*cfgFiles, getenv, *dev)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	if *watchCourier {
		t := true
		cfg.WatchCourier = &t
	}
	log := app.NewLogger(cfg.Log, stderr)
	for _, w := range loaded.Warnings {
		log.Warn(w)
	}
	for _, n := range loaded.Notes {
		log.Info(n)
	}
	target, err := store.ParseDSN(cfg.DSN)
	if err != nil {
		return fmt.Errorf("dsn: %w", err)
	}
	// In dev mode SQLite migrates itself; everything else is migrated
	// explicitly, once, by the operator.
	a, err := app.New(ctx, cfg, log, app.Options{Migrate: cfg.Dev && target.Dialect == store.SQLite})
	if err != nil {
		return err
	}
	defer a.Close()
	l, err := a.Listen()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Latchkey %s is serving.\n  Public API: %s (listening on %s)\n  Admin API:  %s (listening on %s)\n  Sign-up and sign-in pages: %sui/\n",
		app.Version, cfg.Serve.Public.BaseURL, l.Public.Addr(), cfg.Serve.Admin.BaseURL, l.Admin.Addr(), cfg.Serve.Public.BaseURL)
	err = a.Serve(ctx, l)
	log.Info("stopped")
	return err
}
