package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

func countIdentities(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM identities`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertIdentity(ctx context.Context, db *sqldb.DB, tx *sql.Tx, id string) error {
	now := time.Now().UTC().Truncate(time.Microsecond)
	_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO identities (id, schema_id, traits, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
		id, "default", "{}", now, now)
	return sqldb.MapError(err)
}

// TestInTxRollsBackOnErrorAndPanic: a multi-row change that fails half way
// must leave nothing behind, whether it returns an error or panics.
func TestInTxRollsBackOnErrorAndPanic(t *testing.T) {
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, d)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if err := insertIdentity(ctx, db, tx, uuid.NewString()); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want the function's error", err)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Error("InTx swallowed a panic")
					}
				}()
				_ = db.InTx(ctx, func(tx *sql.Tx) error {
					_ = insertIdentity(ctx, db, tx, uuid.NewString())
					panic("half way")
				})
			}()
			if n := countIdentities(t, db); n != 0 {
				t.Fatalf("%d identities survived rolled-back transactions", n)
			}

			// And a clean run commits; a duplicate key maps to ErrConflict.
			id := uuid.NewString()
			if err := db.InTx(ctx, func(tx *sql.Tx) error { return insertIdentity(ctx, db, tx, id) }); err != nil {
				t.Fatalf("InTx: %v", err)
			}
			err = db.InTx(ctx, func(tx *sql.Tx) error { return insertIdentity(ctx, db, tx, id) })
			if !errors.Is(err, store.ErrConflict) {
				t.Errorf("duplicate primary key = %v, want ErrConflict", err)
			}
			if n := countIdentities(t, db); n != 1 {
				t.Errorf("%d identities, want 1", n)
			}
		})
	}
}
