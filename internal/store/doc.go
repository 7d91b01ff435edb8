// Package store is the leaf every domain package may import: the errors a
// storage implementation answers with (ErrNotFound, ErrConflict) and the
// Querier both *sql.DB and *sql.Tx satisfy. It links no driver. Domain
// packages declare the storage interfaces they need;
// internal/store/sqlstore satisfies them on top of internal/store/sqldb.
package store
