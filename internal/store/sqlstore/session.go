package sqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

const insertSession = `INSERT INTO sessions (id, token_hash, identity_id, active, issued_at, expires_at, authenticated_at, created_at, updated_at, devices) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateSession implements session.Store.
func (s *Store) CreateSession(ctx context.Context, ss *session.Session, tokenHash string) error {
	return s.createSession(ctx, s.db.SQL, ss, tokenHash)
}

func (s *Store) createSession(ctx context.Context, q store.Querier, ss *session.Session, tokenHash string) error {
	_, err := q.ExecContext(ctx, s.db.Q(insertSession),
		ss.ID.String(), tokenHash, ss.IdentityID.String(), ss.Active, ss.IssuedAt, ss.ExpiresAt, ss.AuthenticatedAt, ss.IssuedAt, ss.IssuedAt, devicesJSON(ss.Devices))
	return sqldb.MapError(err)
}

// CreateSessionWithRehash implements session.Store.
func (s *Store) CreateSessionWithRehash(ctx context.Context, ss *session.Session, tokenHash string, r *identity.Rehash) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.createSession(ctx, tx, ss, tokenHash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Q(`UPDATE identity_credentials SET config = ?, updated_at = ? WHERE identity_id = ? AND type = ? AND config = ?`),
			string(r.New), ss.IssuedAt, ss.IdentityID.String(), string(r.Type), string(r.Old))
		return err
	})
}

// whoamiQuery reads a session with its identity and addresses in one
// indexed round trip: whoami is the hot path.
const whoamiQuery = `SELECT s.id, s.active, s.issued_at, s.expires_at, s.authenticated_at, s.devices, ` + identitySelect + `
FROM sessions s JOIN identities i ON i.id = s.identity_id` + identityJoins + `
WHERE s.token_hash IN (`

// SessionByTokenHash implements session.Store.
func (s *Store) SessionByTokenHash(ctx context.Context, hashes []string) (*session.Session, error) {
	args := make([]any, len(hashes))
	for k, h := range hashes {
		args[k] = h
	}
	st, err := s.db.Stmt(ctx, whoamiQuery+placeholders(len(hashes))+`)`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		sid string
		ss  session.Session
	)
	j := newJoinedIdentity()
	var devices sql.NullString
	dest := append([]any{&sid, &ss.Active, &ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt, &devices}, j.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		j.add()
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if j.finish() == nil {
		return nil, store.ErrNotFound
	}
	ss.ID, _ = uuid.Parse(sid)
	normalizeTimes(&ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt)
	ss.Identity, ss.IdentityID = j.out, j.out.ID
	ss.Devices = parseDevices(devices)
	return &ss, nil
}

// RevokeSessionByTokenHash implements session.Store.
func (s *Store) RevokeSessionByTokenHash(ctx context.Context, hashes []string) error {
	args := []any{false, s.clock.Now()}
	for _, h := range hashes {
		args = append(args, h)
	}
	res, err := s.db.SQL.ExecContext(ctx, s.db.Q(`UPDATE sessions SET active = ?, updated_at = ? WHERE token_hash IN (`+placeholders(len(hashes))+`)`), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// RevokeIdentitySessions implements session.Store.
func (s *Store) RevokeIdentitySessions(ctx context.Context, identityID, keep uuid.UUID) error {
	_, err := s.db.SQL.ExecContext(ctx, s.db.Q(`UPDATE sessions SET active = ?, updated_at = ? WHERE identity_id = ? AND id <> ? AND active = ?`),
		false, s.clock.Now(), identityID.String(), keep.String(), true)
	return err
}
