package sqldb

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Target is a parsed DSN: which driver to use, the driver's own connection
// string, pool settings and parameters Latchkey read but does not use.
type Target struct {
	Dialect      Dialect
	Driver       string
	DriverDSN    string
	MaxOpenConns int
	MaxIdleConns int
	ConnLifetime time.Duration
	InMemory     bool
	Path         string   // a file SQLite database's path
	Ignored      []string // DSN parameters that have no effect here; logged as warnings
}

// poolParams are the reference's pool settings, accepted in every DSN.
var poolParams = map[string]bool{"max_conns": true, "max_idle_conns": true, "max_conn_lifetime": true, "max_conn_idle_time": true}

// ParseDSN accepts the DSN forms the reference accepts: "memory",
// "sqlite://PATH?...", "postgres://...", "postgresql://...", "mysql://...".
func ParseDSN(dsn string) (Target, error) {
	switch {
	case dsn == "memory" || strings.HasPrefix(dsn, "memory?"):
		return sqliteTarget("", true)
	case strings.HasPrefix(dsn, "sqlite://"):
		return sqliteTarget(strings.TrimPrefix(dsn, "sqlite://"), false)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgresTarget(dsn)
	case strings.HasPrefix(dsn, "mysql://"):
		return mysqlTarget(strings.TrimPrefix(dsn, "mysql://"))
	case dsn == "":
		return Target{}, fmt.Errorf("dsn is empty: set dsn in the config file or the DSN environment variable")
	default:
		scheme, _, _ := strings.Cut(dsn, ":")
		return Target{}, fmt.Errorf("dsn scheme %q is not supported: use memory, sqlite://, postgres://, postgresql:// or mysql://", scheme)
	}
}

func takePool(t *Target, q url.Values) error {
	for k := range poolParams {
		v := q.Get(k)
		q.Del(k)
		if v == "" {
			continue
		}
		switch k {
		case "max_conns", "max_idle_conns":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("dsn parameter %s=%q is not a non-negative integer", k, v)
			}
			if k == "max_conns" {
				t.MaxOpenConns = n
			} else {
				t.MaxIdleConns = n
			}
		case "max_conn_lifetime":
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("dsn parameter %s=%q is not a duration: %v", k, v, err)
			}
			t.ConnLifetime = d
		default:
			t.Ignored = append(t.Ignored, k)
		}
	}
	return nil
}

// sqliteParams maps the mattn/go-sqlite3 parameters the reference documents
// onto modernc.org/sqlite pragmas. Foreign keys, WAL and a busy timeout are
// always on, so those parameters are accepted and have nothing left to do.
var sqliteAlwaysOn = map[string]bool{"_fk": true, "_foreign_keys": true, "_journal_mode": true, "_journal": true, "_busy_timeout": true, "_timeout": true, "_txlock": true, "cache": true}

func sqliteTarget(rest string, memory bool) (Target, error) {
	t := Target{Dialect: SQLite, Driver: "sqlite", InMemory: memory}
	path, rawQuery, _ := strings.Cut(rest, "?")
	if memory {
		rawQuery = strings.TrimPrefix(rest, "memory?")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Target{}, fmt.Errorf("dsn query is malformed: %v", err)
	}
	if err := takePool(&t, q); err != nil {
		return Target{}, err
	}
	out := url.Values{}
	for k, vs := range q {
		switch {
		case sqliteAlwaysOn[k]:
		case k == "mode" && !memory:
			out.Set("mode", vs[0])
		case k == "_synchronous" || k == "_sync":
			out.Add("_pragma", "synchronous("+vs[0]+")")
		default:
			t.Ignored = append(t.Ignored, k)
		}
	}
	out.Add("_pragma", "foreign_keys(1)")
	out.Add("_pragma", "busy_timeout(10000)")
	out.Set("_txlock", "immediate")
	out.Set("_time_format", "sqlite")
	if memory {
		// A named shared-cache database lives as long as one connection is
		// open; a single connection keeps it alive and serialises access.
		var b [8]byte
		_, _ = rand.Read(b[:])
		out.Set("mode", "memory")
		out.Set("cache", "shared")
		t.DriverDSN = "file:latchkey-" + hex.EncodeToString(b[:]) + "?" + out.Encode()
		t.MaxOpenConns, t.MaxIdleConns = 1, 1
		return t, nil
	}
	if path == "" {
		return Target{}, fmt.Errorf("sqlite dsn has no file path: write sqlite:///absolute/path.db or sqlite://relative.db")
	}
	out.Add("_pragma", "journal_mode(WAL)")
	// Requests never checkpoint the WAL (an fsync inside whichever write
	// crossed 1000 pages): the DB's checkpointer does, in the background.
	out.Add("_pragma", "wal_autocheckpoint(0)")
	out.Add("_pragma", "journal_size_limit("+strconv.Itoa(walLimit)+")")
	if q.Get("_synchronous") == "" && q.Get("_sync") == "" {
		out.Add("_pragma", "synchronous(NORMAL)")
	}
	t.DriverDSN = "file:" + path + "?" + out.Encode()
	t.Path = path
	if t.MaxOpenConns == 0 {
		// SQLite runs in this process: connections beyond the CPUs only
		// contend for its locks (measured with bench/whoami).
		t.MaxOpenConns = max(2, runtime.NumCPU())
	}
	if t.MaxIdleConns == 0 {
		t.MaxIdleConns = t.MaxOpenConns
	}
	return t, nil
}

