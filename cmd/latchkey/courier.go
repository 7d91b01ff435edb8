package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
)

// configFlag registers -c/--config, repeatable, each a file or a comma-
// separated list of files.
func configFlag(fs *flag.FlagSet) *files {
	var f files
	fs.Var(&f, "c", "configuration file (YAML, JSON or TOML); repeat, or separate with commas, to merge several")
	fs.Var(&f, "config", "same as -c")
	return &f
}

// courierWatch runs the mail worker alone, for deployments that keep it
// out of the API servers. Any number may run against one database.
func courierWatch(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	cfgFiles := configFlag(fs)
	dev := fs.Bool("dev", false, "dev mode")
	metricsPort := fs.Int("expose-metrics-port", 0, "serve /metrics/prometheus on this port (0: do not)")
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageError{fmt.Sprintf("courier watch takes no arguments, got %q", positional[0])}
	}
	loaded, err := config.Load(*cfgFiles, c.getenv, *dev)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	if *metricsPort != 0 {
		cfg.ExposeMetricsPort = *metricsPort
	}
	log := app.NewLogger(cfg.Log, c.stderr)
	for _, w := range loaded.Warnings {
		log.Warn(w)
	}
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Courier.Sender == nil {
		return errors.New("courier.smtp.connection_uri is not set: there is nowhere to send mail")
	}
	if port := cfg.ExposeMetricsPort; port != 0 {
		l, err := net.Listen("tcp", net.JoinHostPort(cfg.Serve.Admin.Host, strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("expose-metrics-port: cannot listen on port %d: %w", port, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics/prometheus", a.Metrics.Handler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(l) }()
		defer srv.Close()
		fmt.Fprintf(c.stdout, "Metrics: http://%s/metrics/prometheus\n", l.Addr())
	}
	fmt.Fprintln(c.stdout, "Latchkey courier is sending queued mail; stop it with Ctrl-C.")
	a.Courier.Run(ctx)
	return nil
}
