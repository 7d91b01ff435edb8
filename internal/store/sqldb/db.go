package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// DB is an open database with its dialect.
type DB struct {
	// SQL is the pool for reads. On a file SQLite database it is the
	// readers' pool: WAL readers never wait for the writer.
	SQL *sql.DB
	// W is the pool for writes and transactions. On a file SQLite
	// database it is one connection, so that writers queue here, in Go,
	// rather than sleeping in SQLite's busy handler (1, 2, 5, 10 ms ...
	// steps) for its one write lock; the busy timeout stays for other
	// processes on the same file. Elsewhere W is SQL. A goroutine holding
	// W's connection (a transaction) must run every statement on that
	// transaction: asking W for another connection waits on itself.
	W *sql.DB
	// Relaxed is the pool for single-statement writes whose loss in a
	// crash of the database server costs a client nothing but a retry: a
	// flow just begun, a throttle counter. On PostgreSQL its connections
	// run with synchronous_commit off, so their commits do not wait for
	// the WAL to reach the disk (0.36 ms of a 0.4 ms INSERT on the quiet
	// test machine). Such a commit is visible at once and survives a crash
	// of Latchkey; a crash of PostgreSQL itself may lose the last fraction
	// of a second of them (three wal_writer_delay), never a later
	// synchronous commit's rows: the WAL is flushed in order. Sessions,
	// identities and credentials never go through it. Elsewhere Relaxed
	// is W.
	Relaxed *sql.DB
	Dialect Dialect
	Target  Target

	// batch is, on MariaDB, a small pool whose connections accept
	// several statements in one query (see Run); nil elsewhere, and when
	// the DSN does not interpolate arguments in the client. Only Run uses
	// it, so no other query can carry a second statement.
	batch *sql.DB

	stmts  sync.Map // rebound read query text -> *sql.Stmt on SQL
	wstmts sync.Map // rebound write query text -> *sql.Stmt on W (nil while preparing)
	rstmts sync.Map // the same on Relaxed, when it is not W
	ckpt   *checkpointer

	// preparing counts the write statements being prepared in the
	// background (writeStmt), each holding a connection; Close cancels
	// them with stopPreparing and waits, so that no connection outlives
	// it (a SQLite connection closing later would checkpoint into
	// whatever file has taken the database's place by then).
	preparing     sync.WaitGroup
	prepareCtx    context.Context
	stopPreparing context.CancelFunc
}

// Open connects to the database a DSN names. It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	t, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return OpenTarget(ctx, t)
}

// Opener opens a pool on a driver; sql.Open, or a wrapper that
// instruments the driver (tracing).
type Opener func(driverName, dsn string) (*sql.DB, error)

