package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/app"
	"github.com/latchkey/latchkey/internal/config"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/testkit"
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
	db, err := store.Open(context.Background(), dsn)
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
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"migrate"}, "migrate sql"},
		{[]string{"migrate", "nosql"}, "migrate sql"},
		{[]string{"migrate", "sql"}, "DSN"},
		{[]string{"migrate", "sql", "memory", "memory"}, "at most one DSN"},
		{[]string{"identities"}, "usage"},
		{[]string{"identities", "rename"}, `"rename"`},
		{[]string{"hashers", "bcrypt"}, "usage"},
		{[]string{"hashers", "argon2", "calibrate", "soon"}, `"soon"`},
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
}

// TestMigrateSQLIsIdempotent: `migrate sql DSN --yes` brings a fresh
// database to this binary's schema, and running it again changes nothing.
func TestMigrateSQLIsIdempotent(t *testing.T) {
	testkit.EachDatabase(t, func(t *testing.T, dsn string) {
		if !errors.Is(schemaState(t, dsn), store.ErrSchemaOutdated) {
			t.Fatal("the fresh database is not reported as outdated")
		}
		versions, _ := store.MigrationVersions(store.SQLite)
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
	if !errors.Is(schemaState(t, dsn), store.ErrSchemaOutdated) {
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
	vars := map[string]string{"KRATOS_ADMIN_URL": srv.AdminURL}
	in := `[{"schema_id":"default","traits":{"email":"one@example.com"}},{"traits":{"email":"two@example.com"}}]`
	if r := runCmd(t, vars, in, "identities", "import"); r.code != 0 || strings.Count(r.stdout, `"schema_id"`) != 2 {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	ctx := context.Background()
	list, _, err := srv.App.Store.ListIdentities(ctx, 0, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("stored identities after import: %d, %v", len(list), err)
	}
	id := list[0].ID.String()
	if r := runCmd(t, nil, "", "identities", "list", "--endpoint", srv.AdminURL, "--per-page", "1"); r.code != 0 || strings.Count(r.stdout, `"schema_id"`) != 1 {
		t.Errorf("list --per-page 1: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "get", id); r.code != 0 || !strings.Contains(r.stdout, id) {
		t.Errorf("get: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "delete", id); r.code != 0 || !strings.Contains(r.stdout, "deleted "+id) {
		t.Errorf("delete: exit %d, stdout %q", r.code, r.stdout)
	}
	if r := runCmd(t, vars, "", "identities", "get", id); r.code != 1 || !strings.Contains(r.stderr, "404") {
		t.Errorf("get after delete: exit %d, stderr %q; want 1 naming the 404", r.code, r.stderr)
	}
	// A duplicate import fails with the server's reason.
	if r := runCmd(t, vars, `{"traits":{"email":"two@example.com"}}`, "identities", "import", "-"); r.code != 1 || !strings.Contains(r.stderr, "409") {
		t.Errorf("duplicate import: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestHashersCalibratePrintsUsableConfig: the snippet the command prints
// is a valid hashers section.
func TestHashersCalibratePrintsUsableConfig(t *testing.T) {
	r := runCmd(t, nil, "", "hashers", "argon2", "calibrate", "1ms", "--memory", "1", "--parallelism", "1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	cfg := writeFile(t, "hashers.yml", "dsn: memory\nsecrets: {default: [calibration-secret-0123]}\n"+r.stdout)
	loaded, err := config.Load([]string{cfg}, func(string) string { return "" }, false)
	if err != nil {
		t.Fatalf("the printed snippet does not load:\n%s\n%v", r.stdout, err)
	}
	h := loaded.Config.Hashers
	if h.Algorithm != "argon2" || h.Argon2.Memory != 1<<20 || h.Argon2.Parallelism != 1 || h.Argon2.Iterations < 1 {
		t.Errorf("loaded hashers = %+v, want argon2 at 1MB, 1 thread and at least one iteration", h)
	}
}
