// Package sqldb opens the SQL database a Latchkey deployment shares: it
// parses the reference's DSN forms, registers the three drivers, runs the
// embedded migrations, and hides the few differences between SQLite,
// PostgreSQL and MySQL/MariaDB behind a small Dialect value. MapError is
// the one place a driver's error becomes one of internal/store's errors.
// Only the storage implementation and the wiring import it, so a domain
// package never links a database driver.
package sqldb
