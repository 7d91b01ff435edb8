package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// TestBatchCommitsWholeOrNothing: a batch's writes are all kept; when one
// fails (a duplicate key, or a must-touch write that touched no row), none
// is, the error is the store's, and the connection serves the next batch.
func TestBatchCommitsWholeOrNothing(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openDSN(t, dsn)
		ts := "TIMESTAMP(6)" // microseconds, as the migrations store them
		if db.Dialect == sqldb.SQLite {
			ts = "TIMESTAMP"
		}
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE batch_probe (id INTEGER PRIMARY KEY, v VARCHAR(64) NOT NULL, at `+ts+` NULL)`); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 12, 1, 10, 0, 0, 123456000, time.UTC)
		rows := func() (n int) {
			t.Helper()
			if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM batch_probe`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var b sqldb.Batch
		b.Add(`INSERT INTO batch_probe (id, v, at) VALUES (?, ?, ?)`, 1, "one", at)
		b.Add(`INSERT INTO batch_probe (id, v, at) VALUES (?, ?, ?)`, 2, "it's \"two\"", nil)
		b.AddMustTouch(`UPDATE batch_probe SET v = ? WHERE id = ?`, "uno", 1)
		if err := db.Run(ctx, &b); err != nil {
			t.Fatalf("batch: %v", err)
		}
		var v string
		var got time.Time
		if err := db.SQL.QueryRowContext(ctx, db.Q(`SELECT v, at FROM batch_probe WHERE id = ?`), 1).Scan(&v, &got); err != nil || v != "uno" || !got.Equal(at) {
			t.Fatalf("row 1 = %q %v (%v), want uno %v", v, got, err, at)
		}
		if err := db.SQL.QueryRowContext(ctx, db.Q(`SELECT v FROM batch_probe WHERE id = ?`), 2).Scan(&v); err != nil || v != `it's "two"` {
			t.Fatalf("row 2 = %q (%v)", v, err)
		}

		for _, c := range []struct {
			name string
			last func(b *sqldb.Batch)
			want error
		}{
			{"duplicate", func(b *sqldb.Batch) { b.Add(`INSERT INTO batch_probe (id, v) VALUES (?, ?)`, 1, "again") }, store.ErrConflict},
			{"no row", func(b *sqldb.Batch) { b.AddMustTouch(`UPDATE batch_probe SET v = ? WHERE id = ?`, "x", 99) }, store.ErrNotFound},
		} {
			for range 3 { // the connection is usable after each failure
				var b sqldb.Batch
				b.Add(`INSERT INTO batch_probe (id, v) VALUES (?, ?)`, 3, "three")
				b.Add(`UPDATE batch_probe SET v = ? WHERE id = ?`, "changed", 2)
				c.last(&b)
				b.Add(`INSERT INTO batch_probe (id, v) VALUES (?, ?)`, 4, "four")
				if err := db.Run(ctx, &b); !errors.Is(err, c.want) {
					t.Fatalf("%s: %v, want %v", c.name, err, c.want)
				}
				if n := rows(); n != 2 {
					t.Fatalf("%s: %d rows after the failed batch, want the 2 from before", c.name, n)
				}
			}
		}
		if err := db.SQL.QueryRowContext(ctx, db.Q(`SELECT v FROM batch_probe WHERE id = ?`), 2).Scan(&v); err != nil || v != `it's "two"` {
			t.Fatalf("row 2 after the failed batches = %q (%v), want it unchanged", v, err)
		}
		var one sqldb.Batch
		one.AddMustTouch(`UPDATE batch_probe SET v = ? WHERE id = ?`, "x", 99)
		if err := db.Run(ctx, &one); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("one must-touch write on no row: %v, want ErrNotFound", err)
		}
	})
}

// TestQueryAfterReadsItsWrites: the query sees the writes before them, in
// their transaction; when a write fails, nothing is kept, the query's rows
// are not read, and the connection serves the next call.
func TestQueryAfterReadsItsWrites(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openDSN(t, dsn)
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE after_probe (id INTEGER PRIMARY KEY, v VARCHAR(64) NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		insert := func(b *sqldb.Batch, id int, v string) {
			b.Add(`INSERT INTO after_probe (id, v) VALUES (?, ?)`, id, v)
		}
		read := func(first int) (got []string, err error) {
			var b sqldb.Batch
			insert(&b, first, "a")
			insert(&b, first+1, "it's b")
			err = db.QueryAfter(ctx, &b, func(rows *sql.Rows) error {
				for rows.Next() {
					var v string
					if err := rows.Scan(&v); err != nil {
						return err
					}
					got = append(got, v)
				}
				return nil
			}, `SELECT v FROM after_probe WHERE id >= ? ORDER BY id`, first)
			return got, err
		}
		count := func() (n int) {
			t.Helper()
			if err := db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM after_probe`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if got, err := read(1); err != nil || !slices.Equal(got, []string{"a", "it's b"}) {
			t.Fatalf("read back %q (%v), want the two rows just written", got, err)
		}
		for range 3 {
			got, err := read(2) // id 2 is taken: the second insert fails
			if !errors.Is(err, store.ErrConflict) || got != nil {
				t.Fatalf("a duplicate write: %q, %v; want no rows read and ErrConflict", got, err)
			}
			if n := count(); n != 2 {
				t.Fatalf("%d rows after the failed call, want the 2 from before", n)
			}
		}
		if got, err := read(10); err != nil || len(got) != 2 || count() != 4 {
			t.Fatalf("after the failures: %q (%v), %d rows; want 2 read and 4 kept", got, err, count())
		}
	})
}
