package sqlstore

import (
	"context"
	"time"
)

// CountActiveSessions counts sessions that are active and unexpired, for
// the active-sessions gauge.
func (s *Store) CountActiveSessions(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Q(`SELECT COUNT(*) FROM sessions WHERE active = ? AND expires_at > ?`), true, now.UTC()).Scan(&n)
	return n, err
}
