package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/sdk"
)

// result is what a command run leaves behind.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command line as main would, with only the given
// environment variables and stdin.
func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return vars[k] }, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// schemaState opens a database and reports CheckSchema's verdict.
func schemaState(t *testing.T, dsn string) error {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	return db.CheckSchema(context.Background())
}

// TestVersionPrints: `latchkey version` names the build.
func TestVersionPrints(t *testing.T) {
	r := runCmd(t, nil, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "latchkey "+app.Version+" ") {
		t.Errorf("version: exit %d, stdout %q", r.code, r.stdout)
	}
}

// TestCommandLineMistakes exit 2 with a message, so scripts can tell them
// from failures of the work itself (exit 1).
func TestCommandLineMistakes(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		inStderr string
	}{
		{nil, "Usage:"},
		{[]string{"frobnicate"}, `Unknown command "frobnicate"`},
		{[]string{"migrate"}, "migrate sql"},
		{[]string{"migrate", "nosql"}, "migrate sql"},
		{[]string{"migrate", "sql"}, "DSN"},
		{[]string{"migrate", "sql", "memory", "memory"}, "at most one DSN"},
		{[]string{"identities"}, "Usage:"},
		{[]string{"identities", "rename"}, `"rename"`},
		{[]string{"identities", "list", "1"}, "<page> <per-page>"},
		{[]string{"identities", "list", "--format", "xml"}, `"xml"`},
		{[]string{"hashers", "bcrypt"}, "Usage:"},
		{[]string{"hashers", "argon2", "calibrate", "soon"}, `"soon"`},
		{[]string{"serve", "--frobnicate"}, "Flag provided but not defined: -frobnicate"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runCmd(t, nil, "", tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.inStderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.inStderr)
			}
		})
	}
	if r := runCmd(t, nil, "", "help"); r.code != 0 || !strings.Contains(r.stdout, "latchkey serve") {
		t.Errorf("help: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, nil, "", "migrate", "sql", "-h"); r.code != 0 {
		t.Errorf("migrate sql -h: exit %d, want 0", r.code)
	}
	// A flag error is printed once, as a sentence.
	if r := runCmd(t, nil, "", "serve", "--frobnicate"); strings.Count(r.stderr, "frobnicate") != 1 || !strings.HasPrefix(r.stderr, "latchkey: Flag provided but not defined: -frobnicate (see 'latchkey serve --help').") {
		t.Errorf("serve --frobnicate printed %q; want the error once, naming the flag and --help", r.stderr)
	}
}

// TestHelpAtEveryLevel: -h and --help work on every group and every verb,
// exit 0 and print usage on standard output.
func TestHelpAtEveryLevel(t *testing.T) {
	var walk func(cmd *command, path []string)
	walk = func(cmd *command, path []string) {
		for _, flag := range []string{"-h", "--help"} {
			r := runCmd(t, nil, "", append(append([]string{}, path...), flag)...)
			if r.code != 0 || !strings.Contains(r.stdout, "Usage:") || r.stderr != "" {
				t.Errorf("latchkey %s %s: exit %d, stdout %q, stderr %q", strings.Join(path, " "), flag, r.code, r.stdout, r.stderr)
			}
		}
		for _, sub := range cmd.subs {
			walk(sub, append(append([]string{}, path...), sub.name))
		}
	}
	walk(commands(), nil)
}

