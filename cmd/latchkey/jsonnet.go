package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-jsonnet"
	"github.com/google/go-jsonnet/formatter"
	"github.com/google/go-jsonnet/linter"
)

// jsonnetFormat prints each file in canonical form, or rewrites it in
// place with --write, as the reference's `jsonnet format` does.
func jsonnetFormat(_ context.Context, c *cli, args []string) error {
	fs := c.flags()
	write := fs.Bool("write", false, "rewrite the files in place instead of printing them")
	fs.BoolVar(write, "w", false, "same as --write")
	names, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usageError{"jsonnet format needs at least one file"}
	}
	for _, name := range names {
		src, err := readInput(name, c.stdin)
		if err != nil {
			return err
		}
		out, err := formatter.Format(name, string(src), formatter.DefaultOptions())
		if err != nil {
			return fmt.Errorf("%s cannot be formatted: %s", name, strings.TrimSpace(err.Error()))
		}
		if !*write {
			fmt.Fprint(c.stdout, out)
			continue
		}
		if out == string(src) {
			continue
		}
		info, err := os.Stat(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, []byte(out), info.Mode().Perm()); err != nil {
			return fmt.Errorf("cannot rewrite %s: %v", name, err)
		}
		fmt.Fprintf(c.stdout, "formatted %s\n", name)
	}
	return nil
}

// jsonnetLint reports syntax errors and the linter's findings (unused
// variables, ...) for each file; it fails when any file has one.
func jsonnetLint(_ context.Context, c *cli, args []string) error {
	fs := c.flags()
	names, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return usageError{"jsonnet lint needs at least one file"}
	}
	bad := 0
	for _, name := range names {
		src, err := readInput(name, c.stdin)
		if err != nil {
			return err
		}
		var findings bytes.Buffer
		if linter.LintSnippet(jsonnet.MakeVM(), &findings, []linter.Snippet{{FileName: name, Code: string(src)}}) {
			bad++
			fmt.Fprint(c.stderr, findings.String())
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files have problems", bad, len(names))
	}
	fmt.Fprintf(c.stdout, "No problems found in %d file(s).\n", len(names))
	return nil
}
