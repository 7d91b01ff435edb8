package testkit

import (
	"testing"

	"github.com/latchkey/latchkey/internal/testkit/testdb"
)

// Environment variables naming the database servers; see testdb.
const (
	EnvPostgres = testdb.EnvPostgres
	EnvMySQL    = testdb.EnvMySQL
)

// Dialects lists the databases a storage test runs on.
func Dialects() []string { return testdb.Dialects() }

// EachDatabase runs fn as a subtest per dialect, each with a fresh database.
func EachDatabase(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	testdb.Each(t, fn)
}

// NewDatabase creates an empty database of a dialect for this test.
func NewDatabase(t testing.TB, dialect string) string {
	t.Helper()
	return testdb.New(t, dialect)
}
