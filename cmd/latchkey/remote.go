package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
)

// remoteStatus asks a running server whether it is alive and ready.
func remoteStatus(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, true)
	if err := c.noArgs(fs, args, rf); err != nil {
		return err
	}
	client := rf.client()
	if _, err := client.do(ctx, http.MethodGet, "health/alive", nil); err != nil {
		return err
	}
	ready := true
	if _, err := client.do(ctx, http.MethodGet, "health/ready", nil); err != nil {
		if _, isAPI := err.(*apiError); !isAPI {
			return err
		}
		ready = false
	}
	if err := printRecord(c.stdout, rf, []string{"ALIVE", "READY"}, map[string]any{"alive": true, "ready": ready}, []string{"alive", "ready"}); err != nil {
		return err
	}
	if !ready {
		return fmt.Errorf("the server at %s is alive but not ready (its database may be unreachable)", client.base)
	}
	return nil
}

// remoteVersion asks a running server which version it runs.
func remoteVersion(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	rf := c.remoteFlags(fs, true)
	if err := c.noArgs(fs, args, rf); err != nil {
		return err
	}
	raw, err := rf.client().do(ctx, http.MethodGet, "version", nil)
	if err != nil {
		return err
	}
	var v struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("the server's /version answer is not JSON: %v", err)
	}
	return printRecord(c.stdout, rf, []string{"VERSION"}, map[string]any{"version": v.Version}, []string{"version"})
}

func (c *cli) noArgs(fs *flag.FlagSet, args []string, rf remoteFlags) error {
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %q", c.path, positional[0])}
	}
	return rf.check()
}

// printRecord prints one object as a two-column table or as JSON.
func printRecord(w io.Writer, rf remoteFlags, headers []string, v map[string]any, keys []string) error {
	switch *rf.format {
	case "json", "json-pretty":
		enc := json.NewEncoder(w)
		if *rf.format == "json-pretty" {
			enc.SetIndent("", "  ")
		}
		return enc.Encode(v)
	}
	if *rf.quiet {
		for _, k := range keys {
			fmt.Fprintln(w, v[k])
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, k := range keys {
		fmt.Fprintf(tw, "%s\t%v\n", headers[i], v[k])
	}
	return tw.Flush()
}
