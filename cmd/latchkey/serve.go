package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/logbuf"
	"github.com/latchkey/latchkey/internal/store/sqldb"
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
	// Lines are gathered into fewer writes (one per request was a tenth
	// of whoami's CPU); Close, deferred first so it runs last, writes what
	// is left after the server has stopped.
	logOut := logbuf.New(stderr)
	defer logOut.Close()
	log := app.NewLogger(cfg.Log, logOut)
	for _, w := range loaded.Warnings {
		log.Warn(w)
	}
	for _, n := range loaded.Notes {
		log.Info(n)
	}
	target, err := sqldb.ParseDSN(cfg.DSN)
	if err != nil {
		return fmt.Errorf("dsn: %w", err)
	}
	// In dev mode SQLite migrates itself; everything else is migrated
	// explicitly, once, by the operator.
	a, err := app.New(ctx, cfg, log, app.Options{Migrate: cfg.Dev && target.Dialect == sqldb.SQLite})
	if err != nil {
		return err
	}
	defer a.Close()
	l, err := a.Listen()
	if err != nil {
		return err
	}
	printBanner(stdout, cfg, l)
	err = a.Serve(ctx, l)
	log.Info("stopped")
	return err
}

// printBanner tells whoever started the server where everything is.
func printBanner(w io.Writer, cfg config.Config, l app.Listeners) {
	pub, adm := cfg.Serve.Public.BaseURL, cfg.Serve.Admin.BaseURL
	fmt.Fprintf(w, "Latchkey %s is serving.\n", app.Version)
	fmt.Fprintf(w, "  Public API:  %s (listening on %s)\n", pub, l.Public.Addr())
	fmt.Fprintf(w, "  Admin API:   %s (listening on %s): identities at %sidentities\n", adm, l.Admin.Addr(), adm)
	builtin := func(kind, configured string) {
		if configured == pub+"ui/"+kind {
			fmt.Fprintf(w, "  %-12s %s\n", strings.ToUpper(kind[:1])+kind[1:]+":", configured)
		}
	}
	f := cfg.SelfService.Flows
	fmt.Fprintf(w, "  Pages:       %sui/ (your account)\n", pub)
	builtin("login", f.Login.UIURL)
	builtin("registration", f.Registration.UIURL)
	builtin("settings", f.Settings.UIURL)
	if f.Recovery.Enabled {
		builtin("recovery", f.Recovery.UIURL)
	}
	if f.Verification.Enabled {
		builtin("verification", f.Verification.UIURL)
	}
	if cfg.Dev && cfg.Courier.SMTP.ConnectionURI == "" {
		fmt.Fprintf(w, "  Dev mailbox: %sui/dev/mail (mail is kept here, not sent)\n", pub)
	}
}
