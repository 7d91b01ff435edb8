package harness

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Databases turns a -db flag into the databases to run on, in order:
// a comma-separated list of sqlite, postgres and mysql, or "all", which is
// SQLite plus every server whose variable (EnvPostgres, EnvMySQL) is set.
// A database named explicitly without its server's variable is an error,
// before anything is built or started.
func Databases(db string) ([]string, error) {
	if db == "all" {
		out := []string{"sqlite"}
		for _, k := range []string{"postgres", "mysql"} {
			if ServerDSN(k) != "" {
				out = append(out, k)
			}
		}
		return out, nil
	}
	var out []string
	for _, k := range strings.Split(db, ",") {
		switch k = strings.TrimSpace(k); k {
		case "sqlite":
		case "postgres", "mysql":
			if ServerDSN(k) == "" {
				env := EnvPostgres
				if k == "mysql" {
					env = EnvMySQL
				}
				return nil, fmt.Errorf("-db %s needs %s: the server the run's database is created on", k, env)
			}
		default:
			return nil, fmt.Errorf("-db: unknown database %q (sqlite, postgres, mysql or all)", k)
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
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

// Change is b's change from a as a signed percentage, or "-" without an a.
func Change(a, b float64) string {
	if a == 0 {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", (b-a)/a*100)
}
