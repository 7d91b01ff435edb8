package main

import (
	"context"
	"fmt"
	"io"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
)

// courierCmd runs the mail worker alone, for deployments that keep it out
// of the API servers. Any number may run against one database.
func courierCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "watch" {
		return usageError{"usage: latchkey courier watch [-c FILE]..."}
	}
	fs := newFlags("courier watch", stderr)
	var cfgFiles files
	fs.Var(&cfgFiles, "c", "config file (YAML or JSON); repeat to merge several")
	fs.Var(&cfgFiles, "config", "same as -c")
	dev := fs.Bool("dev", false, "dev mode")
	if _, err := parseInterspersed(fs, args[1:]); err != nil {
		return err
	}
	loaded, err := config.Load(cfgFiles, getenv, *dev)
	if err != nil {
		return err
	}
	log := app.NewLogger(loaded.Config.Log, stderr)
	for _, w := range loaded.Warnings {
		log.Warn(w)
	}
	a, err := app.New(ctx, loaded.Config, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Courier.Sender == nil {
		return fmt.Errorf("courier.smtp.connection_uri is not set: there is nowhere to send mail")
	}
	fmt.Fprintln(stdout, "Latchkey courier is sending queued mail; stop it with Ctrl-C.")
	a.Courier.Run(ctx)
	return nil
}
