package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

func migrate(ctx context.Context, c *cli, args []string) error {
	getenv, stdin, stdout := c.getenv, c.stdin, c.stdout
	fs := c.flags()
	cfgFiles := configFlag(fs)
	fromEnv := fs.Bool("e", false, "read the DSN from the config files and the DSN environment variable")
	fs.BoolVar(fromEnv, "read-from-env", false, "same as -e")
	yes := fs.Bool("yes", false, "apply without asking")
	fs.BoolVar(yes, "y", false, "same as --yes")
	positional, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	var dsn string
	switch {
	case len(positional) > 1:
		return usageError{"migrate sql takes at most one DSN"}
	case len(positional) == 1:
		dsn = positional[0]
	case *fromEnv:
		if dsn, err = config.DSN(*cfgFiles, getenv); err != nil {
			return err
		}
	default:
		return usageError{"give a DSN, or -e to read it from the config file or the DSN environment variable"}
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if !*yes {
		fmt.Fprintf(stdout, "Apply all pending migrations to the %s database? [y/N] ", db.Dialect)
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(stdout, "Nothing applied.")
			return nil
		}
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Applied %d migration(s); the %s database is up to date.\n", n, db.Dialect)
	return nil
}
