package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Environment variables naming the servers the database tests use. Each
// test gets a database of its own on them, dropped when it ends.
const (
	EnvPostgres = "LATCHKEY_TEST_POSTGRES_DSN" // e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable
	EnvMySQL    = "LATCHKEY_TEST_MYSQL_DSN"    // e.g. mysql://root@tcp(127.0.0.1:3306)/test
)

// Dialects lists the databases a storage test runs on: sqlite always, the
// others when configured.
func Dialects() []string {
	out := []string{"sqlite"}
	if os.Getenv(EnvPostgres) != "" {
		out = append(out, "postgres")
	}
	if os.Getenv(EnvMySQL) != "" {
		out = append(out, "mysql")
	}
	return out
}

// Each runs fn as a subtest per dialect, each with a fresh database,
// and says which databases it skipped and why.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, d := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New creates an empty database of a dialect for this test and
// returns its DSN. It skips the test when the dialect's server is not
// configured.
func New(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite://" + filepath.Join(t.TempDir(), "latchkey.db") + "?_fk=true"
	case "postgres":
		return newPostgres(t)
	case "mysql":
		return newMySQL(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

func uniqueName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "lk_test_" + hex.EncodeToString(b[:])
}

func newPostgres(t testing.TB) string {
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvPostgres)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	name := uniqueName()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create PostgreSQL database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

func newMySQL(t testing.TB) string {
	base := os.Getenv(EnvMySQL)
	if base == "" {
		t.Skipf("MariaDB/MySQL tests skipped: set %s (for example mysql://root@tcp(127.0.0.1:3306)/test)", EnvMySQL)
	}
	driverDSN := strings.TrimPrefix(base, "mysql://")
	admin, err := sql.Open("mysql", driverDSN)
	if err != nil {
		t.Fatalf("open %s: %v", EnvMySQL, err)
	}
	defer admin.Close()
	name := uniqueName()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("create MySQL database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("mysql", driverDSN)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
	})
	// Swap the database name: the part after the last '/' before any '?'.
	dsn, query, _ := strings.Cut(base, "?")
	slash := strings.LastIndex(dsn, "/")
	out := dsn[:slash+1] + name
	if query != "" {
		out += "?" + query
	}
	return out
}
