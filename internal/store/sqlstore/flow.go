package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

const flowColumns = `id, kind, type, state, identity_id, csrf_token, request_url, return_to, forced, active_method, ui, internal, issued_at, expires_at, created_at, updated_at`

func nullableID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// encodeFlow is the flow's form and internal state as stored.
func encodeFlow(f *flow.Flow) (ui, internal string, err error) {
	b, err := json.Marshal(f.UI)
	if err != nil {
		return "", "", fmt.Errorf("encode flow form: %w", err)
	}
	if len(f.Internal) == 0 {
		return string(b), "{}", nil
	}
	return string(b), string(f.Internal), nil
}

// CreateFlow implements flow.Store.
func (s *Store) CreateFlow(ctx context.Context, f *flow.Flow) error {
	ui, internal, err := encodeFlow(f)
	if err != nil {
		return err
	}
	q := `INSERT INTO selfservice_flows (` + flowColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	args := []any{f.ID.String(), string(f.Kind), string(f.Type), f.State, nullableID(f.IdentityID), f.CSRFToken, f.RequestURL, f.ReturnTo,
		f.Forced, f.Active, ui, internal, f.IssuedAt, f.ExpiresAt, f.CreatedAt, f.UpdatedAt}
	if s.state(ctx) != nil {
		var b sqldb.Batch
		b.Add(q, args...)
		return s.write(ctx, &b)
	}
	// A flow lost in a crash of the database server is one the client
	// begins again: its commit need not wait for the disk.
	_, err = s.db.ExecRelaxed(ctx, q, args...)
	return sqldb.MapError(err)
}

// Flow implements flow.Store.
func (s *Store) Flow(ctx context.Context, kind flow.Kind, id uuid.UUID) (*flow.Flow, error) {
	var (
		f                        flow.Flow
		k, typ, uiJSON, internal string
		identityID               uuid.NullUUID
	)
	st, err := s.db.Stmt(ctx, `SELECT `+flowColumns+` FROM selfservice_flows WHERE id = ? AND kind = ?`)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	err = st.QueryRowContext(ctx, id.String(), string(kind)).Scan(
		&f.ID, &k, &typ, &f.State, &identityID, &f.CSRFToken, &f.RequestURL, &f.ReturnTo, &f.Forced, &f.Active, &uiJSON, &internal,
		&f.IssuedAt, &f.ExpiresAt, &f.CreatedAt, &f.UpdatedAt)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	f.Kind, f.Type, f.IdentityID = flow.Kind(k), flow.Type(typ), identityID.UUID
	if err := json.Unmarshal([]byte(uiJSON), &f.UI); err != nil {
		return nil, fmt.Errorf("decode flow form: %w", err)
	}
	f.Internal = []byte(internal)
	normalizeTimes(&f.IssuedAt, &f.ExpiresAt, &f.CreatedAt, &f.UpdatedAt)
	return &f, nil
}

// The columns UpdateFlow writes besides the indexed identity_id and
// expires_at, in the order of its arguments.
const (
	flowUnindexedSet    = `kind = ?, type = ?, state = ?, csrf_token = ?, request_url = ?, return_to = ?, forced = ?, active_method = ?, ui = ?, internal = ?, issued_at = ?, updated_at = ?`
	updateFlowUnindexed = `UPDATE selfservice_flows SET ` + flowUnindexedSet + ` WHERE id = ?`
	updateFlowAll       = `UPDATE selfservice_flows SET identity_id = ?, expires_at = ?, ` + flowUnindexedSet + ` WHERE id = ?`
)

// UpdateFlow implements flow.Store. It writes every column but id and
// created_at, and stamps updated_at with the store's clock (on f too), so
// updated_at moves on every update whoever the caller is.
func (s *Store) UpdateFlow(ctx context.Context, f *flow.Flow) error {
	ui, internal, err := encodeFlow(f)
	if err != nil {
		return err
	}
	f.UpdatedAt = s.clock.Now()
	// In a transaction the update waits for its commit, so that it goes
	// with the session it completes in one round trip; a flow deleted
	// meanwhile fails the commit with ErrNotFound.
	args := []any{string(f.Kind), string(f.Type), f.State, f.CSRFToken, f.RequestURL, f.ReturnTo, f.Forced, f.Active, ui, internal, f.IssuedAt, f.UpdatedAt}
	var b sqldb.Batch
	if s.db.Dialect == sqldb.SQLite {
		// SQLite rewrites an index entry whenever its column is SET, even
		// to the same value: the indexed identity_id and expires_at, which
		// seldom change, are set only where they differ, which saves the
		// index pages of most updates (PostgreSQL and InnoDB compare the
		// values themselves).
		b.AddMustTouch(updateFlowUnindexed, append(args, f.ID.String())...)
		b.Add(`UPDATE selfservice_flows SET identity_id = ?1, expires_at = ?2 WHERE id = ?3 AND (identity_id IS NOT ?1 OR expires_at IS NOT ?2)`,
			nullableID(f.IdentityID), f.ExpiresAt, f.ID.String())
	} else {
		b.AddMustTouch(updateFlowAll, append(append([]any{nullableID(f.IdentityID), f.ExpiresAt}, args...), f.ID.String())...)
	}
	return s.write(ctx, &b)
}
