package fill

import (
	"context"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/testkit"
)

// knownScans are the store calls whose plans read a whole table or index
// by design: both count rows for a total (the admin identity list's
// X-Total-Count, the active-sessions gauge), which no index turns into a
// lookup.
var knownScans = map[string]bool{
	"admin identity list, first page": true,
	"active sessions gauge":           true,
}

// TestHotPathsUseIndexes fills a SQLite database and checks that no hot
// store call's plan scans. SQLite plans without statistics (Latchkey
// never runs ANALYZE), so a small fill gets the plans a million rows get.
func TestHotPathsUseIndexes(t *testing.T) {
	dsn := testkit.NewDatabase(t, "sqlite")
	migrate(t, dsn)
	cfg := loaded(t, dsn)
	if _, err := Fill(context.Background(), Options{Config: &cfg, N: 300, PasswordHash: PasswordHash}); err != nil {
		t.Fatal(err)
	}
	ps, err := Plans(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]bool{}
	for _, p := range ps {
		ops[p.Op] = true
		if p.Scan && !knownScans[p.Op] {
			t.Errorf("%s scans: %s\n%s", p.Op, p.Query, strings.Join(p.Plan, "\n"))
		}
	}
	for _, op := range []string{"whoami (SessionByTokenHash)", "login by identifier (IdentityByIdentifier)", "flow load", "flow update",
		"throttle release", "session list of an identity", "courier claim", "whoami log (SQLite)"} {
		if !ops[op] {
			t.Errorf("no plan of %s", op)
		}
	}
}