// TestMigrateSQLIsIdempotent: `migrate sql DSN --yes` brings a fresh
// database to this binary's schema, and running it again changes nothing.
func TestMigrateSQLIsIdempotent(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		if !errors.Is(schemaState(t, dsn), sqldb.ErrSchemaOutdated) {
			t.Fatal("the fresh database is not reported as outdated")
		}
		versions, _ := sqldb.MigrationVersions(sqldb.SQLite)
		r := runCmd(t, nil, "", "migrate", "sql", dsn, "--yes")
		if r.code != 0 || !strings.Contains(r.stdout, "Applied "+strconv.Itoa(len(versions))+" migration(s)") {
			t.Fatalf("first migrate: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		r = runCmd(t, nil, "", "migrate", "sql", dsn, "--yes")
		if r.code != 0 || !strings.Contains(r.stdout, "Applied 0 migration(s)") {
			t.Fatalf("second migrate: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if err := schemaState(t, dsn); err != nil {
			t.Errorf("after migrate: %v", err)
		}
	})
}

// TestMigrateSQLAsksFirst: without --yes, only an explicit yes applies.
func TestMigrateSQLAsksFirst(t *testing.T) {
	dsn := testkit.NewDatabase(t, "sqlite")
	for _, answer := range []string{"", "n\n", "nope\n"} {
		r := runCmd(t, nil, answer, "migrate", "sql", dsn)
		if r.code != 0 || !strings.Contains(r.stdout, "Nothing applied") {
			t.Errorf("answer %q: exit %d, stdout %q", answer, r.code, r.stdout)
		}
	}
	if !errors.Is(schemaState(t, dsn), sqldb.ErrSchemaOutdated) {
		t.Fatal("declining migrated the database anyway")
	}
	if r := runCmd(t, nil, "Yes\n", "migrate", "sql", dsn); r.code != 0 || !strings.Contains(r.stdout, "Applied") {
		t.Fatalf("answer yes: exit %d, stdout %q", r.code, r.stdout)
	}
	if err := schemaState(t, dsn); err != nil {
		t.Errorf("after answering yes: %v", err)
	}
}

// TestMigrateSQLReadsTheDSNFromConfig: `migrate sql -e` takes the dsn from
// the config files or $DSN, as the reference's does.
func TestMigrateSQLReadsTheDSNFromConfig(t *testing.T) {
	t.Run("config file", func(t *testing.T) {
		dsn := testkit.NewDatabase(t, "sqlite")
		cfg := writeFile(t, "kratos.yml", "dsn: "+dsn+"\n")
		r := runCmd(t, nil, "", "migrate", "sql", "-e", "--yes", "-c", cfg)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if err := schemaState(t, dsn); err != nil {
			t.Errorf("the database the config names is not migrated: %v", err)
		}
	})
	t.Run("environment", func(t *testing.T) {
		dsn := testkit.NewDatabase(t, "sqlite")
		r := runCmd(t, map[string]string{"DSN": dsn}, "", "migrate", "sql", "--read-from-env", "-y")
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if err := schemaState(t, dsn); err != nil {
			t.Errorf("the database $DSN names is not migrated: %v", err)
		}
	})
	t.Run("no dsn anywhere", func(t *testing.T) {
		cfg := writeFile(t, "empty.yml", "log: {level: info}\n")
		r := runCmd(t, nil, "", "migrate", "sql", "-e", "--yes", "-c", cfg)
		if r.code != 1 || !strings.Contains(r.stderr, "dsn") {
			t.Errorf("exit %d, stderr %q; want 1 and a message about the dsn", r.code, r.stderr)
		}
	})
	t.Run("unreachable database", func(t *testing.T) {
		r := runCmd(t, nil, "", "migrate", "sql", "postgres://nobody@127.0.0.1:1/none?sslmode=disable", "--yes")
		if r.code != 1 || r.stderr == "" {
			t.Errorf("exit %d, stderr %q; want 1 with the reason", r.code, r.stderr)
		}
	})
}

// TestIdentitiesCommand drives a running server's admin API from the
// command line: import from stdin, list, get, delete.
func TestIdentitiesCommand(t *testing.T) {
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), nil))
	vars := map[string]string{"KRATOS_ADMIN_ENDPOINT": srv.AdminURL}
	in := `[{"schema_id":"default","traits":{"email":"one@example.com"}},{"traits":{"email":"two@example.com"}}]`
	r := runCmd(t, vars, in, "identities", "import", "--format", "json")
	if r.code != 0 || strings.Count(r.stdout, `"schema_id"`) != 2 {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	list, _, err := srv.App.Store.ListIdentities(ctx, 0, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("stored identities after import: %d, %v", len(list), err)
	}
	id := list[0].ID.String()
	// list <page> <per-page>, as the reference takes them; ls is its alias.
	for _, args := range [][]string{{"identities", "list", "0", "1"}, {"identities", "ls", "--per-page", "1"}} {
		if r := runCmd(t, nil, "", append(args, "--endpoint", srv.AdminURL, "-q")...); r.code != 0 || len(strings.Fields(r.stdout)) != 1 {
			t.Errorf("%v: exit %d, stdout %q, want one id", args, r.code, r.stdout)
		}
	}
	if r := runCmd(t, vars, "", "identities", "list", "1", "1", "-q"); r.code != 0 || len(strings.Fields(r.stdout)) != 1 || strings.Contains(r.stdout, list[0].ID.String()) == strings.Contains(runCmd(t, vars, "", "identities", "list", "0", "1", "-q").stdout, list[0].ID.String()) {
		t.Errorf("pages 0 and 1 of size 1 should hold different identities: %q", r.stdout)
	}
	// The table names the columns; json-pretty is indented; -q prints ids.
	if r := runCmd(t, vars, "", "identities", "list"); r.code != 0 || !strings.HasPrefix(r.stdout, "ID") || !strings.Contains(r.stdout, "SCHEMA ID") || strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("list as a table: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "get", id, "--format", "json-pretty"); r.code != 0 || !strings.Contains(r.stdout, "\n  \"id\": \""+id+"\"") {
		t.Errorf("get --format json-pretty: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "get", id, "-q"); r.code != 0 || strings.TrimSpace(r.stdout) != id {
		t.Errorf("get -q: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "delete", id); r.code != 0 || strings.TrimSpace(r.stdout) != id {
		t.Errorf("delete: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "get", id); r.code != 1 || !strings.Contains(r.stderr, "404") || !strings.HasSuffix(strings.TrimSpace(r.stderr), ".") {
		t.Errorf("get after delete: exit %d, stderr %q; want 1 naming the 404 in a sentence", r.code, r.stderr)
	}
	// A duplicate import fails with the server's reason.
	if r := runCmd(t, vars, `{"traits":{"email":"two@example.com"}}`, "identities", "import", "-"); r.code != 1 || !strings.Contains(r.stderr, "409") {
		t.Errorf("duplicate import: exit %d, stderr %q", r.code, r.stderr)
	}
	// validate checks the traits against the server's schema.
	good := writeFile(t, "good.json", `{"schema_id":"default","traits":{"email":"three@example.com"}}`)
	bad := writeFile(t, "bad.json", `[{"traits":{"email":"not an email"}},{"schema_id":"nope","traits":{}}]`)
	if r := runCmd(t, vars, "", "identities", "validate", good); r.code != 0 || !strings.Contains(r.stdout, "valid") {
		t.Errorf("validate good: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runCmd(t, vars, "", "identities", "validate", good, bad); r.code != 1 || !strings.Contains(r.stderr, "bad.json, identity 1") || !strings.Contains(r.stderr, `no identity schema "nope"`) {
		t.Errorf("validate bad: exit %d, stderr %q", r.code, r.stderr)
	}
	if n, _, _ := srv.App.Store.ListIdentities(ctx, 0, 10); len(n) != 1 {
		t.Errorf("validate must not create identities: %d stored", len(n))
	}
	// A file in the later versions' import shape, hashed passwords
	// included: good entries go in past a bad one, and the summary counts.
	file := writeFile(t, "users.json", `[
		{"traits":{"email":"hashed@example.com"},"credentials":{"password":{"config":{"hashed_password":"$sha512-crypt$Xy9.zz/abc$1cSitC0eTBryHe6b1AHRs/3PZXuTH4ZziLdSbf5MIqHzWApOj0H6bQxMGnhR9rIfXoTCE0G5WmZ.EHYsOJJxZ."}}}},
		{"traits":{"email":"broken@example.com"},"credentials":{"password":{"config":{"hashed_password":"$6$bare$crypt"}}}},
		{"traits":{"email":"plain@example.com"},"credentials":{"password":{"config":{"password":"a-Plain-passw0rd"}}}}]`)
	if r := runCmd(t, vars, "", "identities", "import", file); r.code != 1 || !strings.Contains(r.stderr, "users.json") || !strings.Contains(r.stderr, "imported 2 of 3 identities, 1 failed") {
		t.Errorf("bulk import: exit %d, stderr %q", r.code, r.stderr)
	}
	sdk.Login(t, srv, "hashed@example.com", "latchkey-test")
	sdk.Login(t, srv, "plain@example.com", "a-Plain-passw0rd")
}

// TestRemoteCommands: remote status and remote version ask the server at
// --endpoint; a server that is down is named as such.
func TestRemoteCommands(t *testing.T) {
	srv := testkit.Start(t, testkit.Config(t, testkit.NewDatabase(t, "sqlite"), nil))
	if r := runCmd(t, nil, "", "remote", "status", "--endpoint", srv.AdminURL); r.code != 0 || !strings.Contains(r.stdout, "ALIVE") || !strings.Contains(r.stdout, "READY") || strings.Contains(r.stdout, "false") {
		t.Errorf("remote status: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if r := runCmd(t, nil, "", "remote", "version", "--endpoint", srv.AdminURL, "--format", "json"); r.code != 0 || !strings.Contains(r.stdout, `"version":"`+app.Version+`"`) {
		t.Errorf("remote version: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	down := "http://" + closedAddr(t) + "/"
	for _, args := range [][]string{{"remote", "status"}, {"remote", "version"}, {"identities", "list"}} {
		r := runCmd(t, nil, "", append(args, "--endpoint", down)...)
		if r.code != 1 || !strings.Contains(r.stderr, "is down") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v against a stopped server: exit %d, stderr %q; want one line saying it is down", args, r.code, r.stderr)
		}
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestJsonnetCommands: format prints or rewrites canonical Jsonnet; lint
// fails on a file with a problem and passes a clean one.
func TestJsonnetCommands(t *testing.T) {
	messy := "function(ctx) {   user:ctx.identity.id,\n email: ctx.identity.traits.email }\n"
	f := writeFile(t, "body.jsonnet", messy)
	r := runCmd(t, nil, "", "jsonnet", "format", f)
	if r.code != 0 || r.stdout == messy || !strings.Contains(r.stdout, "user: ctx.identity.id") {
		t.Fatalf("format: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if raw, _ := os.ReadFile(f); string(raw) != messy {
		t.Error("format without --write changed the file")
	}
	if r := runCmd(t, nil, "", "jsonnet", "format", "--write", f); r.code != 0 {
		t.Fatalf("format --write: exit %d, %s", r.code, r.stderr)
	}
	if raw, _ := os.ReadFile(f); string(raw) != runCmd(t, nil, "", "jsonnet", "format", f).stdout {
		t.Errorf("format --write left %q", raw)
	}
	if r := runCmd(t, nil, "", "jsonnet", "lint", f); r.code != 0 {
		t.Errorf("lint of a clean file: exit %d, stderr %q", r.code, r.stderr)
	}
	unused := writeFile(t, "unused.jsonnet", "local unused = 1;\nfunction(ctx) { a: ctx }\n")
	broken := writeFile(t, "broken.jsonnet", "function(ctx) { a: \n")
	for _, bad := range []string{unused, broken} {
		if r := runCmd(t, nil, "", "jsonnet", "lint", bad); r.code != 1 || !strings.Contains(r.stderr, filepath.Base(bad)) {
			t.Errorf("lint %s: exit %d, stderr %q; want 1 naming the file", filepath.Base(bad), r.code, r.stderr)
		}
	}
	if r := runCmd(t, nil, "", "jsonnet", "format", broken); r.code != 1 || !strings.Contains(r.stderr, "cannot be formatted") {
		t.Errorf("format of a broken file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestHashersCalibratePrintsUsableConfig: the snippet the command prints
// is a valid hashers section.
func TestHashersCalibratePrintsUsableConfig(t *testing.T) {
	r := runCmd(t, nil, "", "hashers", "argon2", "calibrate", "60", "--start-memory", "2MB", "--adjust-memory-by", "1MB",
		"--minimal-duration", "1ms", "--dedicated-memory", "64MB", "--parallelism", "1", "-r", "1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	cfg := writeFile(t, "hashers.yml", "dsn: memory\nsecrets: {default: [calibration-secret-0123]}\n"+r.stdout)
	loaded, err := config.Load([]string{cfg}, func(string) string { return "" }, false)
	if err != nil {
		t.Fatalf("the printed snippet does not load:\n%s\n%v", r.stdout, err)
	}
	h := loaded.Config.Hashers
	if h.Algorithm != "argon2" || h.Argon2.Memory > 2<<20 || h.Argon2.Parallelism != 1 || h.Argon2.Iterations < 1 || h.Argon2.DedicatedMemory != 64<<20 {
		t.Errorf("loaded hashers = %+v, want argon2 at most 2MB, 1 thread, at least one iteration, 64MB dedicated", h)
	}
	if r := runCmd(t, nil, "", "hashers", "argon2", "calibrate", "60", "--start-memory", "1MB", "--minimal-duration", "1ms", "-r", "1", "-q", "--format", "json"); r.code != 0 || !strings.Contains(r.stdout, `"iterations":`) || r.stderr != "" {
		t.Errorf("calibrate -q --format json: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
