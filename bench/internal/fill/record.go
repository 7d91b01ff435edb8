package fill

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"
)

// The fill learns what the server writes by watching it: the template
// identity and session are created by the server's own code (identity and
// session managers over sqlstore) on a pool whose driver connections are
// wrapped to record every statement they execute with its arguments, as
// the real driver receives them. The bulk copies are then those statements
// with only the unique values changed, so the fill holds no copy of the
// schema: a column added to the store's INSERT is filled automatically.

// call is one statement the store executed.
type call struct {
	query string
	args  []driver.NamedValue
}

type recorder struct {
	mu      sync.Mutex
	calls   []call // statements executed
	queries []call // statements that returned rows
}

func (r *recorder) add(query string, args []driver.NamedValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, splitBatch(query, args)...)
}

// splitBatch undoes sqldb's MariaDB batch, which sends a transaction's
// writes as one multi-statement query ("START TRANSACTION;\n...;\nCOMMIT")
// with every statement's arguments in one list: the fill repeats each
// INSERT on its own, so it takes them apart again, handing each statement
// the arguments of its own placeholders. The store's batched statements
// hold no '?' but their placeholders.
func splitBatch(query string, args []driver.NamedValue) []call {
	if !strings.Contains(query, ";\n") {
		return []call{{query: query, args: append([]driver.NamedValue(nil), args...)}}
	}
	var out []call
	k := 0
	for _, q := range strings.Split(query, ";\n") {
		if q == "START TRANSACTION" || q == "COMMIT" {
			continue
		}
		n := min(strings.Count(q, "?"), len(args)-k)
		a := make([]driver.NamedValue, n)
		for j := range a {
			a[j] = args[k+j]
			a[j].Ordinal = j + 1
		}
		k += n
		out = append(out, call{query: q, args: a})
	}
	return out
}

func (r *recorder) addQuery(query string, args []driver.NamedValue) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries = append(r.queries, call{query: query, args: append([]driver.NamedValue(nil), args...)})
}

// opener returns an sqldb.Opener whose pools record on r.
func (r *recorder) opener(driverName, dsn string) (*sql.DB, error) {
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := db.Driver()
	db.Close()
	var c driver.Connector = dsnConnector{dsn: dsn, drv: drv}
	if dc, ok := drv.(driver.DriverContext); ok {
		if c, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	}
	return sql.OpenDB(recConnector{c: c, rec: r}), nil
}

type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

type recConnector struct {
	c   driver.Connector
	rec *recorder
}

func (c recConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &recConn{Conn: conn, rec: c.rec}, nil
}

func (c recConnector) Driver() driver.Driver { return c.c.Driver() }

// recConn forwards everything to the driver's connection, recording the
// statements it executes, directly or prepared.
type recConn struct {
	driver.Conn
	rec *recorder
}

func (c *recConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ex, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := ex.ExecContext(ctx, query, args)
	if err == nil {
		c.rec.add(query, args)
	}
	return res, err
}

func (c *recConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		rows, err := q.QueryContext(ctx, query, args)
		if err == nil {
			c.rec.addQuery(query, args)
		}
		return rows, err
	}
	return nil, driver.ErrSkip
}

func (c *recConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &recStmt{Stmt: st, query: query, rec: c.rec}, nil
}

func (c *recConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver has nothing newer
}

func (c *recConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}

func (c *recConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *recConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

type recStmt struct {
	driver.Stmt
	query string
	rec   *recorder
}

func (s *recStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ex, ok := s.Stmt.(driver.StmtExecContext)
	if !ok { // all three drivers have it
		return nil, errors.New("fill: the driver's statements lack ExecContext")
	}
	res, err := ex.ExecContext(ctx, args)
	if err == nil {
		s.rec.add(s.query, args)
	}
	return res, err
}

func (s *recStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := s.Stmt.(driver.StmtQueryContext); ok {
		rows, err := q.QueryContext(ctx, args)
		if err == nil {
			s.rec.addQuery(s.query, args)
		}
		return rows, err
	}
	return nil, errors.New("fill: the driver's statements lack QueryContext")
}

func (s *recStmt) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := s.Stmt.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}
