package sqldb

import (
	"context"
	"database/sql"
	"sync"
)

// Exec runs a write as a statement prepared once on the writers' pool
// (SQLite otherwise parses and plans it on every call, measured as 11% of
// a sign-in's CPU), bound to tx when tx is not nil.
//
// Preparing takes a writer connection, which a caller inside tx already
// holds (on file SQLite the only one): a statement first met inside a
// transaction runs unprepared there and is prepared in the background,
// which waits its turn for the connection like any writer.
func (db *DB) Exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	q := db.Q(query)
	st := db.writeStmt(ctx, &db.wstmts, db.W, q, tx != nil)
	switch {
	case st == nil && tx != nil:
		return tx.ExecContext(ctx, q, args...)
	case st == nil:
		return db.W.ExecContext(ctx, q, args...)
	case tx != nil:
		// Closed with the transaction; on the connection the statement
		// was prepared on already, it is that preparation reused.
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryWrite is Exec for a write that returns rows (RETURNING).
func (db *DB) QueryWrite(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	q := db.Q(query)
	st := db.writeStmt(ctx, &db.wstmts, db.W, q, tx != nil)
	switch {
	case st == nil && tx != nil:
		return tx.QueryContext(ctx, q, args...)
	case st == nil:
		return db.W.QueryContext(ctx, q, args...)
	case tx != nil:
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return st.QueryContext(ctx, args...)
}

// ExecRelaxed is Exec alone on the Relaxed pool (a write whose loss in a
// crash of the database server costs only a retry), prepared there once.
// Exec would run it on W, whose commits wait for the disk.
func (db *DB) ExecRelaxed(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if db.Relaxed == db.W {
		return db.Exec(ctx, nil, query, args...)
	}
	q := db.Q(query)
	if st := db.writeStmt(ctx, &db.rstmts, db.Relaxed, q, false); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.Relaxed.ExecContext(ctx, q, args...)
}

// writeStmt is q prepared on pool (W or Relaxed, whose statements m
// keeps), or nil while it is not (yet). inTx says the caller holds a
// writer connection and must not wait for another.
func (db *DB) writeStmt(ctx context.Context, m *sync.Map, pool *sql.DB, q string, inTx bool) *sql.Stmt {
	if v, ok := m.Load(q); ok {
		return v.(*sql.Stmt) // nil while being prepared
	}
	if _, loaded := m.LoadOrStore(q, (*sql.Stmt)(nil)); loaded {
		return nil
	}
	if inTx {
		db.preparing.Add(1)
		go func() {
			defer db.preparing.Done()
			prepareWrite(db.prepareCtx, m, pool, q)
		}()
		return nil
	}
	return prepareWrite(ctx, m, pool, q)
}

func prepareWrite(ctx context.Context, m *sync.Map, pool *sql.DB, q string) *sql.Stmt {
	st, err := pool.PrepareContext(ctx, q)
	if err != nil {
		m.Delete(q) // a later call tries again
		return nil
	}
	m.Store(q, st)
	return st
}
