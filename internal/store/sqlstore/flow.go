package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

const flowColumns = `id, kind, type, state, identity_id, csrf_token, request_url, return_to, forced, active_method, ui, internal, issued_at, expires_at, created_at, updated_at`

func nullableID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

func flowArgs(f *flow.Flow) ([]any, error) {
	uiJSON, err := json.Marshal(f.UI)
	if err != nil {
		return nil, fmt.Errorf("encode flow form: %w", err)
	}
	internal := f.Internal
	if len(internal) == 0 {
		internal = []byte("{}")
	}
	return []any{f.ID.String(), string(f.Kind), string(f.Type), f.State, nullableID(f.IdentityID), f.CSRFToken, f.RequestURL, f.ReturnTo,
		f.Forced, f.Active, string(uiJSON), string(internal), f.IssuedAt, f.ExpiresAt, f.CreatedAt, f.UpdatedAt}, nil
}

// CreateFlow implements flow.Store.
func (s *Store) CreateFlow(ctx context.Context, f *flow.Flow) error {
	return s.createFlow(ctx, s.db.SQL, f)
}

func (s *Store) createFlow(ctx context.Context, q store.Querier, f *flow.Flow) error {
	args, err := flowArgs(f)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, s.db.Q(`INSERT INTO selfservice_flows (`+flowColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), args...)
	return sqldb.MapError(err)
}

// Flow implements flow.Store.
func (s *Store) Flow(ctx context.Context, kind flow.Kind, id uuid.UUID) (*flow.Flow, error) {
	var (
		f                               flow.Flow
		rawID, k, typ, uiJSON, internal string
		identityID                      sql.NullString
	)
	st, err := s.db.Stmt(ctx, `SELECT `+flowColumns+` FROM selfservice_flows WHERE id = ? AND kind = ?`)
	if err != nil {
		return nil, err
	}
	err = st.QueryRowContext(ctx, id.String(), string(kind)).Scan(
		&rawID, &k, &typ, &f.State, &identityID, &f.CSRFToken, &f.RequestURL, &f.ReturnTo, &f.Forced, &f.Active, &uiJSON, &internal,
		&f.IssuedAt, &f.ExpiresAt, &f.CreatedAt, &f.UpdatedAt)
	if err != nil {
		return nil, sqldb.NoRows(err)
	}
	f.ID, f.Kind, f.Type = id, flow.Kind(k), flow.Type(typ)
	if identityID.Valid {
		f.IdentityID, _ = uuid.Parse(identityID.String)
	}
	if err := json.Unmarshal([]byte(uiJSON), &f.UI); err != nil {
		return nil, fmt.Errorf("decode flow form: %w", err)
	}
	f.Internal = []byte(internal)
	normalizeTimes(&f.IssuedAt, &f.ExpiresAt, &f.CreatedAt, &f.UpdatedAt)
	return &f, nil
}

// UpdateFlow implements flow.Store.
func (s *Store) UpdateFlow(ctx context.Context, f *flow.Flow) error {
	return s.updateFlow(ctx, s.db.SQL, f)
}

func (s *Store) updateFlow(ctx context.Context, q store.Querier, f *flow.Flow) error {
	args, err := flowArgs(f)
	if err != nil {
		return err
	}
	// Reorder: every column but id and created_at, then the id.
	set := append(args[1:14:14], args[15], args[0])
	res, err := q.ExecContext(ctx, s.db.Q(`UPDATE selfservice_flows SET kind = ?, type = ?, state = ?, identity_id = ?, csrf_token = ?, request_url = ?, return_to = ?, forced = ?, active_method = ?, ui = ?, internal = ?, issued_at = ?, expires_at = ?, updated_at = ? WHERE id = ?`), set...)
	if err != nil {
		return sqldb.MapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
