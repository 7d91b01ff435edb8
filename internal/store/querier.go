package store

import (
	"context"
	"database/sql"
)

// Querier is what both *sql.DB and *sql.Tx offer; store code takes it so the
// same function runs inside or outside a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
