package sqlstore

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
)

// CreateSession implements session.Store.
func (s *Store) CreateSession(ctx context.Context, ss *session.Session, tokenHash string) error {
	_, err := s.db.SQL.ExecContext(ctx, s.db.Q(`INSERT INTO sessions (id, token_hash, identity_id, active, issued_at, expires_at, authenticated_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		ss.ID.String(), tokenHash, ss.IdentityID.String(), ss.Active, ss.IssuedAt, ss.ExpiresAt, ss.AuthenticatedAt, ss.IssuedAt, ss.IssuedAt)
	return store.MapError(err)
}

// whoamiQuery reads a session, its identity and the identity's addresses in
// one indexed round trip. The address joins multiply rows (verifiable x
// recovery), which is one row for the usual single email.
const whoamiQuery = `SELECT s.id, s.active, s.issued_at, s.expires_at, s.authenticated_at,
 i.id, i.schema_id, i.traits, i.created_at, i.updated_at,
 v.id, v.via, v.value, v.verified, v.status, v.verified_at, v.created_at, v.updated_at,
 r.id, r.via, r.value, r.created_at, r.updated_at
FROM sessions s
JOIN identities i ON i.id = s.identity_id
LEFT JOIN identity_verifiable_addresses v ON v.identity_id = i.id
LEFT JOIN identity_recovery_addresses r ON r.identity_id = i.id
WHERE s.token_hash IN (`

// SessionByTokenHash implements session.Store.
func (s *Store) SessionByTokenHash(ctx context.Context, hashes []string) (*session.Session, error) {
	args := make([]any, len(hashes))
	for k, h := range hashes {
		args[k] = h
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Q(whoamiQuery+placeholders(len(hashes))+`) ORDER BY v.created_at, v.value, r.created_at, r.value`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out *session.Session
	seenV, seenR := map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var (
			sid, iid, traits                                    string
			ss                                                  session.Session
			i                                                   identity.Identity
			vID, vVia, vValue, vStatus, rID, rVia, rValue       sql.NullString
			vVerified                                           sql.NullBool
			vVerifiedAt, vCreated, vUpdated, rCreated, rUpdated sql.NullTime
		)
		if err := rows.Scan(&sid, &ss.Active, &ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt,
			&iid, &i.SchemaID, &traits, &i.CreatedAt, &i.UpdatedAt,
			&vID, &vVia, &vValue, &vVerified, &vStatus, &vVerifiedAt, &vCreated, &vUpdated,
			&rID, &rVia, &rValue, &rCreated, &rUpdated); err != nil {
			return nil, err
		}
		if out == nil {
			ss.ID, _ = uuid.Parse(sid)
			i.ID, _ = uuid.Parse(iid)
			i.Traits = []byte(traits)
			normalizeTimes(&ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt, &i.CreatedAt, &i.UpdatedAt)
			i.VerifiableAddresses, i.RecoveryAddresses = []identity.VerifiableAddress{}, []identity.RecoveryAddress{}
			ss.Identity, ss.IdentityID = &i, i.ID
			out = &ss
		}
		if vID.Valid && !seenV[vID.String] {
			seenV[vID.String] = true
			a := identity.VerifiableAddress{Via: vVia.String, Value: vValue.String, Verified: vVerified.Bool, Status: vStatus.String,
				CreatedAt: vCreated.Time.UTC(), UpdatedAt: vUpdated.Time.UTC()}
			a.ID, _ = uuid.Parse(vID.String)
			if vVerifiedAt.Valid {
				t := vVerifiedAt.Time.UTC()
				a.VerifiedAt = &t
			}
			out.Identity.VerifiableAddresses = append(out.Identity.VerifiableAddresses, a)
		}
		if rID.Valid && !seenR[rID.String] {
			seenR[rID.String] = true
			a := identity.RecoveryAddress{Via: rVia.String, Value: rValue.String, CreatedAt: rCreated.Time.UTC(), UpdatedAt: rUpdated.Time.UTC()}
			a.ID, _ = uuid.Parse(rID.String)
			out.Identity.RecoveryAddresses = append(out.Identity.RecoveryAddresses, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, store.ErrNotFound
	}
	return out, nil
}

// RevokeSessionByTokenHash implements session.Store.
func (s *Store) RevokeSessionByTokenHash(ctx context.Context, hashes []string) error {
	args := []any{false, identity.Now()}
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
		false, identity.Now(), identityID.String(), keep.String(), true)
	return err
}
