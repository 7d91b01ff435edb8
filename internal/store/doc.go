// Package store opens the SQL database a Latchkey deployment shares and hides
// the few differences between SQLite, PostgreSQL and MySQL/MariaDB behind a
// small Dialect value. Domain packages never import it: they declare the
// storage interfaces they need and internal/store/sqlstore satisfies them.
package store
