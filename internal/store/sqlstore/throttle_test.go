package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/store/sqlstore"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
	"github.com/latchkey/latchkey/internal/throttle"
)

func openStore(t *testing.T, dsn string) (*sqlstore.Store, *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return sqlstore.New(db, nil), db
}

// TestThrottleCounters: counts grow per key and restart when a window
// ends; a refused or successful attempt gives its count back, a success
// zeroes the keys that reset; parallel reservations each get their own
// count; ended windows are deleted.
func TestThrottleCounters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s, db := openStore(t, dsn)
		now := time.Date(2026, 12, 1, 10, 0, 0, 123456000, time.UTC)
		l := &throttle.Limiter{Store: s, Secret: []byte("k"), Now: func() time.Time { return now }}
		rule := throttle.Rule{Free: 100, Limit: 3, Window: time.Minute}
		pair := throttle.Key{Name: l.Name("login", "a@example.com", "192.0.2.1"), Rule: rule, ResetOnSuccess: true}
		addr := throttle.Key{Name: l.Name("addr", "192.0.2.1"), Rule: throttle.Rule{Free: 100, Limit: 100, Window: time.Minute}}
		hits := func(k throttle.Key) int {
			var n int
			if err := db.SQL.QueryRowContext(ctx, db.Q(`SELECT hits FROM throttle_counters WHERE throttle_key = ?`), k.Name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for k := 1; k <= 3; k++ {
			if _, err := l.Reserve(ctx, "login", pair, addr); err != nil {
				t.Fatalf("attempt %d: %v", k, err)
			}
		}
		_, err := l.Reserve(ctx, "login", pair, addr)
		r, ok := throttle.IsRefused(err)
		if !ok || r.Wait != time.Minute {
			t.Fatalf("fourth attempt: %v, want refused for the rest of the window (1m)", err)
		}
		if hits(pair) != 3 || hits(addr) != 3 {
			t.Errorf("after a refusal: hits %d/%d, want 3/3 (the refused attempt given back)", hits(pair), hits(addr))
		}
		now = now.Add(time.Minute)
		res, err := l.Reserve(ctx, "login", pair, addr)
		if err != nil || res.Hits(pair.Name) != 1 {
			t.Fatalf("after the window: %v, hits %d, want a new window at 1", err, res.Hits(pair.Name))
		}
		if err := res.Succeeded(ctx); err != nil {
			t.Fatal(err)
		}
		if hits(pair) != 0 || hits(addr) != 0 {
			t.Errorf("after a success: hits %d/%d, want 0/0", hits(pair), hits(addr))
		}

		// 20 parallel reservations of one key get 20 distinct counts.
		solo := throttle.Key{Name: l.Name("solo"), Rule: throttle.Rule{Free: 100, Limit: 100, Window: time.Minute}}
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int]bool{}
		for k := 0; k < 20; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := l.Reserve(ctx, "login", solo)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[res.Hits(solo.Name)] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(seen) != 20 {
			t.Errorf("20 parallel reservations saw %d distinct counts", len(seen))
		}

		now = now.Add(time.Hour)
		if err := s.DeleteExpiredAttempts(ctx, now); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM throttle_counters`).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d counters left after their windows ended (%v)", left, err)
		}
	})
}
