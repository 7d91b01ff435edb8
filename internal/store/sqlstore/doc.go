// Package sqlstore is the one SQL implementation of every storage interface
// the domain packages declare (identity.Store, session.Store, the flow
// stores, ...), one file per domain, over SQLite, PostgreSQL and MySQL
// (internal/store/sqldb). interfaces.go checks at compile time that it
// satisfies each of them. Rows scan straight into uuid.UUID, so a corrupt
// id is an error; every error returns through sqldb.MapError; a write that
// must touch a row answers store.ErrNotFound when it touched none
// (sqldb.Affected); the three reads of an identity with its addresses
// share readIdentity (joined.go).
package sqlstore

import (
	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// Store satisfies the domain stores over one database.
type Store struct {
	db    *sqldb.DB
	clock clock.Clock
}

// New wraps an open database; now stamps the rows the store updates on
// its own (a revoked session, a failed delivery).
func New(db *sqldb.DB, now clock.Clock) *Store { return &Store{db: db, clock: now} }

// DB is the underlying database, for health checks.
func (s *Store) DB() *sqldb.DB { return s.db }
