package storetest_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// TestMigrationVersionsMatchAcrossDialects keeps the three dialects in
// step: a migration added for one database and forgotten for another would
// leave that database behind without any query failing until production.
func TestMigrationVersionsMatchAcrossDialects(t *testing.T) {
	name := regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)
	want, err := sqldb.MigrationVersions(sqldb.SQLite)
	if err != nil {
		t.Fatalf("sqlite migrations: %v", err)
	}
	if len(want) == 0 {
		t.Fatal("no sqlite migrations are embedded")
	}
	for _, d := range []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres, sqldb.MySQL} {
		got, err := sqldb.MigrationVersions(d)
		if err != nil {
			t.Fatalf("%s migrations: %v", d, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s migrations = %q, want the same files as sqlite: %q", d, got, want)
		}
		prev := ""
		for _, f := range got {
			m := name.FindStringSubmatch(f)
			if m == nil {
				t.Errorf("%s migration %q is not named NNNNN_name.sql", d, f)
				continue
			}
			if m[1] <= prev {
				t.Errorf("%s migration %q does not follow version %s", d, f, prev)
			}
			prev = m[1]
		}
	}
}
