package whoamicache

import (
	"context"
	"database/sql"
)

// Counted returns a cache checked against MariaDB's change counters
// (table whoami_changes, migration 00007): an answer is kept with the
// counter of its identity's bucket as read with the session (a Stamp),
// and served again only after one primary-key read shows that counter
// unchanged. Every write that can change an answer bumps it in its own
// transaction, on whichever instance, so a revocation committed anywhere
// refuses the very next request: the read that follows it sees its
// commit. MariaDB has neither notifications nor a log a poller can read
// without skipping rows (auto-increment ids are taken at insert, not at
// commit); a counter needs neither. Close the cache before the database.
func Counted(ctx context.Context, db *sql.DB, max int) (*Cache, error) {
	st, err := db.PrepareContext(ctx, `SELECT n FROM whoami_changes WHERE bucket = ?`)
	if err != nil {
		return nil, err
	}
	c := New(max)
	c.check = func(ctx context.Context, bucket int) (n int64, err error) {
		err = st.QueryRowContext(ctx, bucket).Scan(&n)
		return n, err
	}
	c.close = func() { st.Close() }
	return c, nil
}
