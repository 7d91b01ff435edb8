package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// CountActiveSessions counts sessions that are active and unexpired, for
// the active-sessions gauge.
func (s *Store) CountActiveSessions(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.r(ctx).QueryRowContext(ctx, s.db.Q(`SELECT COUNT(*) FROM sessions WHERE active = ? AND expires_at > ?`), true, now.UTC()).Scan(&n)
	return n, sqldb.MapError(err)
}

func devicesJSON(d []session.Device) any {
	if len(d) == 0 {
		return nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil
	}
	return string(b)
}

// parseDevices reads the devices column; sessions from before it have none.
func parseDevices(v sql.NullString) []session.Device {
	out := []session.Device{}
	if v.Valid {
		_ = json.Unmarshal([]byte(v.String), &out)
	}
	return out
}

// sessionColumns are the columns of a session without its identity.
const sessionColumns = `id, identity_id, active, issued_at, expires_at, authenticated_at, devices, authentication_methods`

func scanSession(sc interface{ Scan(...any) error }) (*session.Session, error) {
	var (
		ss               session.Session
		devices, methods sql.NullString
	)
	if err := sc.Scan(&ss.ID, &ss.IdentityID, &ss.Active, &ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt, &devices, &methods); err != nil {
		return nil, sqldb.MapError(err)
	}
	normalizeTimes(&ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt)
	ss.Devices = parseDevices(devices)
	setMethods(&ss, methods)
	return &ss, nil
}

// ListIdentitySessions implements session.ListStore: an identity's
// sessions, newest first, a page at a time, with the total. active nil
// lists all; otherwise only the usable (or unusable) ones at now. except
// leaves one session out (the caller's own).
func (s *Store) ListIdentitySessions(ctx context.Context, identityID uuid.UUID, active *bool, except uuid.UUID, now time.Time, offset, limit int) ([]*session.Session, int, error) {
	where := ` WHERE identity_id = ? AND id <> ?`
	args := []any{identityID.String(), except.String()}
	if active != nil {
		if *active {
			where += ` AND active = ? AND expires_at > ?`
		} else {
			where += ` AND NOT (active = ? AND expires_at > ?)`
		}
		args = append(args, true, now.UTC())
	}
	var total int
	if err := s.r(ctx).QueryRowContext(ctx, s.db.Q(`SELECT COUNT(*) FROM sessions`+where), args...).Scan(&total); err != nil {
		return nil, 0, sqldb.MapError(err)
	}
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT `+sessionColumns+` FROM sessions`+where+` ORDER BY issued_at DESC, id LIMIT ? OFFSET ?`), append(args, limit, offset)...)
	if err != nil {
		return nil, 0, sqldb.MapError(err)
	}
	defer rows.Close()
	out := []*session.Session{}
	for rows.Next() {
		ss, err := scanSession(rows)
		if err != nil {
			return nil, 0, sqldb.MapError(err)
		}
		out = append(out, ss)
	}
	return out, total, sqldb.MapError(rows.Err())
}

// SessionByID implements session.ListStore, without the identity.
func (s *Store) SessionByID(ctx context.Context, id uuid.UUID) (*session.Session, error) {
	return scanSession(s.r(ctx).QueryRowContext(ctx, s.db.Q(`SELECT `+sessionColumns+` FROM sessions WHERE id = ?`), id.String()))
}

// RevokeSession implements session.ListStore: deactivates one session,
// of identityID when that is not uuid.Nil; store.ErrNotFound when none
// matched.
func (s *Store) RevokeSession(ctx context.Context, identityID, id uuid.UUID, now time.Time) error {
	store.NoteChange(ctx)
	q, args := `UPDATE sessions SET active = ?, updated_at = ? WHERE id = ?`, []any{false, now.UTC(), id.String()}
	if identityID != uuid.Nil {
		q, args = q+` AND identity_id = ?`, append(args, identityID.String())
	}
	return s.changing(ctx, func(w store.Querier) error {
		return sqldb.Affected(w.ExecContext(ctx, s.db.Q(q), args...))
	}, func(tx *sql.Tx) error { return s.bumpSessions(ctx, tx, `s.id = ?`, id.String()) })
}

// RevokeOtherSessions implements session.ListStore: deactivates every
// active session of an identity but keep, and says how many.
func (s *Store) RevokeOtherSessions(ctx context.Context, identityID, keep uuid.UUID, now time.Time) (int, error) {
	store.NoteChange(ctx)
	var n int64
	err := s.changing(ctx, func(q store.Querier) error {
		res, err := q.ExecContext(ctx, s.db.Q(`UPDATE sessions SET active = ?, updated_at = ? WHERE identity_id = ? AND id <> ? AND active = ?`),
			false, now.UTC(), identityID.String(), keep.String(), true)
		if err != nil {
			return sqldb.MapError(err)
		}
		n, err = res.RowsAffected()
		return sqldb.MapError(err)
	}, func(tx *sql.Tx) error { return s.bumpIdentity(ctx, tx, identityID) })
	return int(n), err
}

// DeleteIdentitySessions implements session.ListStore: removes the rows;
// how many there were.
func (s *Store) DeleteIdentitySessions(ctx context.Context, identityID uuid.UUID) (int, error) {
	store.NoteChange(ctx)
	var n int64
	err := s.changing(ctx, func(q store.Querier) error {
		res, err := q.ExecContext(ctx, s.db.Q(`DELETE FROM sessions WHERE identity_id = ?`), identityID.String())
		if err != nil {
			return sqldb.MapError(err)
		}
		n, err = res.RowsAffected()
		return sqldb.MapError(err)
	}, func(tx *sql.Tx) error { return s.bumpIdentity(ctx, tx, identityID) })
	return int(n), err
}

// ExtendSession implements session.ListStore.
func (s *Store) ExtendSession(ctx context.Context, id uuid.UUID, expiresAt, now time.Time) error {
	store.NoteChange(ctx)
	return s.changing(ctx, func(q store.Querier) error {
		return sqldb.Affected(q.ExecContext(ctx, s.db.Q(`UPDATE sessions SET expires_at = ?, updated_at = ? WHERE id = ?`), expiresAt.UTC(), now.UTC(), id.String()))
	}, func(tx *sql.Tx) error { return s.bumpSessions(ctx, tx, `s.id = ?`, id.String()) })
}
