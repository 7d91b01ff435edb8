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
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx", to create and drop the run's database
)

// Database returns the DSN of a fresh database of a kind for one run:
// "sqlite" is a file in dir; "postgres" is a new database named
// namePrefix plus random hex on the server postgresDSN names, so runs
// never share state. drop removes what was created (it does nothing for
// SQLite, whose file goes with dir); prog prefixes its error messages.
func Database(ctx context.Context, kind, dir, postgresDSN, namePrefix, prog string) (dsn string, drop func(), err error) {
	switch kind {
	case "sqlite":
		return "sqlite://" + filepath.Join(dir, "latchkey.db") + "?_fk=true", func() {}, nil
	case "postgres":
		return postgresDatabase(ctx, postgresDSN, namePrefix, prog)
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
