// Command latchkey is an identity server that speaks the HTTP API of Ory
// Kratos v0.6.3. Run `latchkey serve --dev` to start it on built-in defaults.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

const usage = `latchkey: an identity server that speaks the Ory Kratos v0.6.3 API

Usage:
  latchkey serve [-c FILE]... [--dev] [--watch-courier]
  latchkey migrate sql [DSN] [-e] [--yes] [-c FILE]...
  latchkey courier watch [-c FILE]...
  latchkey identities list|get|delete|import [--endpoint URL] ...
  latchkey hashers argon2 calibrate [DURATION] [flags]
  latchkey version

Run 'latchkey COMMAND -h' for a command's flags.
`

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "identities":
		err = identities(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "courier":
		err = courierCmd(ctx, args[1:], getenv, stdout, stderr)
	case "hashers":
		err = hashers(args[1:], stdout, stderr)
	case "version":
		err = version(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "latchkey: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "latchkey: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "latchkey: %v\n", err)
		return 1
	}
	return 0
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// files collects repeated -c/--config flags.
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseInterspersed lets flags follow positional arguments, as the
// reference's CLI allows ("migrate sql DSN --yes").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