func postgresTarget(dsn string) (Target, error) {
	t := Target{Dialect: Postgres, Driver: "pgx"}
	u, err := url.Parse(dsn)
	if err != nil {
		return Target{}, fmt.Errorf("postgres dsn is malformed: %v", redact(err))
	}
	q := u.Query()
	if err := takePool(&t, q); err != nil {
		return Target{}, err
	}
	u.RawQuery = q.Encode()
	t.DriverDSN = u.String()
	if t.MaxOpenConns == 0 {
		t.MaxOpenConns = 32
	}
	if t.MaxIdleConns == 0 {
		t.MaxIdleConns = t.MaxOpenConns
	}
	return t, nil
}

// safeInterpolation are the connection character sets in which a quote or
// backslash byte is never part of a multi-byte character.
var safeInterpolation = map[string]bool{"utf8mb4": true, "utf8mb3": true, "utf8": true, "latin1": true, "ascii": true}

func mysqlTarget(rest string) (Target, error) {
	t := Target{Dialect: MySQL, Driver: "mysql"}
	base, rawQuery, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Target{}, fmt.Errorf("mysql dsn query is malformed: %v", err)
	}
	if err := takePool(&t, q); err != nil {
		return Target{}, err
	}
	// Times are stored and read in UTC; parseTime gives time.Time values.
	q.Set("parseTime", "true")
	// RowsAffected counts matched rows, as on the other databases.
	q.Set("clientFoundRows", "true")
	q.Set("loc", "UTC")
	q.Set("time_zone", "'+00:00'")
	if q.Get("charset") == "" {
		q.Set("charset", "utf8mb4")
	}
	if q.Get("collation") == "" {
		q.Set("collation", "utf8mb4_bin")
	}
	// Without interpolation the driver prepares, executes and closes every
	// statement that has arguments: two round trips where one will do.
	// Escaping in the client is safe in the UTF-8 character sets (the
	// driver also honours NO_BACKSLASH_ESCAPES); in multi-byte sets such as
	// GBK or SJIS it is not, so a DSN naming another character set, or
	// saying interpolateParams itself, is left as it is.
	if q.Get("interpolateParams") == "" && safeInterpolation[strings.ToLower(q.Get("charset"))] {
		q.Set("interpolateParams", "true")
	}
	t.DriverDSN = base + "?" + q.Encode()
	if t.MaxOpenConns == 0 {
		t.MaxOpenConns = 32
	}
	if t.MaxIdleConns == 0 {
		t.MaxIdleConns = t.MaxOpenConns
	}
	return t, nil
}

// redact keeps passwords from url.Parse errors, which quote the whole URL.
func redact(err error) error {
	var ue *url.Error
	if e, ok := err.(*url.Error); ok {
		ue = e
		return fmt.Errorf("%s: %v", ue.Op, ue.Err)
	}
	return err
}
