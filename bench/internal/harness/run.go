package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// Databases turns a -db flag into the databases to run on, in order.
func Databases(db string) ([]string, error) {
	switch db {
	case "sqlite", "postgres":
		return []string{db}, nil
	case "both":
		return []string{"sqlite", "postgres"}, nil
	default:
		return nil, fmt.Errorf("-db must be sqlite, postgres or both, not %q", db)
	}
}

// NeedPostgresDSN refuses a run on PostgreSQL without a server to create
// its database on, before anything is built or started.
func NeedPostgresDSN(dbs []string, dsn string) error {
	if slices.Contains(dbs, "postgres") && dsn == "" {
		return errors.New("PostgreSQL needs -postgres-dsn or LATCHKEY_BENCH_POSTGRES_DSN")
	}
	return nil
}

// WriteJSON writes a results document, indented, to path.
func WriteJSON(path string, doc any) error {
	b, _ := json.MarshalIndent(doc, "", "  ")
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// Percentile is the q-quantile (0..1) of d by nearest rank, 0 for none.
// It sorts d in place.
func Percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(int(q*float64(len(d))), len(d)-1)]
}

// Ms is d in milliseconds, the unit the benchmarks report latency in.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
