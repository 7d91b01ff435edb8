package main

import (
	"context"
	"crypto/sha256"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit"
	"github.com/latchkey/latchkey/internal/testkit/refdb"
)

// TestMigrateKratos: the command a team runs twice, ahead of time and at
// cut-over. A dry run writes nothing; a run migrates the target, copies and
// counts; a rerun counts everything unchanged; the source file is never
// written; a source that is no reference database is refused.
func TestMigrateKratos(t *testing.T) {
	ref := refdb.New(t, testkit.NewDatabase(t, "sqlite"))
	u := &refdb.User{SchemaID: "default", Traits: `{"email":"a@example.com"}`, Identifier: "a@example.com", Email: "a@example.com"}
	u.Hash = refdb.BcryptHash(t, "a-Passw0rd-of-old")
	ref.AddIdentity(u)
	ref.AddSession(u.ID, true, time.Now().Add(time.Hour))
	ref.AddSession(u.ID, false, time.Now().Add(time.Hour))
	srcPath, _, _ := strings.Cut(strings.TrimPrefix(ref.DSN, "sqlite://"), "?")
	sum := func() [32]byte {
		b, err := os.ReadFile(srcPath)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	before := sum()
	target := testkit.NewDatabase(t, "sqlite")
	cfg := writeFile(t, "kratos.yml", "dsn: "+target+"\nsecrets:\n  default: [a-production-secret-0123456789]\n")

	r := runCmd(t, nil, "", "migrate", "kratos", ref.DSN, "-c", cfg, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "Dry run") || !strings.Contains(r.stdout, "identities: would copy 1 new") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := schemaState(t, target); err == nil {
		t.Error("the dry run migrated the target")
	}
	r = runCmd(t, nil, "no\n", "migrate", "kratos", ref.DSN, "-c", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "Nothing copied") {
		t.Errorf("declined: exit %d %q", r.code, r.stdout)
	}
	r = runCmd(t, nil, "", "migrate", "kratos", ref.DSN, "-c", cfg, "--yes")
	for _, want := range []string{"identities: copied 1 new", "sessions:   copied 1 new", "session revoked (logged out) in the source"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("run: exit %d, want %q in\n%s%s", r.code, want, r.stdout, r.stderr)
		}
	}
	r = runCmd(t, nil, "", "migrate", "kratos", ref.DSN, "-c", cfg, "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "copied 0 new, 0 changed; 1 unchanged") {
		t.Errorf("rerun: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if sum() != before {
		t.Error("the source database file changed")
	}
	db, err := sqldb.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil || n != 1 {
		t.Errorf("target sessions: %d (%v), want the live one", n, err)
	}
	r = runCmd(t, nil, "", "migrate", "kratos", target, "-c", cfg, "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "not a Kratos database") {
		t.Errorf("a Latchkey database as the source: exit %d %q", r.code, r.stderr)
	}
}
