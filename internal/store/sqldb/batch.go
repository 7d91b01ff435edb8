package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/latchkey/latchkey/internal/store"
)

// Batch is writes that commit together or not at all, none of which needs
// another's answer: a new identity's rows, a flow's closing writes. Run
// sends them in one round trip where the dialect allows, where a
// transaction statement by statement costs BEGIN, one round trip each and
// COMMIT.
type Batch struct {
	stmts []batchStmt
}

type batchStmt struct {
	query string // with '?' placeholders
	args  []any
	// mustTouch: a statement that touches no row fails the batch with
	// store.ErrNotFound (sqldb.Affected's rule).
	mustTouch bool
}

// Add queues a write.
func (b *Batch) Add(query string, args ...any) {
	b.stmts = append(b.stmts, batchStmt{query: query, args: args})
}

// AddMustTouch queues a write that must touch a row: when it touches none
// the batch fails with store.ErrNotFound and nothing of it is kept.
func (b *Batch) AddMustTouch(query string, args ...any) {
	b.stmts = append(b.stmts, batchStmt{query: query, args: args, mustTouch: true})
}

// Len is the number of queued writes.
func (b *Batch) Len() int { return len(b.stmts) }

// Append queues o's writes after b's.
func (b *Batch) Append(o *Batch) { b.stmts = append(b.stmts, o.stmts...) }

// Reset empties b.
func (b *Batch) Reset() { b.stmts = b.stmts[:0] }

// Run commits b's writes together, outside any transaction of the
// caller's: on PostgreSQL as one pipeline ending in one Sync, which the
// server runs as one implicit transaction; on MariaDB as one
// multi-statement query between START TRANSACTION and COMMIT; elsewhere,
// or when the connection is wrapped by something else than the driver
// (tracing), in a transaction statement by statement.
func (db *DB) Run(ctx context.Context, b *Batch) error {
	switch {
	case len(b.stmts) == 0:
		return nil
	case len(b.stmts) == 1:
		// One statement is atomic on its own.
		return runOne(db.Exec(ctx, nil, b.stmts[0].query, b.stmts[0].args...))(b.stmts[0])
	}
	var err error
	switch db.Dialect {
	case Postgres:
		err = db.runPipeline(ctx, b)
	case MySQL:
		err = db.runMulti(ctx, b)
	default:
		err = errNoBatch
	}
	if errors.Is(err, errNoBatch) {
		return db.InTx(ctx, func(tx *sql.Tx) error { return db.RunIn(ctx, tx, b) })
	}
	return MapError(err)
}

// RunIn runs b's writes in an open transaction, one statement at a time.
func (db *DB) RunIn(ctx context.Context, tx *sql.Tx, b *Batch) error {
	for _, st := range b.stmts {
		if err := runOne(db.Exec(ctx, tx, st.query, st.args...))(st); err != nil {
			return err
		}
	}
	return nil
}

func runOne(res sql.Result, err error) func(st batchStmt) error {
	return func(st batchStmt) error {
		if st.mustTouch {
			return Affected(res, err)
		}
		return MapError(err)
	}
}

// errNoBatch says the connection cannot send a batch at once (a driver
// wrapped by tracing, a MariaDB DSN without client-side interpolation).
var errNoBatch = errors.New("sqldb: no batch on this connection")

// noRowSQLState is what a rewritten must-touch statement raises when it
// touched no row (division_by_zero), see runPipeline.
const noRowSQLState = "22012"

// runPipeline sends b through pgx's batch on a writer connection: every
// statement, then one Sync. Until the Sync the statements run in one
// implicit transaction, which the first error aborts whole. A must-touch
// write cannot be checked by the client (the Sync has committed by the
// time its count arrives), so it is sent as
//
//	WITH w AS (<write> RETURNING 1) SELECT 1 / count(*) FROM w
//
// which fails, and aborts the batch, when the write touched nothing.
func (db *DB) runPipeline(ctx context.Context, b *Batch) error {
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return errNoBatch
		}
		var pb pgx.Batch
		for _, st := range b.stmts {
			q := st.query
			if st.mustTouch {
				q = `WITH w AS (` + q + ` RETURNING 1) SELECT 1 / count(*) FROM w`
			}
			pb.Queue(db.Q(q), st.args...)
		}
		br := pc.Conn().SendBatch(ctx, &pb)
		for _, st := range b.stmts {
			if _, err := br.Exec(); err != nil {
				br.Close()
				var pe *pgconn.PgError
				if st.mustTouch && errors.As(err, &pe) && pe.Code == noRowSQLState {
					return store.ErrNotFound
				}
				return err
			}
		}
		return br.Close()
	})
}

