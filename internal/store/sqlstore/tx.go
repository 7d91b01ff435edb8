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

// InTx runs fn in one transaction: the store's writes that fn makes with
// the context it is given join it, so a flow's closing writes (the flow,
// the session, the throttle counters) commit once instead of once each.
// Inside another InTx of the same store, fn joins the open transaction.
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

// q is where a single statement runs: the open transaction, or the pool.
func (s *Store) q(ctx context.Context) store.Querier {
	if tx := s.tx(ctx); tx != nil {
		return tx
	}
	return s.db.SQL
}

// inTx runs a multi-statement change in its own transaction, or in the
// one ctx carries (a second transaction there would wait on the first's
// locks, forever on SQLite's single writer).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if tx := s.tx(ctx); tx != nil {
		return fn(tx)
	}
	return s.db.InTx(ctx, fn)
}

// exec runs a hot path's statement prepared once (db.Stmt): SQLite parses
// and plans unprepared SQL on every call. On a transaction (q, or the one
// ctx carries) the statement is bound to it.
func (s *Store) exec(ctx context.Context, q store.Querier, query string, args ...any) (sql.Result, error) {
	st, err := s.db.Stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	tx, _ := q.(*sql.Tx)
	if tx == nil {
		tx = s.tx(ctx)
	}
	if tx != nil {
		st = tx.StmtContext(ctx, st) // closed with the transaction
	}
	return st.ExecContext(ctx, args...)
}
