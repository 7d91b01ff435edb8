package whoamicache

import (
	"context"
	"sync"
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// TestCounterReadsUnderConcurrency: many checks at once (more than
// maxReads, so most go in batches) each get their own bucket's counter,
// and after a bump every check that starts reads the new value.
func TestCounterReadsUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, testdb.New(t, "mysql"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := Counted(ctx, db.SQL, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for round := 1; round <= 20; round++ {
		// The even buckets have been bumped round times, the odd ones never.
		if _, err := db.SQL.ExecContext(ctx, `UPDATE whoami_changes SET n = n + 1 WHERE bucket % 2 = 0`); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for k := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := c.check(ctx, k)
				want := int64(round)
				if k%2 == 1 {
					want = 0
				}
				if err != nil || n != want {
					t.Errorf("round %d: bucket %d reads %d, %v; want %d", round, k, n, err, want)
				}
			}()
		}
		wg.Wait()
	}
}
