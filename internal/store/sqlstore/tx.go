package sqlstore

import (
	"context"
	"database/sql"

	"github.com/latchkey/latchkey/internal/store"
)

// txKey carries an open transaction of one store in a context.
type txKey struct{}

type ctxTx struct {
	s  *Store
	tx *sql.Tx
}

// InTx runs fn in one transaction: every store call fn makes with the
// context it is given joins it, so a flow's closing writes (the flow, the
// session, the throttle counters) commit once instead of once each. Inside
// another InTx of the same store, fn joins the open transaction.
//
// fn must use its own context, never an outer one: on a file SQLite
// database the transaction holds the one writer connection (sqldb.DB.W),
// and a write made outside it would wait for it forever.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.tx(ctx) != nil {
		return fn(ctx)
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, ctxTx{s: s, tx: tx}))
	})
}

// tx is the transaction an InTx of this store left in ctx, if any.
func (s *Store) tx(ctx context.Context) *sql.Tx {
	if c, ok := ctx.Value(txKey{}).(ctxTx); ok && c.s == s {
		return c.tx
	}
	return nil
}

// r is where a read runs: the open transaction (which sees its own
// writes, and on SQLite in memory holds the only connection), or the
// readers' pool.
func (s *Store) r(ctx context.Context) store.Querier {
	if tx := s.tx(ctx); tx != nil {
		return tx
	}
	return s.db.SQL
}

// w is where a single write runs: the open transaction, or the writers'
// pool.
func (s *Store) w(ctx context.Context) store.Querier {
	if tx := s.tx(ctx); tx != nil {
		return tx
	}
	return s.db.W
}

// inTx runs a multi-statement change in its own transaction, or in the
// one ctx carries (a second transaction there would wait on the first's
// lock, forever on SQLite's single writer).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx := s.tx(ctx); tx != nil {
		return fn(tx)
	}
	return s.db.InTx(ctx, fn)
}

// exec runs a hot path's write as a statement prepared once
// (sqldb.DB.Exec): in tx when not nil, else in the transaction ctx
// carries, else alone on the writers' pool.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if tx == nil {
		tx = s.tx(ctx)
	}
	return s.db.Exec(ctx, tx, query, args...)
}

// txOf is q's transaction, when it is one.
func txOf(q store.Querier) *sql.Tx {
	tx, _ := q.(*sql.Tx)
	return tx
}