// runMulti sends b to MariaDB/MySQL as one multi-statement query on the
// batch pool (the only one whose connections accept several statements in
// one query; the driver interpolates the arguments), inside START
// TRANSACTION and COMMIT (multiStatement). After a failure the
// connection's transaction is rolled back before the connection goes back
// to the pool.
func (db *DB) runMulti(ctx context.Context, b *Batch) error {
	if db.batch == nil {
		return errNoBatch
	}
	q, plain := multiStatement(b, "")
	args := make([]driver.NamedValue, len(plain))
	for k, a := range plain {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return fmt.Errorf("batch argument %d: %w", k+1, err)
		}
		args[k] = driver.NamedValue{Ordinal: k + 1, Value: v}
	}
	conn, err := db.batch.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		ex, ok := dc.(driver.ExecerContext)
		if !ok {
			return errNoBatch
		}
		_, err := ex.ExecContext(ctx, q, args)
		if err != nil {
			// The statements after a failed one did not run, and the
			// transaction is still open on this connection.
			if _, rerr := ex.ExecContext(context.WithoutCancel(ctx), "ROLLBACK", nil); rerr != nil {
				return errors.Join(err, driver.ErrBadConn) // the pool drops the connection
			}
			var me *mysql.MySQLError
			if errors.As(err, &me) && string(me.SQLState[:]) == "45000" && me.Message == noRowSignal {
				return store.ErrNotFound
			}
		}
		return err
	})
}

// multiStatement is b's writes as one MariaDB query, START TRANSACTION
// first, then last (when not empty), then COMMIT, with their arguments in
// order. Each must-touch write is followed by an IF that raises
// noRowSignal when it touched no row, which stops the statements after
// it, COMMIT included.
func multiStatement(b *Batch, last string) (string, []any) {
	var q strings.Builder
	var args []any
	q.WriteString("START TRANSACTION")
	for _, st := range b.stmts {
		q.WriteString(";\n")
		q.WriteString(st.query)
		args = append(args, st.args...)
		if st.mustTouch {
			q.WriteString(";\nIF ROW_COUNT() = 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '" + noRowSignal + "'; END IF")
		}
	}
	if last != "" {
		q.WriteString(";\n")
		q.WriteString(last)
	}
	q.WriteString(";\nCOMMIT")
	return q.String(), args
}

// noRowSignal is the message of the error runMulti's check raises after a
// must-touch write that touched no row.
const noRowSignal = "latchkey: a must-touch write touched no row"

// batchDSN is a MariaDB/MySQL driver DSN that accepts several statements
// in one query, or "" when the DSN does not interpolate arguments in the
// client (multi-statement queries cannot be prepared).
func batchDSN(driverDSN string) string {
	cfg, err := mysql.ParseDSN(driverDSN)
	if err != nil || !cfg.InterpolateParams {
		return ""
	}
	cfg.MultiStatements = true
	return cfg.FormatDSN()
}

// QueryAfter runs b's writes and then query, in one transaction that
// commits after query's rows are read, so the rows reflect the writes
// while their locks are still held; scan reads them. On MariaDB/MySQL it
// is one multi-statement query on the batch pool: one round trip instead
// of START TRANSACTION, one per statement and COMMIT. Elsewhere it is a
// transaction statement by statement.
func (db *DB) QueryAfter(ctx context.Context, b *Batch, scan func(*sql.Rows) error, query string, args ...any) error {
	if db.Dialect == MySQL && db.batch != nil {
		return MapError(db.queryMulti(ctx, b, scan, query, args))
	}
	return db.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.RunIn(ctx, tx, b); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, db.Q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := scan(rows); err != nil {
			return err
		}
		return rows.Err()
	})
}

// queryMulti is QueryAfter as START TRANSACTION; writes; query; COMMIT.
// Each statement's answer is a result set of its own, the writes' and
// the transaction statements' without columns; the one with columns is
// query's. Must-touch writes are not supported here.
func (db *DB) queryMulti(ctx context.Context, b *Batch, scan func(*sql.Rows) error, query string, qargs []any) error {
	for _, st := range b.stmts {
		if st.mustTouch {
			return errors.New("sqldb: QueryAfter cannot check a must-touch write")
		}
	}
	q, args := multiStatement(b, query)
	args = append(args, qargs...)
	conn, err := db.batch.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = func() error {
		rows, err := conn.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		scanned := false
		for {
			if cols, _ := rows.Columns(); len(cols) > 0 && !scanned {
				if err := scan(rows); err != nil {
					return err
				}
				scanned = true
			}
			for rows.Next() {
			}
			if !rows.NextResultSet() {
				break
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !scanned {
			return errors.New("sqldb: the multi-statement query returned no rows to read")
		}
		return nil
	}()
	if err != nil {
		// A failed statement stops the rest: the transaction may still be
		// open on this connection.
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			return errors.Join(err, driver.ErrBadConn)
		}
	}
	return err
}
