// Package privatedb starts database servers of a test's own (PostgreSQL
// with initdb and pg_ctl, MariaDB with mariadb-install-db and mariadbd) on
// their own ports, sockets and data directories under t.TempDir(), so a
// fault test can stop and start them without touching the shared servers
// the other tests use. A test skips, saying why, when the binaries are not
// installed.
package privatedb
