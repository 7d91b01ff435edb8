package sqlstore

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// ListSessions implements session.ListStore: every identity's sessions in
// id order, the limit after id after (uuid.Nil: from the start), for the
// later versions' keyset-paged admin list. active as in
// ListIdentitySessions.
func (s *Store) ListSessions(ctx context.Context, active *bool, now time.Time, after uuid.UUID, limit int) ([]*session.Session, error) {
	where, args := ` WHERE id > ?`, []any{after.String()}
	if active != nil {
		if *active {
			where += ` AND active = ? AND expires_at > ?`
		} else {
			where += ` AND NOT (active = ? AND expires_at > ?)`
		}
		args = append(args, true, now.UTC())
	}
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT `+sessionColumns+` FROM sessions`+where+` ORDER BY id LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	out := []*session.Session{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, sqldb.MapError(err)
		}
		out = append(out, ss)
	}
	return out, sqldb.MapError(rows.Err())
}

// IdentitiesByID implements session.ListStore: the identities of a page
// of sessions, with their addresses, in three queries whatever their
// number. Unknown ids are left out.
func (s *Store) IdentitiesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*identity.Identity, error) {
	out := map[uuid.UUID]*identity.Identity{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for k, id := range ids {
		args[k] = id.String()
	}
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT id, schema_id, traits, created_at, updated_at FROM identities WHERE id IN (`+placeholders(len(ids))+`)`), args...)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	var list []*identity.Identity
	for rows.Next() {
		i := &identity.Identity{}
		var traits string
		if err := rows.Scan(&i.ID, &i.SchemaID, &traits, &i.CreatedAt, &i.UpdatedAt); err != nil {
			return nil, sqldb.MapError(err)
		}
		i.Traits = []byte(traits)
		normalizeTimes(&i.CreatedAt, &i.UpdatedAt)
		list = append(list, i)
		out[i.ID] = i
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.MapError(err)
	}
	rows.Close()
	if err := s.loadAddresses(ctx, s.r(ctx), list); err != nil {
		return nil, sqldb.MapError(err)
	}
	return out, nil
}
