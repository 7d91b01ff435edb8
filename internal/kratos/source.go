package kratos

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// SchemaVersion is the last migration of the reference's v0.6.3 schema.
const SchemaVersion = "20210410175418000181"

// Source is an open reference database, checked and with its network.
type Source struct {
	db      *sql.DB
	dialect sqldb.Dialect
	nid     string
}

// Open connects to a reference database given in the reference's DSN
// forms and checks that it is one, of the supported schema version, with
// one network. SQLite files are opened read-only.
func Open(ctx context.Context, dsn string) (*Source, error) {
	t, err := sqldb.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("source dsn: %w", err)
	}
	driverDSN := t.DriverDSN
	if t.Dialect == sqldb.SQLite {
		if t.InMemory {
			return nil, fmt.Errorf("source dsn: an in-memory database cannot be a reference database")
		}
		// Latchkey's own SQLite settings switch the file to WAL; the source
		// must not change at all, so it is opened read-only and plain.
		path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite://"), "?")
		driverDSN = "file:" + path + "?" + url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}.Encode()
	}
	db, err := sql.Open(t.Driver, driverDSN)
	if err != nil {
		return nil, err
	}
	s := &Source{db: db, dialect: t.Dialect}
	if err := s.check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the connection.
func (s *Source) Close() error { return s.db.Close() }

func (s *Source) check(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migration`)
	if err != nil {
		if pingErr := s.db.PingContext(ctx); pingErr != nil {
			return fmt.Errorf("cannot reach the source database: %w", pingErr)
		}
		return fmt.Errorf("the source is not a Kratos database: it has no schema_migration table")
	}
	var versions []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		versions = append(versions, strings.TrimSpace(v))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(versions) == 0 {
		return fmt.Errorf("the source is not a Kratos database: its schema_migration table is empty")
	}
	last := slices.Max(versions)
	if last != SchemaVersion {
		return fmt.Errorf("the source database is at Kratos schema version %s; this command reads v0.6.x databases at version %s only (upgrade or downgrade the source with the reference first)", last, SchemaVersion)
	}
	var nids []string
	rows, err = s.db.QueryContext(ctx, `SELECT id FROM networks`)
	if err != nil {
		return fmt.Errorf("the source is not a Kratos v0.6 database: it has no networks table")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		nids = append(nids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(nids) != 1 {
		return fmt.Errorf("the source database has %d networks (%s); a single-network database is expected", len(nids), strings.Join(nids, ", "))
	}
	s.nid = nids[0]
	return nil
}

func (s *Source) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

func in(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// The reference's drivers hand back values of several types for one
// column: these turn them into what they mean.

func asBool(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case int64:
		return b != 0
	case []byte:
		return asBool(string(b))
	case string:
		ok, _ := strconv.ParseBool(strings.TrimSpace(b))
		return ok
	}
	return false
}

var timeLayouts = []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"}

func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Truncate(time.Microsecond), true
	case []byte:
		return asTime(string(t))
	case string:
		for _, l := range timeLayouts {
			if p, err := time.Parse(l, strings.TrimSpace(t)); err == nil {
				return p.UTC().Truncate(time.Microsecond), true
			}
		}
	}
	return time.Time{}, false
}

func asString(v any) string {
	switch s := v.(type) {
	case string:
		return s
	case []byte:
		return string(s)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// firstID sorts before every UUID, so keyset paging starts with it on all
// three databases (PostgreSQL refuses ” for a uuid column).
const firstID = "00000000-0000-0000-0000-000000000000"
