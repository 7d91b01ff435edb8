package sqldb_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// writeMiB commits about a MiB of rows through the writers' pool.
func writeMiB(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	blob := strings.Repeat("x", 4000)
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for range 256 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO blobs (v) VALUES (?)`, blob); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func openBlobs(t *testing.T) (*sqldb.DB, string) {
	t.Helper()
	dsn := testdb.New(t, "sqlite")
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.W.ExecContext(context.Background(), `CREATE TABLE blobs (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return db, db.Target.Path
}

// TestCheckpointKeepsTheWALBounded: requests never checkpoint (the
// connections' automatic checkpoint is off), so the WAL is copied back by
// Checkpoint; each one takes all of it, and the next writes reuse the
// file, which stays about one round of writes long however many rounds go
// by.
func TestCheckpointKeepsTheWALBounded(t *testing.T) {
	db, path := openBlobs(t)
	ctx := context.Background()
	const rounds = 16
	for range rounds {
		writeMiB(t, db)
		c, err := db.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.Busy || c.Frames != c.Backfilled {
			t.Fatalf("checkpoint %+v: want every frame copied back", c)
		}
	}
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 4<<20 {
		t.Errorf("WAL is %d bytes after %d rounds of 1 MiB, each checkpointed: want it bounded by a few rounds", fi.Size(), rounds)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil || n != rounds*256 {
		t.Fatalf("rows = %d, %v; want %d", n, err, rounds*256)
	}
}

// TestCloseLeavesEverythingInTheDatabaseFile: after Close the WAL is gone
// and another process opening the file, even without the WAL, finds every
// committed row.
func TestCloseLeavesEverythingInTheDatabaseFile(t *testing.T) {
	db, path := openBlobs(t)
	for range 3 {
		writeMiB(t, db)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("WAL has %d bytes after Close, want it checkpointed and removed", fi.Size())
	}
	// immutable=1 reads the database file alone, ignoring any WAL.
	fresh, err := sql.Open("sqlite", "file:"+path+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	var n int
	if err := fresh.QueryRow(`SELECT COUNT(*) FROM blobs`).Scan(&n); err != nil || n != 3*256 {
		t.Fatalf("a fresh reader of the file finds %d rows (%v), want %d", n, err, 3*256)
	}
}

// TestCheckpointElsewhereIsANoOp: PostgreSQL and MariaDB have no WAL file
// of ours to copy back.
func TestCheckpointElsewhereIsANoOp(t *testing.T) {
	db := open(t, "postgres")
	if c, err := db.Checkpoint(context.Background()); err != nil || c.Mode != "" {
		t.Fatalf("Checkpoint = %+v, %v; want nothing done", c, err)
	}
}
