package sqldb_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// TestCloseLeavesNoFileOpen: once Close returns, no connection to a SQLite
// file is left, not even one a write statement first run in a
// transaction was being prepared on in the background. A connection that
// closed later would checkpoint its WAL into whatever file had taken the
// database's place by then (the bench fill's kept copies did: "database
// disk image is malformed").
func TestCloseLeavesNoFileOpen(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc/self/fd to see the process's open files")
	}
	ctx := context.Background()
	for k := range 20 {
		path := filepath.Join(t.TempDir(), "close.db")
		db, err := sqldb.Open(ctx, "sqlite://"+path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE close_probe (id INTEGER PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(tx *sql.Tx) error {
			// First use inside a transaction: prepared in the background,
			// on the writer connection this transaction holds.
			_, err := db.Exec(ctx, tx, `INSERT INTO close_probe (id) VALUES (?)`, k)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if open := openFiles(t, path); len(open) > 0 {
			t.Fatalf("round %d: still open after Close: %v", k, open)
		}
	}
}

// openFiles lists this process's open files whose path starts with prefix.
func openFiles(t *testing.T, prefix string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}
