package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/throttle"
)

// ReserveAttempts implements throttle.Store: one statement increments every
// key (a new window where the old one has ended) and reads the counts back,
// so parallel attempts, on any instance, each get their own number. The
// keys arrive sorted, so every caller locks rows in the same order.
func (s *Store) ReserveAttempts(ctx context.Context, now time.Time, keys []string, windowEnds []time.Time) ([]throttle.Counter, error) {
	now = now.UTC().Truncate(time.Microsecond)
	args := make([]any, 0, 3*len(keys)+2)
	for i, k := range keys {
		args = append(args, k, windowEnds[i].UTC().Truncate(time.Microsecond), now)
	}
	args = append(args, now, now)
	values := strings.TrimSuffix(strings.Repeat("(?, 1, ?, ?), ", len(keys)), ", ")
	insert := `INSERT INTO throttle_counters (throttle_key, hits, window_end, updated_at) VALUES ` + values
	if s.db.Dialect != sqldb.MySQL {
		tx, err := s.tx(ctx)
		if err != nil {
			return nil, err
		}
		rows, err := s.db.QueryWrite(ctx, tx, insert+` ON CONFLICT (throttle_key) DO UPDATE SET
 hits = CASE WHEN throttle_counters.window_end <= ? THEN 1 ELSE throttle_counters.hits + 1 END,
 window_end = CASE WHEN throttle_counters.window_end <= ? THEN excluded.window_end ELSE throttle_counters.window_end END,
 updated_at = excluded.updated_at
 RETURNING throttle_key, hits, window_end`, args...)
		if err != nil {
			return nil, sqldb.MapError(err)
		}
		defer rows.Close()
		return scanCounters(rows, keys)
	}
	// MariaDB has no UPDATE ... RETURNING: read the rows back in the same
	// transaction, which still holds their locks, all in one round trip
	// outside a caller's transaction (sqldb.DB.QueryAfter). The
	// assignments run left to right, so hits is decided before window_end
	// moves.
	upsert := insert + ` ON DUPLICATE KEY UPDATE
 hits = IF(window_end <= ?, 1, hits + 1),
 window_end = IF(window_end <= ?, VALUES(window_end), window_end),
 updated_at = VALUES(updated_at)`
	kargs := make([]any, len(keys))
	for i, k := range keys {
		kargs[i] = k
	}
	readBack := `SELECT throttle_key, hits, window_end FROM throttle_counters WHERE throttle_key IN (` + placeholders(len(keys)) + `)`
	var out []throttle.Counter
	scan := func(rows *sql.Rows) (err error) {
		out, err = scanCounters(rows, keys)
		return err
	}
	if s.state(ctx) == nil {
		var b sqldb.Batch
		b.Add(upsert, args...)
		err := s.db.QueryAfter(ctx, &b, scan, readBack, kargs...) // sets out
		return out, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, upsert, args...); err != nil {
			return sqldb.MapError(err)
		}
		rows, err := tx.QueryContext(ctx, readBack, kargs...)
		if err != nil {
			return err
		}
		defer rows.Close()
		return scan(rows)
	})
	return out, err
}

// scanCounters returns the counters in the order of keys; the caller
// closes rows.
func scanCounters(rows *sql.Rows, keys []string) ([]throttle.Counter, error) {
	byKey := make(map[string]throttle.Counter, len(keys))
	for rows.Next() {
		var c throttle.Counter
		if err := rows.Scan(&c.Key, &c.Hits, &c.WindowEnd); err != nil {
			return nil, sqldb.MapError(err)
		}
		normalizeTimes(&c.WindowEnd)
		byKey[c.Key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.MapError(err)
	}
	out := make([]throttle.Counter, len(keys))
	for i, k := range keys {
		c, ok := byKey[k]
		if !ok {
			return nil, fmt.Errorf("throttle counter %s not returned", k)
		}
		out[i] = c
	}
	return out, nil
}

// ReleaseAttempts implements throttle.Store: each key gets its attempt back
// (or is zeroed) in one statement, only in the window it was reserved in.
func (s *Store) ReleaseAttempts(ctx context.Context, now time.Time, releases []throttle.Release) error {
	now = now.UTC().Truncate(time.Microsecond)
	var reset []any
	var where []string
	args := []any{}
	for _, r := range releases {
		if r.Reset {
			reset = append(reset, r.Key)
		}
	}
	set := `CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END`
	if len(reset) > 0 {
		set = `CASE WHEN throttle_key IN (` + placeholders(len(reset)) + `) THEN 0 WHEN hits > 0 THEN hits - 1 ELSE 0 END`
		args = append(args, reset...)
	}
	args = append(args, now)
	for _, r := range releases {
		where = append(where, `(throttle_key = ? AND window_end = ?)`)
		args = append(args, r.Key, r.WindowEnd.UTC().Truncate(time.Microsecond))
	}
	match := strings.Join(where, ` OR `)
	if s.db.Dialect == sqldb.Postgres {
		// PostgreSQL would lock the rows in heap order, and a reservation
		// locks them in key order: lock them in key order first.
		match = `throttle_key IN (SELECT throttle_key FROM throttle_counters WHERE ` + match + ` ORDER BY throttle_key FOR UPDATE)`
	}
	// In a sign-in's closing transaction it goes with the session.
	var b sqldb.Batch
	b.Add(`UPDATE throttle_counters SET hits = `+set+`, updated_at = ? WHERE `+match, args...)
	return s.write(ctx, &b)
}

// DeleteExpiredAttempts removes counters whose window has ended.
func (s *Store) DeleteExpiredAttempts(ctx context.Context, now time.Time) error {
	_, err := s.w(ctx).ExecContext(ctx, s.db.Q(`DELETE FROM throttle_counters WHERE window_end <= ?`), now.UTC().Truncate(time.Microsecond))
	return sqldb.MapError(err)
}
