package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/selfserviceerror"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// InsertError implements selfserviceerror.Store.
func (s *Store) InsertError(ctx context.Context, c *selfserviceerror.Container) error {
	body, err := json.Marshal(c.Errors)
	if err != nil {
		return err
	}
	_, err = s.w(ctx).ExecContext(ctx, s.db.Q(`INSERT INTO selfservice_errors (id, errors, csrf_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
		c.ID, string(body), "", c.CreatedAt, c.UpdatedAt)
	return sqldb.MapError(err)
}

// Error implements selfserviceerror.Store.
func (s *Store) Error(ctx context.Context, id uuid.UUID) (*selfserviceerror.Container, error) {
	c := &selfserviceerror.Container{ID: id.String()}
	var body string
	err := s.r(ctx).QueryRowContext(ctx, s.db.Q(`SELECT errors, created_at, updated_at FROM selfservice_errors WHERE id = ?`), id.String()).
		Scan(&body, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	normalizeTimes(&c.CreatedAt, &c.UpdatedAt)
	return c, json.Unmarshal([]byte(body), &c.Errors)
}
