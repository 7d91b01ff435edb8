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
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// cli is what every command reads and writes: the environment and the
// standard streams, passed in so tests run commands in-process.
type cli struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	cmd  *command // the leaf being run, for its usage
	path string   // "latchkey identities list"
}

// command is one verb of the CLI. A group has subs; a leaf has run, which
// parses its own flags with cli.parse. To add a verb, add a command to
// the tree in commands().
type command struct {
	name    string
	aliases []string
	args    string // the arguments after the verb, for the usage line
	short   string
	run     func(ctx context.Context, c *cli, args []string) error
	subs    []*command
}

func commands() *command {
	return &command{name: "latchkey", short: "an identity server that speaks the Ory Kratos v0.6.3 API", subs: []*command{
		{name: "serve", args: "[-c FILE]... [--dev] [--watch-courier] [--sqa-opt-out]", short: "run the public and admin APIs", run: serve},
		{name: "migrate", short: "apply database migrations", subs: []*command{
			{name: "sql", args: "[<database-url>] [-e] [--yes] [-c FILE]...", short: "apply the SQL migrations this binary carries", run: migrate},
			{name: "kratos", args: "<reference-database-url> [-c FILE]... [--yes] [--dry-run]", short: "copy a running Kratos v0.6 deployment's users and sessions into the database in dsn", run: migrateKratos},
		}},
		{name: "courier", short: "the mail worker", subs: []*command{
			{name: "watch", args: "[-c FILE]... [--expose-metrics-port PORT]", short: "send queued mail (run as many as you like)", run: courierWatch},
		}},
		{name: "identities", short: "manage identities through the admin API", subs: []*command{
			{name: "list", aliases: []string{"ls"}, args: "[<page> <per-page>] [--endpoint URL] [--format FORMAT] [-q]", short: "list identities", run: identitiesList},
			{name: "get", args: "<id> [<id>...] [--endpoint URL] [--format FORMAT] [-q]", short: "show identities", run: identitiesGet},
			{name: "delete", aliases: []string{"del"}, args: "<id> [<id>...] [--endpoint URL]", short: "delete identities", run: identitiesDelete},
			{name: "import", args: "[<file.json>...] [--endpoint URL] [--format FORMAT] [-q]", short: "create identities from JSON files (or standard input)", run: identitiesImport},
			{name: "validate", args: "<file.json> [<file.json>...] [--endpoint URL]", short: "check identity files against the server's identity schemas", run: identitiesValidate},
		}},
		{name: "jsonnet", short: "work with Jsonnet files (web-hook bodies)", subs: []*command{
			{name: "format", args: "<file.jsonnet>... [--write]", short: "print (or rewrite) files in canonical form", run: jsonnetFormat},
			{name: "lint", args: "<file.jsonnet>...", short: "report problems in Jsonnet files", run: jsonnetLint},
		}},
		{name: "remote", short: "ask a running server", subs: []*command{
			{name: "status", args: "[--endpoint URL] [--format FORMAT]", short: "whether the server is alive and ready", run: remoteStatus},
			{name: "version", args: "[--endpoint URL] [--format FORMAT]", short: "the version the server runs", run: remoteVersion},
		}},
		{name: "hashers", short: "password hashing helpers", subs: []*command{
			{name: "argon2", short: "argon2id", subs: []*command{
				{name: "calibrate", args: "<requests-per-minute> [flags]", short: "find argon2 parameters for this machine", run: calibrate},
			}},
		}},
		{name: "version", short: "print this binary's version", run: func(_ context.Context, c *cli, args []string) error {
			fs := c.flags()
			if _, err := c.parse(fs, args); err != nil {
				return err
			}
			return version(c.stdout)
		}},
	}}
}

// run executes one command line and returns the process exit code: 0 on
// success (and for --help), 1 when the work failed, 2 for a mistake in
// the command line.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	err := dispatch(ctx, c, commands(), "latchkey", args)
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "latchkey: %s\n", sentence(err.Error()))
		return 2
	default:
		fmt.Fprintf(stderr, "latchkey: %s\n", sentence(err.Error()))
		return 1
	}
}

func dispatch(ctx context.Context, c *cli, cmd *command, path string, args []string) error {
	if cmd.run != nil {
		c.cmd, c.path = cmd, path
		return cmd.run(ctx, c, args)
	}
	if len(args) == 0 {
		groupUsage(c.stderr, cmd, path)
		return usageError{fmt.Sprintf("%s needs a command", path)}
	}
	switch args[0] {
	case "-h", "--help", "help":
		groupUsage(c.stdout, cmd, path)
		return flag.ErrHelp
	}
	for _, sub := range cmd.subs {
		if sub.name == args[0] || contains(sub.aliases, args[0]) {
			return dispatch(ctx, c, sub, path+" "+sub.name, args[1:])
		}
	}
	groupUsage(c.stderr, cmd, path)
	return usageError{fmt.Sprintf("unknown command %q for %s", args[0], path)}
}

func groupUsage(w io.Writer, cmd *command, path string) {
	fmt.Fprintf(w, "%s: %s\n\nUsage:\n", path, cmd.short)
	var walk func(cmd *command, path string)
	walk = func(cmd *command, path string) {
		for _, sub := range cmd.subs {
			p := path + " " + sub.name
			if sub.run != nil {
				fmt.Fprintf(w, "  %-32s %s\n", strings.TrimSpace(p+" "+firstWord(sub.args)), sub.short)
			}
			walk(sub, p)
		}
	}
	walk(cmd, path)
	fmt.Fprintf(w, "\nRun '%s COMMAND --help' for a command's arguments and flags.\n", path)
}

func firstWord(args string) string {
	if strings.HasPrefix(args, "<") || strings.HasPrefix(args, "[<") {
		s, _, _ := strings.Cut(args, " [-")
		s, _, _ = strings.Cut(s, " [flags]")
		return s
	}
	return ""
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// sentence makes an error read as a sentence: capital first, full stop.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	// A configuration key or a flag stays as written.
	first, _, _ := strings.Cut(s, " ")
	if !strings.ContainsAny(first, "._-:/") {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "\n") {
		s += "."
	}
	return s
}

// files collects repeated -c/--config flags (each may list several files
// separated by commas, as the reference takes them).
type files []string

func (f *files) String() string     { return fmt.Sprint(*f) }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// flags returns a flag set that prints nothing itself: cli.parse reports
// errors once, and help on standard output.
func (c *cli) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse reads flags anywhere among the arguments, as the reference's CLI
// allows ("migrate sql DSN --yes"). -h/--help prints the command's usage
// and returns flag.ErrHelp.
func (c *cli) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	path := c.path
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(c.stdout, "%s: %s\n\nUsage:\n  %s %s\n", path, c.cmd.short, path, c.cmd.args)
			if hasFlags(fs) {
				fmt.Fprintln(c.stdout, "\nFlags:")
				fs.SetOutput(c.stdout)
				fs.PrintDefaults()
				fs.SetOutput(io.Discard)
			}
			return nil, flag.ErrHelp
		}
		if err != nil {
			return nil, usageError{fmt.Sprintf("%v (see '%s --help')", err, path)}
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
