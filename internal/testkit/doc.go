// Package testkit builds Latchkey for tests exactly as main does: a fresh
// database per test (SQLite always; PostgreSQL and MariaDB when their DSN
// variables are set; see testdb), real listeners on loopback, and the real
// router. Everything a test server logs is checked, when it stops, for the
// secrets its clients (package sdk) sent or received.
package testkit