// OpenTarget connects to a parsed DSN and checks the connection once. An
// Opener other than nil replaces sql.Open.
func OpenTarget(ctx context.Context, t Target, open ...Opener) (*DB, error) {
	opener := Opener(sql.Open)
	if len(open) > 0 && open[0] != nil {
		opener = open[0]
	}
	db, err := opener(t.Driver, t.DriverDSN)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", t.Dialect, err)
	}
	db.SetMaxOpenConns(t.MaxOpenConns)
	db.SetMaxIdleConns(t.MaxIdleConns)
	if t.ConnLifetime > 0 {
		db.SetConnMaxLifetime(t.ConnLifetime)
	}
	if t.InMemory {
		db.SetConnMaxLifetime(0) // the database dies with its last connection
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", t.Dialect, err)
	}
	out := &DB{SQL: db, W: db, Relaxed: db, Dialect: t.Dialect, Target: t}
	out.prepareCtx, out.stopPreparing = context.WithCancel(context.Background())
	if t.Dialect == Postgres {
		r, err := opener(t.Driver, relaxedDSN(t.DriverDSN))
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s database: %w", t.Dialect, err)
		}
		// Few connections: each write on it takes a fraction of a
		// millisecond, and the server's connection limit is shared.
		n := min(relaxedConns, t.MaxOpenConns)
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(min(n, t.MaxIdleConns))
		if t.ConnLifetime > 0 {
			r.SetConnMaxLifetime(t.ConnLifetime)
		}
		out.Relaxed = r
	}
	// The batch pool's multi-statement writes check must-touch writes with
	// an IF outside a stored program, which MariaDB has and MySQL has not:
	// on MySQL every transaction goes statement by statement.
	if dsn := batchDSN(t.DriverDSN); t.Dialect == MySQL && dsn != "" && isMariaDB(ctx, db) {
		b, err := opener(t.Driver, dsn)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s database: %w", t.Dialect, err)
		}
		n := min(batchConns, t.MaxOpenConns)
		b.SetMaxOpenConns(n)
		b.SetMaxIdleConns(min(n, t.MaxIdleConns))
		if t.ConnLifetime > 0 {
			b.SetConnMaxLifetime(t.ConnLifetime)
		}
		out.batch = b
	}
	if t.Dialect == SQLite && !t.InMemory {
		w, err := opener(t.Driver, t.DriverDSN)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s database: %w", t.Dialect, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		if t.ConnLifetime > 0 {
			w.SetConnMaxLifetime(t.ConnLifetime)
		}
		out.W = w
		// The checkpointer has a connection of its own: a checkpoint holds
		// it through the copy and the fsync, and the readers' pool is
		// only as large as the CPUs.
		c, err := opener(t.Driver, t.DriverDSN)
		if err != nil {
			db.Close()
			w.Close()
			return nil, fmt.Errorf("open %s database: %w", t.Dialect, err)
		}
		c.SetMaxOpenConns(1)
		c.SetMaxIdleConns(1)
		out.ckpt = startCheckpointer(c, w, t.Path+"-wal", checkpointEvery)
	}
	return out, nil
}

// Close stops the checkpointer, closes the prepared statements and the
// pools. SQLite checkpoints the WAL as the last connection closes.
func (db *DB) Close() error {
	db.stopPreparing()
	db.preparing.Wait()
	if db.ckpt != nil {
		db.ckpt.close()
	}
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	for _, m := range []*sync.Map{&db.wstmts, &db.rstmts} {
		m.Range(func(_, v any) bool {
			if st := v.(*sql.Stmt); st != nil {
				st.Close()
			}
			return true
		})
	}
	err := db.SQL.Close()
	if db.W != db.SQL {
		err = errors.Join(err, db.W.Close())
	}
	if db.Relaxed != db.SQL && db.Relaxed != db.W {
		err = errors.Join(err, db.Relaxed.Close())
	}
	if db.batch != nil {
		err = errors.Join(err, db.batch.Close())
	}
	return err
}

// relaxedConns bounds the Relaxed pool on PostgreSQL.
const relaxedConns = 4

// batchConns bounds the batch pool on MariaDB: each batch holds its
// connection for one round trip (two when it fails and rolls back).
const batchConns = 8

// relaxedDSN asks PostgreSQL for synchronous_commit off on every
// connection of the DSN (pgx sends unknown parameters as run-time settings
// at start-up, so it costs no round trip).
func relaxedDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn // ParseDSN parsed it already
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Stmt returns a prepared statement for a query, preparing it once. Hot
// paths use it: SQLite otherwise parses and plans the SQL on every call,
// which costs more than running it. database/sql prepares the statement
// again on each pooled connection that first runs it.
func (db *DB) Stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	q := db.Q(query)
	if st, ok := db.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.SQL.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Q rebinds a query written with '?' placeholders for this dialect.
func (db *DB) Q(query string) string { return db.Dialect.Rebind(query) }

// InTx runs fn in one transaction, committing when it returns nil. Every
// multi-row change goes through here so that a failure leaves nothing behind.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return MapError(fmt.Errorf("begin transaction: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return MapError(err)
	}
	if err = tx.Commit(); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// isMariaDB says whether the server db reaches is MariaDB (its version
// says so), not MySQL.
func isMariaDB(ctx context.Context, db *sql.DB) bool {
	var v string
	return db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&v) == nil && strings.Contains(v, "MariaDB")
}
