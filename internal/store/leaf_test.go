package store_test

import (
	"os/exec"
	"strings"
	"testing"
)

// linksDrivers are the packages that may link a database driver: the
// driver layer, the storage implementation and its suite, the Kratos
// importer (it reads the reference's database), the wiring, and test kits.
var linksDrivers = []string{
	"internal/app", "internal/kratos", "internal/store/sqldb", "internal/store/sqlstore",
	"internal/store/storetest", "internal/testkit",
}

// TestOnlyTheStorageLayerLinksDrivers keeps internal/store a leaf: a
// domain package (a flow, a strategy, session, identity) that comes to
// import a driver, directly or through anything it imports, fails here
// with the package named.
func TestOnlyTheStorageLayerLinksDrivers(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list packages with")
	}
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "github.com/latchkey/latchkey/internal/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		if allowed(pkg) {
			continue
		}
		for _, d := range strings.Fields(deps) {
			if strings.HasPrefix(d, "github.com/jackc/pgx") || strings.HasPrefix(d, "github.com/go-sql-driver/mysql") || strings.HasPrefix(d, "modernc.org/sqlite") {
				t.Errorf("%s links the database driver %s", pkg, d)
				break
			}
		}
	}
}

func allowed(pkg string) bool {
	rel := strings.TrimPrefix(pkg, "github.com/latchkey/latchkey/")
	for _, a := range linksDrivers {
		if rel == a || strings.HasPrefix(rel, a+"/") {
			return true
		}
	}
	return false
}
