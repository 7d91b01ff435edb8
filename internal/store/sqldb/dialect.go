package sqldb

import (
	"strconv"
	"strings"
	"sync"
)

// Dialect names one of the supported SQL dialects. Queries are written once
// with '?' placeholders; Rebind adapts them for PostgreSQL.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
)

var rebound sync.Map // query text -> PostgreSQL form, so hot paths rebind once

// Rebind turns '?' placeholders into the dialect's own.
func (d Dialect) Rebind(query string) string {
	if d != Postgres {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

// SkipLocked is the row-locking suffix that lets several workers claim
// different rows at once. SQLite has one writer at a time and needs none.
func (d Dialect) SkipLocked() string {
	if d == SQLite {
		return ""
	}
	return " FOR UPDATE SKIP LOCKED"
}
