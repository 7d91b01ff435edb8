package harness

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql" // "mysql", likewise
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to create and drop the run's database
)

// The servers a run creates its PostgreSQL and MariaDB databases on: the
// test suite's variables, so that a machine set up for the tests can run
// the benchmarks as it is.
const (
	EnvPostgres = "LATCHKEY_TEST_POSTGRES_DSN" // e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	EnvMySQL    = "LATCHKEY_TEST_MYSQL_DSN"    // e.g. mysql://root@tcp(127.0.0.1:3306)/test
)

// ServerDSN is the server a database kind is created on, from its
// variable; "" for SQLite, which needs none, and for an unset variable.
func ServerDSN(kind string) string {
	switch kind {
	case "postgres":
		return os.Getenv(EnvPostgres)
	case "mysql":
		return os.Getenv(EnvMySQL)
	}
	return ""
}

// Database returns the DSN of a fresh database of a kind for one run:
// "sqlite" is a file in dir; "postgres" and "mysql" are a new database
// named namePrefix plus random hex on the server serverDSN names, so runs
// never share state. drop removes what was created (it does nothing for
// SQLite, whose file goes with dir); prog prefixes its error messages.
func Database(ctx context.Context, kind, dir, serverDSN, namePrefix, prog string) (dsn string, drop func(), err error) {
	switch kind {
	case "sqlite":
		return "sqlite://" + filepath.Join(dir, "latchkey.db") + "?_fk=true", func() {}, nil
	case "postgres":
		return postgresDatabase(ctx, serverDSN, namePrefix, prog)
	case "mysql":
		return mysqlDatabase(ctx, serverDSN, namePrefix, prog)
	default:
		return "", nil, fmt.Errorf("unknown database %q", kind)
	}
}

// postgresDatabase creates a fresh database on the server base names and
// returns its DSN and a function that drops it.
func postgresDatabase(ctx context.Context, base, namePrefix, prog string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := namePrefix + hex.EncodeToString(b[:])
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create PostgreSQL database: %w", err)
	}
	drop := func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := a.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "%s: drop database %s: %v\n", prog, name, err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// mysqlDatabase creates a fresh MariaDB/MySQL database (utf8mb4, binary
// collation, as the tests make them) on the server base names and returns
// its Latchkey DSN and a function that drops it.
func mysqlDatabase(ctx context.Context, base, namePrefix, prog string) (string, func(), error) {
	driverDSN := strings.TrimPrefix(base, "mysql://")
	admin, err := sql.Open("mysql", driverDSN)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := namePrefix + hex.EncodeToString(b[:])
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		return "", nil, fmt.Errorf("create MariaDB database: %w", err)
	}
	drop := func() {
		a, err := sql.Open("mysql", driverDSN)
		if err != nil {
			return
		}
		defer a.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := a.ExecContext(dctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			fmt.Fprintf(os.Stderr, "%s: drop database %s: %v\n", prog, name, err)
		}
	}
	// The database name is what follows the last '/' before any '?'.
	dsn, query, _ := strings.Cut(base, "?")
	out := dsn[:strings.LastIndex(dsn, "/")+1] + name
	if query != "" {
		out += "?" + query
	}
	return out, drop, nil
}
