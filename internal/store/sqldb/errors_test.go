package sqldb_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// closedPort is a loopback port nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	return port
}

// TestErrorMap: every driver error meaning "the database cannot serve just
// now" answers 503 (and is store.ErrUnavailable); a unique violation is
// store.ErrConflict; anything else stays a 500. The errors are the
// drivers' own values, produced for real where a test can (a refused
// connection, SQLite busy, a connection the server ended) and built from
// the drivers' types where it cannot (a server restarting).
func TestErrorMap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	port := closedPort(t)
	pgRefused := func() error {
		_, err := pgconn.Connect(ctx, "postgres://latchkey@127.0.0.1:"+port+"/latchkey?sslmode=disable&connect_timeout=5")
		return err
	}()
	myRefused := func() error {
		db, _ := sql.Open("mysql", "root@tcp(127.0.0.1:"+port+")/latchkey?timeout=5s")
		defer db.Close()
		return db.PingContext(ctx)
	}()
	unavailable := map[string]error{
		"pgx refused":           pgRefused,
		"pgx conn closed":       fmt.Errorf("query: %w", pgconn.ErrConnClosed),
		"pg 57P01 admin":        &pgconn.PgError{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"},
		"pg 57P02 crash":        &pgconn.PgError{Severity: "FATAL", Code: "57P02"},
		"pg 57P03 starting up":  &pgconn.PgError{Severity: "FATAL", Code: "57P03", Message: "the database system is starting up"},
		"pg 08006 conn failure": &pgconn.PgError{Code: "08006"},
		"pg 08P01 protocol":     &pgconn.PgError{Code: "08P01"},
		"pg 53300 too many":     &pgconn.PgError{Code: "53300"},
		"pg 40P01 deadlock":     &pgconn.PgError{Code: "40P01"},
		"mysql refused":         myRefused,
		"mysql invalid conn":    mysql.ErrInvalidConn,
		"mysql 1040":            &mysql.MySQLError{Number: 1040, Message: "Too many connections"},
		"mysql 1053":            &mysql.MySQLError{Number: 1053, Message: "Server shutdown in progress"},
		"mysql 1205":            &mysql.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded"},
		"mysql 1213":            &mysql.MySQLError{Number: 1213, Message: "Deadlock found"},
		"mysql 1927":            &mysql.MySQLError{Number: 1927, Message: "Connection was killed"},
		"mysql 2002":            &mysql.MySQLError{Number: 2002},
		"mysql 2006":            &mysql.MySQLError{Number: 2006, Message: "MySQL server has gone away"},
		"mysql 2013":            &mysql.MySQLError{Number: 2013, Message: "Lost connection to server during query"},
		"bad conn":              fmt.Errorf("exec: %w", driver.ErrBadConn),
		"conn done":             sql.ErrConnDone,
		"EOF on a pooled conn":  io.ErrUnexpectedEOF,
		"sqlite busy":           sqliteBusy(t),
	}
	if os.Getenv(testdb.EnvPostgres) != "" {
		unavailable["pg terminated (real)"], unavailable["pgx conn closed (real)"] = pgTerminated(t)
	}
	if os.Getenv(testdb.EnvMySQL) != "" {
		unavailable["mysql killed (real)"] = mysqlKilled(t)
	}
	for name, err := range unavailable {
		if err == nil {
			t.Errorf("%s: the driver gave no error to map", name)
			continue
		}
		if !errors.Is(sqldb.MapError(err), store.ErrUnavailable) || !store.IsUnavailable(err) {
			t.Errorf("%s: %v is not mapped to unavailable", name, err)
		}
		if he := httpx.AsError(fmt.Errorf("load session: %w", err)); he.Code != 503 {
			t.Errorf("%s: %v answers %d, want 503", name, err, he.Code)
		}
	}

	others := map[string]error{
		"pg syntax":    &pgconn.PgError{Code: "42601"},
		"mysql syntax": &mysql.MySQLError{Number: 1064},
		"no rows":      sql.ErrNoRows,
		"plain":        errors.New("json: cannot unmarshal"),
	}
	for name, err := range others {
		if store.IsUnavailable(err) || errors.Is(sqldb.MapError(err), store.ErrConflict) {
			t.Errorf("%s: %v is mapped as unavailable or conflict", name, err)
		}
		if he := httpx.AsError(err); he.Code != 500 {
			t.Errorf("%s: answers %d, want 500", name, he.Code)
		}
	}
	for name, err := range map[string]error{
		"pg unique":    &pgconn.PgError{Code: "23505"},
		"mysql unique": &mysql.MySQLError{Number: 1062},
	} {
		if m := sqldb.MapError(err); !errors.Is(m, store.ErrConflict) || store.IsUnavailable(err) {
			t.Errorf("%s: mapped to %v, want a conflict only", name, m)
		}
	}
}

// sqliteBusy is the error SQLite gives a writer while another holds the
// write lock past the busy timeout (here none).
func sqliteBusy(t *testing.T) error {
	path := filepath.Join(t.TempDir(), "busy.db")
	open := func() *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_pragma=journal_mode(WAL)&_txlock=immediate")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	holder, other := open(), open()
	if _, err := holder.Exec(`CREATE TABLE t (x INT)`); err != nil {
		t.Fatal(err)
	}
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	_, err = other.Exec(`INSERT INTO t VALUES (2)`)
	if err == nil || !strings.Contains(err.Error(), "SQLITE_BUSY") && !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a second writer got %v, want SQLite busy", err)
	}
	return err
}

// pgTerminated ends its own session on the shared server as an operator's
// restart does (57P01), and then uses the dead connection again.
func pgTerminated(t *testing.T) (terminated, closed error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgconn.Connect(ctx, os.Getenv(testdb.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, terminated = conn.Exec(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`).ReadAll()
	_, closed = conn.Exec(ctx, `SELECT 1`).ReadAll()
	return terminated, closed
}

// mysqlKilled is what a connection the server killed answers next.
func mysqlKilled(t *testing.T) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("mysql", strings.TrimPrefix(os.Getenv(testdb.EnvMySQL), "mysql://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var id int64
	if err := conn.QueryRowContext(ctx, `SELECT CONNECTION_ID()`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
		t.Fatal(err)
	}
	_, err = conn.ExecContext(ctx, `SELECT 1`)
	return err
}
