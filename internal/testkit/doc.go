// Package testkit builds Latchkey for tests exactly as main does: a fresh
// database per test (SQLite always; PostgreSQL and MariaDB when their DSN
// variables are set), real listeners on loopback, and the real router.
package testkit
