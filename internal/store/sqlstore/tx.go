package sqlstore

import (
	"context"
	"database/sql"
	"sync"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// txKey carries an open transaction of one store in a context.
type txKey struct{}

type ctxTx struct {
	s  *Store
	st *txState
}

// txState is one InTx's transaction. On PostgreSQL and MariaDB it begins
// lazily: writes that need no answer but success (write) wait in queued,
// and the transaction is begun, with them first, only when something else
// needs it (a read, a write whose answer is used). An InTx that only
// queued sends its writes as one batch (sqldb.DB.Run): one round trip
// instead of BEGIN, one per write and COMMIT. On SQLite, where a round
// trip is a function call, tx is begun at once.
type txState struct {
	mu     sync.Mutex
	tx     *sql.Tx
	err    error // beginning the transaction failed
	queued sqldb.Batch
}

// lazyTx says whether InTx begins its transaction lazily on this database.
func (s *Store) lazyTx() bool { return s.db.Dialect != sqldb.SQLite }

// InTx runs fn in one transaction: every store call fn makes with the
// context it is given joins it, so a flow's closing writes (the flow, the
// session, the throttle counters) commit once instead of once each. Inside
// another InTx of the same store, fn joins the open transaction.
//
// fn must use its own context, never an outer one: on a file SQLite
// database the transaction holds the one writer connection (sqldb.DB.W),
// and a write made outside it would wait for it forever.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.state(ctx) != nil {
		return fn(ctx)
	}
	if !s.lazyTx() {
		return s.db.InTx(ctx, func(tx *sql.Tx) error {
			return fn(context.WithValue(ctx, txKey{}, ctxTx{s: s, st: &txState{tx: tx}}))
		})
	}
	st := &txState{}
	err := func() (err error) {
		defer func() {
			if p := recover(); p != nil {
				st.rollback()
				panic(p)
			}
		}()
		return fn(context.WithValue(ctx, txKey{}, ctxTx{s: s, st: st}))
	}()
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.err != nil:
		return sqldb.MapError(st.err)
	case err != nil:
		if st.tx != nil {
			_ = st.tx.Rollback()
		}
		return sqldb.MapError(err) // queued writes were never sent
	case st.tx == nil:
		return s.db.Run(ctx, &st.queued)
	}
	if err := st.tx.Commit(); err != nil {
		return sqldb.MapError(err)
	}
	return nil
}

func (st *txState) rollback() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.tx != nil {
		_ = st.tx.Rollback()
	}
}

// state is the InTx of this store that ctx belongs to, if any.
func (s *Store) state(ctx context.Context) *txState {
	if c, ok := ctx.Value(txKey{}).(ctxTx); ok && c.s == s {
		return c.st
	}
	return nil
}

// tx is the transaction an InTx of this store left in ctx, begun now if
// it was not yet (with the writes queued so far); nil outside one. A
// failure to begin is returned, and InTx returns it too.
func (s *Store) tx(ctx context.Context) (*sql.Tx, error) {
	st := s.state(ctx)
	if st == nil {
		return nil, nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.tx != nil || st.err != nil {
		return st.tx, st.err
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		st.err = err
		return nil, err
	}
	st.tx = tx
	if err := s.db.RunIn(ctx, tx, &st.queued); err != nil {
		st.err = err
		return nil, err
	}
	st.queued.Reset()
	return tx, nil
}

// write runs writes that need no answer but success, together (sqldb.Batch):
// queued in the transaction ctx carries while it has not begun, in it
// once it has, or alone as one batch outside one.
func (s *Store) write(ctx context.Context, b *sqldb.Batch) error {
	st := s.state(ctx)
	if st == nil {
		return s.db.Run(ctx, b)
	}
	st.mu.Lock()
	if st.tx == nil && st.err == nil {
		st.queued.Append(b)
		st.mu.Unlock()
		return nil
	}
	st.mu.Unlock()
	tx, err := s.tx(ctx)
	if err != nil {
		return err
	}
	return s.db.RunIn(ctx, tx, b)
}

// failed is a Querier for a transaction that could not begin: every call
// answers the error that stopped it, nothing reaches the database.
type failed struct {
	db  *sql.DB
	err error
}

func (f failed) ExecContext(context.Context, string, ...any) (sql.Result, error) { return nil, f.err }
func (f failed) QueryContext(context.Context, string, ...any) (*sql.Rows, error) { return nil, f.err }

// QueryRowContext answers a Row holding an error: database/sql makes one
// only itself, and a canceled context makes it without a connection.
func (f failed) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c, cancel := context.WithCancel(ctx)
	cancel()
	return f.db.QueryRowContext(c, query, args...)
}

// r is where a read runs: the open transaction (which sees its own
// writes, and on SQLite in memory holds the only connection), or the
// readers' pool.
func (s *Store) r(ctx context.Context) store.Querier {
	return s.on(ctx, s.db.SQL)
}

// w is where a single write runs: the open transaction, or the writers'
// pool.
func (s *Store) w(ctx context.Context) store.Querier {
	return s.on(ctx, s.db.W)
}

func (s *Store) on(ctx context.Context, pool *sql.DB) store.Querier {
	tx, err := s.tx(ctx)
	switch {
	case err != nil:
		return failed{db: pool, err: err}
	case tx != nil:
		return tx
	}
	return pool
}

// inTx runs a multi-statement change in its own transaction, or in the
// one ctx carries (a second transaction there would wait on the first's
// lock, forever on SQLite's single writer).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.tx(ctx)
	switch {
	case err != nil:
		return err
	case tx != nil:
		return fn(tx)
	}
	return s.db.InTx(ctx, fn)
}

// exec runs a hot path's write as a statement prepared once
// (sqldb.DB.Exec): in tx when not nil, else in the transaction ctx
// carries, else alone on the writers' pool.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if tx == nil {
		var err error
		if tx, err = s.tx(ctx); err != nil {
			return nil, err
		}
	}
	return s.db.Exec(ctx, tx, query, args...)
}

// txOf is q's transaction, when it is one.
func txOf(q store.Querier) *sql.Tx {
	tx, _ := q.(*sql.Tx)
	return tx
}
