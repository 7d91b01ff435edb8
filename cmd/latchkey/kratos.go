package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/kratos"
)

// migrateKratos copies a reference database into the one in dsn, which it
// migrates first. Run it ahead of time and again at cut-over: the second
// run copies only what changed.
func migrateKratos(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	cfgFiles := configFlag(fs)
	yes := fs.Bool("yes", false, "copy without asking")
	fs.BoolVar(yes, "y", false, "same as --yes")
	dry := fs.Bool("dry-run", false, "read the source and report what would be copied, writing nothing")
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usageError{"migrate kratos takes the reference's database URL (sqlite://, postgres:// or mysql://), and -c for Latchkey's own configuration"}
	}
	loaded, err := config.Load(*cfgFiles, c.getenv, false)
	if err != nil {
		return err
	}
	cfg := loaded.Config
	src, err := kratos.Open(ctx, positional[0])
	if err != nil {
		return err
	}
	defer src.Close()
	if !*yes && !*dry {
		fmt.Fprintf(c.stdout, "Copy the Kratos database's identities and live sessions into %s (migrating it first)? [y/N] ", cfg.DSN)
		answer, _ := bufio.NewReader(c.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(c.stdout, "Nothing copied.")
			return nil
		}
	}
	log := app.NewLogger(cfg.Log, c.stderr)
	a, err := app.New(ctx, cfg, log, app.Options{Migrate: !*dry})
	if err != nil && *dry {
		// A dry run migrates nothing; with no usable target yet, it counts
		// against an empty one.
		cfg.DSN = "memory"
		a, err = app.New(ctx, cfg, log, app.Options{})
	}
	if err != nil {
		return err
	}
	defer a.Close()
	p := newProgress(c.stderr)
	cp := &kratos.Copier{
		Target: a.Store, DryRun: *dry, Identities: a.Identities, Tokens: a.Tokens, Now: time.Now,
		Progress: func(what string, n int) { p.update("read %d %s", n, what) },
	}
	counts, err := cp.Run(ctx, src)
	p.done()
	if err != nil {
		return err
	}
	printCounts(c.stdout, counts, *dry)
	return nil
}

func printCounts(w io.Writer, n *kratos.Counts, dry bool) {
	verb := "copied"
	if dry {
		verb = "would copy"
		fmt.Fprintln(w, "Dry run: nothing was written.")
	}
	line := func(what string, t kratos.Tally) {
		fmt.Fprintf(w, "%-11s %s %d new, %d changed; %d unchanged; %d removed (gone from the source)\n", what+":", verb, t.Created, t.Updated, t.Unchanged, t.Removed)
	}
	line("identities", n.Identities)
	fmt.Fprintf(w, "%-11s %s %d (with the identities above; password hashes as they are)\n", "credentials:", verb, n.Credentials)
	line("sessions", n.Sessions)
	if len(n.Skipped) == 0 {
		fmt.Fprintln(w, "skipped:    none")
		return
	}
	reasons := make([]string, 0, len(n.Skipped))
	for r := range n.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	fmt.Fprintln(w, "skipped:")
	for _, r := range reasons {
		fmt.Fprintf(w, "  %6d  %s\n", n.Skipped[r], r)
	}
}
