package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

var dialects = []string{"sqlite", "postgres", "mysql"}

func open(t *testing.T, dialect string) *sqldb.DB {
	t.Helper()
	return openDSN(t, testdb.New(t, dialect))
}

// openDSN opens a test's own database, closed when the test ends.
func openDSN(t *testing.T, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open the test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrateOnceThenCheckSchema follows an operator: a fresh database is
// refused as outdated, migrating applies every embedded version once, a
// second run applies nothing, and the check then passes.
func TestMigrateOnceThenCheckSchema(t *testing.T) {
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, d)
			if err := db.CheckSchema(ctx); !errors.Is(err, sqldb.ErrSchemaOutdated) {
				t.Fatalf("CheckSchema on an empty database = %v, want ErrSchemaOutdated", err)
			}
			versions, _ := sqldb.MigrationVersions(db.Dialect)
			n, err := db.Migrate(ctx)
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if n != len(versions) {
				t.Errorf("Migrate applied %d migrations, want %d", n, len(versions))
			}
			if n, err = db.Migrate(ctx); err != nil || n != 0 {
				t.Errorf("second Migrate = %d, %v; want 0, nil", n, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Errorf("CheckSchema after Migrate: %v", err)
			}
		})
	}
}

// TestCheckSchemaRefusesNewerDatabase: a binary older than the database
// must not start and write with the wrong schema.
func TestCheckSchemaRefusesNewerDatabase(t *testing.T) {
	for _, d := range dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			db := open(t, d)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if _, err := db.SQL.ExecContext(ctx, db.Q(`INSERT INTO `+sqldb.MigrationTable+` (version_id, is_applied) VALUES (?, ?)`), 99999, true); err != nil {
				t.Fatalf("record a future version: %v", err)
			}
			if err := db.CheckSchema(ctx); !errors.Is(err, sqldb.ErrSchemaNewer) {
				t.Fatalf("CheckSchema = %v, want ErrSchemaNewer", err)
			}
		})
	}
}

// TestMigrationsBuildTheSameSchemaOnEveryDialect compares what the
// per-dialect DDL creates: tables, columns, nullability and unique keys.
// Conflict detection and not-found mapping depend on these being the same.
func TestMigrationsBuildTheSameSchemaOnEveryDialect(t *testing.T) {
	ctx := context.Background()
	ref := open(t, "sqlite")
	if _, err := ref.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	wantCols, wantUnique := shape(t, ref)
	if len(wantCols) == 0 {
		t.Fatal("the sqlite schema has no columns")
	}
	for _, d := range dialects[1:] {
		t.Run(d, func(t *testing.T) {
			db := open(t, d)
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			gotCols, gotUnique := shape(t, db)
			diff(t, "column", gotCols, wantCols)
			diff(t, "unique key", gotUnique, wantUnique)
		})
	}
}

func diff(t *testing.T, what string, got, want map[string]bool) {
	t.Helper()
	for k := range want {
		if !got[k] {
			t.Errorf("%s %s exists on sqlite but not here", what, k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s %s exists here but not on sqlite", what, k)
		}
	}
}

// shape lists "table.column null|not null" and "table(col,col)" for every
// unique index, leaving out the migration bookkeeping table.
func shape(t *testing.T, db *sqldb.DB) (cols, unique map[string]bool) {
	t.Helper()
	var colQ, uniqQ string
	switch db.Dialect {
	case sqldb.SQLite:
		colQ = `SELECT m.name, p.name, CASE WHEN p."notnull" = 1 OR p.pk > 0 THEN 'NO' ELSE 'YES' END
			FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
		uniqQ = `SELECT m.name, il.name, ii.name FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
			WHERE m.type = 'table' AND il."unique" = 1`
	case sqldb.Postgres:
		colQ = `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`
		uniqQ = `SELECT t.relname, i.relname, a.attname FROM pg_index x
			JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			JOIN pg_namespace n ON n.oid = t.relnamespace
			JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey)
			WHERE x.indisunique AND n.nspname = 'public'`
	case sqldb.MySQL:
		colQ = `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = DATABASE()`
		uniqQ = `SELECT table_name, index_name, column_name FROM information_schema.statistics WHERE table_schema = DATABASE() AND non_unique = 0`
	}
	cols = map[string]bool{}
	for _, r := range rows(t, db, colQ) {
		if r[0] == sqldb.MigrationTable {
			continue
		}
		null := "null"
		if r[2] == "NO" {
			null = "not null"
		}
		cols[strings.ToLower(r[0]+"."+r[1])+" "+null] = true
	}
	byIndex := map[string][]string{}
	table := map[string]string{}
	for _, r := range rows(t, db, uniqQ) {
		if r[0] == sqldb.MigrationTable {
			continue
		}
		key := r[0] + "/" + r[1]
		byIndex[key] = append(byIndex[key], strings.ToLower(r[2]))
		table[key] = strings.ToLower(r[0])
	}
	unique = map[string]bool{}
	for key, cs := range byIndex {
		sort.Strings(cs)
		unique[table[key]+"("+strings.Join(cs, ",")+")"] = true
	}
	return cols, unique
}

func rows(t *testing.T, db *sqldb.DB, q string) [][3]string {
	t.Helper()
	rs, err := db.SQL.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", db.Dialect, err)
	}
	defer rs.Close()
	var out [][3]string
	for rs.Next() {
		var r [3]string
		if err := rs.Scan(&r[0], &r[1], &r[2]); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRelaxedPoolOnlyDropsTheWaitForTheDisk: on PostgreSQL the pool for
// writes a crash may lose (a new flow, a throttle counter) commits without
// waiting for the WAL to reach the disk, and the pools sessions,
// identities and credentials are written through still wait.
func TestRelaxedPoolOnlyDropsTheWaitForTheDisk(t *testing.T) {
	db := open(t, "postgres")
	ctx := context.Background()
	for _, c := range []struct {
		name string
		pool *sql.DB
		want string
	}{{"Relaxed", db.Relaxed, "off"}, {"W", db.W, "on"}, {"SQL", db.SQL, "on"}} {
		var got string
		if err := c.pool.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("synchronous_commit on %s = %s, want %s", c.name, got, c.want)
		}
	}
}
