package sqldb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/latchkey/latchkey/internal/store/migrations"
)

// MigrationTable is where applied versions are recorded.
const MigrationTable = "latchkey_migrations"

func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations.FS, string(db.Dialect))
	if err != nil {
		return nil, err
	}
	opts := []goose.ProviderOption{goose.WithTableName(MigrationTable), goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	switch db.Dialect {
	case Postgres:
		dialect = goose.DialectPostgres
		// Several instances may start at once; only one migrates.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case MySQL:
		dialect = goose.DialectMySQL
	}
	return goose.NewProvider(dialect, db.W, sub, opts...)
}

// Migrate applies every embedded migration not yet applied and returns how
// many ran.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate %s database: %w", db.Dialect, err)
	}
	return len(res), nil
}

// ErrSchemaOutdated and ErrSchemaNewer say the database does not match the
// migrations in this binary.
var (
	ErrSchemaOutdated = errors.New("the database schema is not up to date: run `latchkey migrate sql -e --yes` with the same configuration")
	ErrSchemaNewer    = errors.New("the database schema is newer than this latchkey binary: upgrade latchkey")
)

// CheckSchema reports whether the database is at exactly this binary's
// schema version.
func (db *DB) CheckSchema(ctx context.Context) error {
	p, err := db.provider()
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		// No version table yet: nothing was ever migrated.
		return fmt.Errorf("%w (%v)", ErrSchemaOutdated, err)
	}
	sources := p.ListSources()
	latest := int64(0)
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	switch {
	case current < latest:
		return fmt.Errorf("%w (database at version %d, binary at %d)", ErrSchemaOutdated, current, latest)
	case current > latest:
		return fmt.Errorf("%w (database at version %d, binary at %d)", ErrSchemaNewer, current, latest)
	}
	return nil
}

// MigrationVersions lists the versions embedded for a dialect, for the test
// that keeps the three dialects in step.
func MigrationVersions(d Dialect) ([]string, error) {
	entries, err := fs.ReadDir(migrations.FS, string(d))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, nil
}
