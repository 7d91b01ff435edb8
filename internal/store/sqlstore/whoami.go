package sqlstore

import (
	"context"
	"database/sql"
	"hash/crc32"
	"slices"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// On MariaDB the whoami cache learns of changes from counters (table
// whoami_changes, migration 00007) that every write which can change a
// whoami answer bumps in its own transaction: the places that call
// store.NoteChange. SQLite and PostgreSQL learn of them from triggers, so
// there these helpers do nothing and the writes run as before.

// whoamiBuckets is the number of counter rows; an identity's bucket is
// CRC32 of its id's text, the same in Go (bucketOf) and in SQL
// (bucketSQL).
const whoamiBuckets = 4096

func bucketOf(id string) int {
	return int(crc32.ChecksumIEEE([]byte(id)) % whoamiBuckets)
}

// bucketSQL is bucketOf of the sessions row s's identity.
const bucketSQL = `CRC32(s.identity_id) % 4096`

// whoamiStampedQuery is whoamiQuery with the counter the answer is read
// under, in the same statement: one snapshot for both, so a change that
// commits after the read shows as a new counter value.
const whoamiStampedQuery = `SELECT w.bucket, w.n, s.id, s.active, s.issued_at, s.expires_at, s.authenticated_at, s.devices, s.authentication_methods, ` + identitySelect + `
FROM sessions s JOIN whoami_changes w ON w.bucket = ` + bucketSQL + ` JOIN identities i ON i.id = s.identity_id` + identityJoins + `
WHERE s.token_hash IN (`

func (s *Store) counted() bool { return s.db.Dialect == sqldb.MySQL }

// bump adds one, in tx, to the counters of the identities ids, in bucket
// order (concurrent bumps of several buckets take their row locks in the
// same order, so they cannot deadlock). It runs last in its transaction,
// so that the row lock is held only until the commit.
func (s *Store) bump(ctx context.Context, tx *sql.Tx, ids ...string) error {
	if !s.counted() || len(ids) == 0 {
		return nil
	}
	buckets := make([]int, len(ids))
	for k, id := range ids {
		buckets[k] = bucketOf(id)
	}
	slices.Sort(buckets)
	buckets = slices.Compact(buckets)
	args := make([]any, len(buckets))
	for k, b := range buckets {
		args[k] = b
	}
	q := `UPDATE whoami_changes SET n = n + 1 WHERE bucket IN (` + placeholders(len(buckets)) + `)`
	var err error
	if len(buckets) == 1 {
		_, err = s.db.Exec(ctx, tx, q, args...) // the usual case, prepared once
	} else {
		_, err = tx.ExecContext(ctx, q, args...) // imports: one statement per batch size is not worth keeping
	}
	return sqldb.MapError(err)
}

// bumpIdentity is bump of one identity.
func (s *Store) bumpIdentity(ctx context.Context, tx *sql.Tx, id uuid.UUID) error {
	return s.bump(ctx, tx, id.String())
}

// bumpSessions is bump of the identities of the sessions (alias s) that
// where selects.
func (s *Store) bumpSessions(ctx context.Context, tx *sql.Tx, where string, args ...any) error {
	if !s.counted() {
		return nil
	}
	_, err := s.db.Exec(ctx, tx, `UPDATE whoami_changes w JOIN sessions s ON w.bucket = `+bucketSQL+` SET w.n = w.n + 1 WHERE `+where, args...)
	return sqldb.MapError(err)
}

// changing runs a write that is one statement elsewhere, and on MariaDB
// the bump after it, in one transaction: a revocation must never commit
// without its bump, which every instance's cache relies on.
func (s *Store) changing(ctx context.Context, write func(q store.Querier) error, bump func(tx *sql.Tx) error) error {
	if !s.counted() {
		return write(s.w(ctx))
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		return bump(tx)
	})
}

// stamp fills ctx's Stamp, if any, from the counter columns read.
func stamp(ctx context.Context, bucket, n int64) {
	if st := store.StampOf(ctx); st != nil {
		*st = store.Stamp{Bucket: int(bucket), N: n, Set: true}
	}
}
