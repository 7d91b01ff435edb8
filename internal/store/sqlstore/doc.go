// Package sqlstore is the one SQL implementation of every storage interface
// the domain packages declare (identity.Store, session.Store, the flow
// stores, ...), one file per domain, over SQLite, PostgreSQL and MySQL.
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
