package fill

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/latchkey/latchkey/internal/store/migrations"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// A million identities take minutes to write on a busy 2-core machine, so
// a benchmark can keep a filled database and start the next run from a
// copy: a SQLite file in a directory, or on PostgreSQL a database the
// run's database is created from (CREATE DATABASE ... TEMPLATE). MariaDB
// has no cheap copy and is filled every time. A copy is only reused for
// the same schema (every migration file), the same statements the store
// wrote for the template, the same count and the same password hash; any
// change fills afresh.

// Cache says where filled databases are kept.
type Cache struct {
	Dir       string // SQLite files
	ServerDSN string // PostgreSQL: the server the run's database is on (LATCHKEY_TEST_POSTGRES_DSN)
}

// NewCache is the cache in dir for a run on a kind of database ("sqlite",
// "postgres", "mysql"), nil for none (dir "" or MariaDB).
func NewCache(dir, kind string) *Cache {
	switch {
	case dir == "":
		return nil
	case kind == "sqlite":
		return &Cache{Dir: dir}
	case kind == "postgres":
		return &Cache{ServerDSN: os.Getenv("LATCHKEY_TEST_POSTGRES_DSN")}
	}
	return nil
}

// Count is n for a name: 1000 is "1k", 1000000 "1M".
func Count(n int) string {
	switch {
	case n >= 1000000 && n%1000000 == 0:
		return fmt.Sprintf("%dM", n/1000000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// key names a fill: what the rows are made of.
func key(t *tmpl, o Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n%s\n%s\n", t.dialect, o.N, o.PasswordHash, o.Email)
	for _, ins := range t.inserts {
		fmt.Fprintf(h, "%s %s %d\n", ins.head, ins.tuple, len(ins.args))
	}
	err := fs.WalkDir(migrations.FS, string(t.dialect), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:16], err
}

// restore replaces the run's (migrated, empty but for the template)
// database with a kept fill, if there is one.
func (c *Cache) restore(ctx context.Context, target sqldb.Target, dsn, k string) (bool, error) {
	switch target.Dialect {
	case sqldb.SQLite:
		src := filepath.Join(c.Dir, "fill-"+k+".db")
		if _, err := os.Stat(src); err != nil {
			return false, nil
		}
		dst, err := sqlitePath(dsn)
		if err != nil {
			return false, err
		}
		for _, ext := range []string{"-wal", "-shm"} {
			_ = os.Remove(dst + ext)
		}
		if err := copyFile(src, dst); err != nil {
			return false, err
		}
		// What the checkpoint left in the WAL goes with the file.
		if _, err := os.Stat(src + "-wal"); err == nil {
			return true, copyFile(src+"-wal", dst+"-wal")
		}
		return true, nil
	case sqldb.Postgres:
		if c.ServerDSN == "" {
			return false, nil
		}
		return c.withAdmin(ctx, func(admin *sql.DB) (bool, error) {
			var one int
			err := admin.QueryRowContext(ctx, "SELECT 1 FROM pg_database WHERE datname = $1", "lk_fillcache_"+k).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			name, err := pgName(dsn)
			if err != nil {
				return false, err
			}
			if _, err := admin.ExecContext(ctx, "DROP DATABASE "+name); err != nil {
				return false, err
			}
			_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE lk_fillcache_"+k)
			return err == nil, err
		})
	}
	return false, nil
}

// save keeps a copy of the run's freshly filled database.
func (c *Cache) save(ctx context.Context, target sqldb.Target, dsn, k string) error {
	switch target.Dialect {
	case sqldb.SQLite:
		if c.Dir == "" {
			return nil
		}
		src, err := sqlitePath(dsn)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(c.Dir, 0o700); err != nil {
			return err
		}
		dst := filepath.Join(c.Dir, "fill-"+k+".db")
		// The WAL first: a main file without it is never taken for whole.
		_ = os.Remove(dst + "-wal")
		if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
			if err := copyFile(src+"-wal", dst+"-wal"); err != nil {
				return err
			}
		}
		if err := copyFile(src, dst+".tmp"); err != nil {
			return err
		}
		return os.Rename(dst+".tmp", dst)
	case sqldb.Postgres:
		if c.ServerDSN == "" {
			return nil
		}
		_, err := c.withAdmin(ctx, func(admin *sql.DB) (bool, error) {
			name, err := pgName(dsn)
			if err != nil {
				return false, err
			}
			_, err = admin.ExecContext(ctx, "CREATE DATABASE lk_fillcache_"+k+" TEMPLATE "+name)
			return true, err
		})
		return err
	}
	return nil
}

func (c *Cache) withAdmin(ctx context.Context, fn func(*sql.DB) (bool, error)) (bool, error) {
	admin, err := sql.Open("pgx", c.ServerDSN)
	if err != nil {
		return false, err
	}
	defer admin.Close()
	return fn(admin)
}

func sqlitePath(dsn string) (string, error) {
	rest, ok := strings.CutPrefix(dsn, "sqlite://")
	if !ok {
		return "", fmt.Errorf("fill: not a SQLite file DSN: %s", dsn)
	}
	path, _, _ := strings.Cut(rest, "?")
	return path, nil
}

func pgName(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	name := strings.TrimPrefix(u.Path, "/")
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", fmt.Errorf("fill: unexpected database name %q", name)
		}
	}
	return name, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
