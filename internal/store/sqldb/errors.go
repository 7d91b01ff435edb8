package sqldb

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/latchkey/latchkey/internal/store"
)

func init() { store.RegisterErrorMap(MapError) }

// MapError is the one map from database errors to what callers act on: no
// row is store.ErrNotFound; a unique constraint's refusal is joined with
// store.ErrConflict; an error meaning the database cannot serve just now
// (see unavailable) with store.ErrUnavailable. Other errors pass through
// unchanged. Every sqlstore method returns through it, and InTx maps
// whatever its function returns.
func MapError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrUnavailable):
		return err // mapped already
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case conflict(err):
		return errors.Join(store.ErrConflict, err)
	case unavailable(err):
		return errors.Join(store.ErrUnavailable, err)
	}
	return err
}

func conflict(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return myErr.Number == 1062
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}

// mysqlUnavailable are the MariaDB/MySQL error numbers that mean "not now":
// too many connections (1040), server shutting down (1053), lock wait
// timeout (1205), deadlock, the transaction rolled back (1213), connection
// killed (1927), and the client codes a proxy may relay: cannot connect
// (2002, 2003), server gone away (2006), connection lost (2013).
var mysqlUnavailable = map[uint16]bool{1040: true, 1053: true, 1205: true, 1213: true, 1927: true, 2002: true, 2003: true, 2006: true, 2013: true}

// pgUnavailable are the PostgreSQL SQLSTATEs of that meaning besides class
// 08 (connection exceptions): admin shutdown, crash shutdown, cannot
// connect now (57P01-57P03), too many connections (53300), and the
// transaction rollbacks a retry resolves: serialization failure (40001)
// and deadlock (40P01).
var pgUnavailable = map[string]bool{"57P01": true, "57P02": true, "57P03": true, "53300": true, "40001": true, "40P01": true}

// unavailable reports whether err means the database cannot serve just
// now: it refused or cut the connection, is restarting or out of
// connections, or did not grant a lock in time (SQLite busy or locked
// past its busy timeout). A retry later may succeed.
func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgUnavailable[pgErr.Code] || strings.HasPrefix(pgErr.Code, "08")
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return mysqlUnavailable[myErr.Number]
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// Affected maps a write's error and answers store.ErrNotFound when the write
// touched no row, for writes that must find theirs. MySQL counts matched
// rather than changed rows because the DSN sets clientFoundRows.
func Affected(res sql.Result, err error) error {
	if err != nil {
		return MapError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return MapError(err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}
