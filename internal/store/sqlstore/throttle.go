package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/latchkey/latchkey/internal/store"
)

// Failures implements password.Throttle: the failures counted for a key in
// the window that started at or after since.
func (s *Store) Failures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	var start time.Time
	err := s.db.SQL.QueryRowContext(ctx, s.db.Q(`SELECT failures, window_start FROM login_throttles WHERE throttle_key = ?`), key).Scan(&n, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if start.Before(since) {
		return 0, nil
	}
	return n, nil
}

// RecordFailure implements password.Throttle: one more failure for a key,
// starting a new window when the old one began before since. Every
// instance counts in the same row, so the limit holds across servers.
func (s *Store) RecordFailure(ctx context.Context, key string, now, since time.Time) error {
	now = now.UTC().Truncate(time.Microsecond)
	for attempt := 0; ; attempt++ {
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.db.Q(`UPDATE login_throttles SET failures = CASE WHEN window_start < ? THEN 1 ELSE failures + 1 END,
 window_start = CASE WHEN window_start < ? THEN ? ELSE window_start END, updated_at = ? WHERE throttle_key = ?`), since, since, now, now, key)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				return nil
			}
			_, err = tx.ExecContext(ctx, s.db.Q(`INSERT INTO login_throttles (throttle_key, failures, window_start, updated_at) VALUES (?, ?, ?, ?)`), key, 1, now, now)
			return store.MapError(err)
		})
		// Two first failures may race to insert; the loser updates instead.
		if errors.Is(err, store.ErrConflict) && attempt == 0 {
			continue
		}
		return err
	}
}

// ClearFailures implements password.Throttle.
func (s *Store) ClearFailures(ctx context.Context, key string) error {
	_, err := s.db.SQL.ExecContext(ctx, s.db.Q(`DELETE FROM login_throttles WHERE throttle_key = ?`), key)
	return err
}
