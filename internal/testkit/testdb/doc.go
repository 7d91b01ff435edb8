// Package testdb gives each test an empty database of its own: SQLite
// always, PostgreSQL and MariaDB when their DSN variables are set. It
// imports no Latchkey package, so the storage suite can use it without
// linking the whole app.
package testdb
