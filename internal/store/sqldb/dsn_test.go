package sqldb_test

import (
	"context"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// TestParseDSNRefusesWhatCannotWork: a DSN that cannot work must fail at
// start with a message saying what is wrong, never a driver error later.
func TestParseDSNRefusesWhatCannotWork(t *testing.T) {
	for _, tc := range []struct {
		dsn, wantInErr string
	}{
		{"", "dsn is empty"},
		{"cockroach://root@localhost/db", `"cockroach"`},
		{"sqlite://", "no file path"},
		{"sqlite:///tmp/x.db?max_conns=many", "max_conns"},
		{"postgres://u@h/db?max_idle_conns=-1", "max_idle_conns"},
		{"mysql://root@tcp(h:3306)/db?max_conn_lifetime=soon", "max_conn_lifetime"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			_, err := sqldb.ParseDSN(tc.dsn)
			if err == nil || !strings.Contains(err.Error(), tc.wantInErr) {
				t.Fatalf("ParseDSN(%q) error = %v, want one mentioning %s", tc.dsn, err, tc.wantInErr)
			}
		})
	}
}

// TestParseDSNKeepsPasswordsOutOfErrors: url.Parse errors quote the whole
// URL; the password must not reach logs through them.
func TestParseDSNKeepsPasswordsOutOfErrors(t *testing.T) {
	_, err := sqldb.ParseDSN("postgres://user:s3cr3t-pw@db.example:port/db")
	if err == nil {
		t.Fatal("a DSN with a non-numeric port was accepted")
	}
	if strings.Contains(err.Error(), "s3cr3t-pw") {
		t.Fatalf("the error reveals the password: %v", err)
	}
}

// TestParseDSNReadsTheReferenceForms checks the DSN forms the reference
// documents select the right database and keep its pool settings.
func TestParseDSNReadsTheReferenceForms(t *testing.T) {
	for _, tc := range []struct {
		dsn      string
		dialect  sqldb.Dialect
		maxOpen  int
		memory   bool
		ignored  string
		inDriver []string
		// notInDriver must not appear in the driver's DSN.
		notInDriver []string
	}{
		{dsn: "memory", dialect: sqldb.SQLite, maxOpen: 1, memory: true},
		{dsn: "sqlite:///var/lib/kratos/db.sqlite?_fk=true&max_conns=3", dialect: sqldb.SQLite, maxOpen: 3, inDriver: []string{"/var/lib/kratos/db.sqlite"}},
		// Without max_conns, SQLite gets one connection per CPU (at least two).
		{dsn: "sqlite://./db.sqlite?mode=rwc&frobnicate=1", dialect: sqldb.SQLite, maxOpen: max(2, runtime.NumCPU()), ignored: "frobnicate", inDriver: []string{"mode=rwc"}},
		{dsn: "postgres://u:p@localhost:5432/kratos?sslmode=disable&max_conns=7", dialect: sqldb.Postgres, maxOpen: 7, inDriver: []string{"sslmode=disable"}},
		{dsn: "postgresql://u@localhost/kratos?max_conn_idle_time=5m", dialect: sqldb.Postgres, maxOpen: 32, ignored: "max_conn_idle_time"},
		// Times must come back as time.Time in UTC, whatever the server's zone.
		{dsn: "mysql://root:pw@tcp(localhost:3306)/kratos?max_conns=4", dialect: sqldb.MySQL, maxOpen: 4, inDriver: []string{"parseTime=true", "loc=UTC", "root:pw@tcp(localhost:3306)/kratos"}},
		// One round trip per statement: arguments are escaped in the client,
		// which is safe in UTF-8 but not in a multi-byte set such as GBK.
		{dsn: "mysql://root@tcp(localhost:3306)/kratos", dialect: sqldb.MySQL, maxOpen: 32, inDriver: []string{"interpolateParams=true", "charset=utf8mb4"}},
		{dsn: "mysql://root@tcp(localhost:3306)/kratos?charset=gbk&collation=gbk_bin", dialect: sqldb.MySQL, maxOpen: 32, notInDriver: []string{"interpolateParams"}},
		{dsn: "mysql://root@tcp(localhost:3306)/kratos?interpolateParams=false", dialect: sqldb.MySQL, maxOpen: 32, inDriver: []string{"interpolateParams=false"}},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			got, err := sqldb.ParseDSN(tc.dsn)
			if err != nil {
				t.Fatalf("ParseDSN: %v", err)
			}
			if got.Dialect != tc.dialect || got.MaxOpenConns != tc.maxOpen || got.InMemory != tc.memory {
				t.Errorf("got dialect %s, max open %d, memory %v; want %s, %d, %v", got.Dialect, got.MaxOpenConns, got.InMemory, tc.dialect, tc.maxOpen, tc.memory)
			}
			if tc.ignored != "" && !contains(got.Ignored, tc.ignored) {
				t.Errorf("Ignored = %q, want it to name %s", got.Ignored, tc.ignored)
			}
			for _, s := range tc.inDriver {
				if !strings.Contains(got.DriverDSN, s) {
					t.Errorf("driver DSN %q lacks %q", got.DriverDSN, s)
				}
			}
			for _, s := range tc.notInDriver {
				if strings.Contains(got.DriverDSN, s) {
					t.Errorf("driver DSN %q carries %q", got.DriverDSN, s)
				}
			}
			// Pool parameters are Latchkey's, never passed to a driver
			// that would reject them.
			for p := range map[string]bool{"max_conns": true, "max_conn_lifetime": true, "max_conn_idle_time": true} {
				if strings.Contains(got.DriverDSN, p+"=") {
					t.Errorf("driver DSN %q still carries %s", got.DriverDSN, p)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestOpenSQLiteEnforcesForeignKeysAndWAL: deletes cascade only when
// foreign keys are on, and concurrent readers need WAL; both are promised
// whatever the DSN says.
func TestOpenSQLiteEnforcesForeignKeysAndWAL(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "fk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fk int
	if err := db.SQL.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if fk != 1 {
		t.Errorf("PRAGMA foreign_keys = %d, want 1", fk)
	}
	var mode string
	if err := db.SQL.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if strings.ToLower(mode) != "wal" {
		t.Errorf("PRAGMA journal_mode = %q, want wal", mode)
	}
}

// TestOpenMemoryKeepsDataBetweenQueries: "memory" is one database for the
// life of the process, not one per connection.
func TestOpenMemoryKeepsDataBetweenQueries(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "memory")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM identities").Scan(&n); err != nil {
		t.Fatalf("the migrated tables are gone: %v", err)
	}
}

// TestOpenUnreachableDatabaseFails: a server that is not there fails at
// Open, so `serve` stops with a message instead of answering 503 forever.
func TestOpenUnreachableDatabaseFails(t *testing.T) {
	// Port 1 on loopback refuses connections at once.
	if _, err := sqldb.Open(context.Background(), "postgres://u@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"); err == nil {
		t.Fatal("Open of an unreachable PostgreSQL server succeeded")
	}
	if _, err := sqldb.Open(context.Background(), "mysql://root@tcp(127.0.0.1:1)/none?timeout=5s"); err == nil {
		t.Fatal("Open of an unreachable MySQL server succeeded")
	}
	dir := t.TempDir()
	if _, err := sqldb.Open(context.Background(), "sqlite://"+filepath.Join(dir, "missing", "dir", "x.db")); err == nil {
		t.Fatal("Open of a SQLite file in a missing directory succeeded")
	}
}
