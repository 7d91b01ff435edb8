package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

const insertSession = `INSERT INTO sessions (id, token_hash, identity_id, active, issued_at, expires_at, authenticated_at, created_at, updated_at, devices, aal, authentication_methods) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateSession implements session.Store.
func (s *Store) CreateSession(ctx context.Context, ss *session.Session, tokenHash string) error {
	// In a transaction it waits for the commit, with the flow it completes.
	var b sqldb.Batch
	b.Add(insertSession, sessionArgs(ss, tokenHash)...)
	return s.write(ctx, &b)
}

func sessionArgs(ss *session.Session, tokenHash string) []any {
	return []any{ss.ID.String(), tokenHash, ss.IdentityID.String(), ss.Active, ss.IssuedAt, ss.ExpiresAt, ss.AuthenticatedAt, ss.IssuedAt, ss.IssuedAt, devicesJSON(ss.Devices), string(ss.AAL), methodsJSON(ss.AMR)}
}

func (s *Store) createSession(ctx context.Context, q store.Querier, ss *session.Session, tokenHash string) error {
	_, err := s.exec(ctx, txOf(q), insertSession, sessionArgs(ss, tokenHash)...)
	return sqldb.MapError(err)
}

// CreateSessionWithRehash implements session.Store.
func (s *Store) CreateSessionWithRehash(ctx context.Context, ss *session.Session, tokenHash string, r *identity.Rehash) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.createSession(ctx, tx, ss, tokenHash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Q(`UPDATE identity_credentials SET config = ?, updated_at = ? WHERE identity_id = ? AND type = ? AND config = ?`),
			string(r.New), ss.IssuedAt, ss.IdentityID.String(), string(r.Type), string(r.Old))
		if err != nil {
			return err // no row is no error: another sign-in rehashed it first
		}
		return s.bumpIdentity(ctx, tx, ss.IdentityID)
	})
}

// whoamiQuery reads a session with its identity and addresses in one
// indexed round trip: whoami is the hot path.
const whoamiQuery = `SELECT s.id, s.active, s.issued_at, s.expires_at, s.authenticated_at, s.devices, s.authentication_methods, ` + identitySelect + `
FROM sessions s JOIN identities i ON i.id = s.identity_id` + identityJoins + `
WHERE s.token_hash IN (`

// SessionByTokenHash implements session.Store.
func (s *Store) SessionByTokenHash(ctx context.Context, hashes []string) (*session.Session, error) {
	args := make([]any, len(hashes))
	for k, h := range hashes {
		args[k] = h
	}
	var (
		ss               session.Session
		devices, methods sql.NullString
		bucket, n        int64
	)
	query, lead := whoamiQuery, []any{&ss.ID, &ss.Active, &ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt, &devices, &methods}
	stamped := s.counted() && store.StampOf(ctx) != nil
	if stamped {
		query, lead = whoamiStampedQuery, append([]any{&bucket, &n}, lead...)
	}
	i, err := s.readIdentity(ctx, query+placeholders(len(hashes))+`)`, args, lead, nil)
	if err != nil {
		return nil, err
	}
	if stamped {
		stamp(ctx, bucket, n)
	}
	normalizeTimes(&ss.IssuedAt, &ss.ExpiresAt, &ss.AuthenticatedAt)
	ss.Identity, ss.IdentityID = i, i.ID
	ss.Devices = parseDevices(devices)
	setMethods(&ss, methods)
	return &ss, nil
}

// RevokeSessionByTokenHash implements session.Store.
func (s *Store) RevokeSessionByTokenHash(ctx context.Context, hashes []string) error {
	store.NoteChange(ctx)
	args := []any{false, s.clock.Now()}
	for _, h := range hashes {
		args = append(args, h)
	}
	in := `token_hash IN (` + placeholders(len(hashes)) + `)`
	return s.changing(ctx, func(q store.Querier) error {
		return sqldb.Affected(q.ExecContext(ctx, s.db.Q(`UPDATE sessions SET active = ?, updated_at = ? WHERE `+in), args...))
	}, func(tx *sql.Tx) error { return s.bumpSessions(ctx, tx, `s.`+in, args[2:]...) })
}

// RevokeIdentitySessions implements session.Store.
func (s *Store) RevokeIdentitySessions(ctx context.Context, identityID, keep uuid.UUID) error {
	store.NoteChange(ctx)
	return s.changing(ctx, func(q store.Querier) error {
		_, err := q.ExecContext(ctx, s.db.Q(`UPDATE sessions SET active = ?, updated_at = ? WHERE identity_id = ? AND id <> ? AND active = ?`),
			false, s.clock.Now(), identityID.String(), keep.String(), true)
		return sqldb.MapError(err)
	}, func(tx *sql.Tx) error { return s.bumpIdentity(ctx, tx, identityID) })
}

// UpdateSessionMethods implements session.Store.
func (s *Store) UpdateSessionMethods(ctx context.Context, ss *session.Session) error {
	store.NoteChange(ctx)
	return s.changing(ctx, func(q store.Querier) error {
		return sqldb.Affected(q.ExecContext(ctx, s.db.Q(`UPDATE sessions SET aal = ?, authentication_methods = ?, authenticated_at = ?, updated_at = ? WHERE id = ?`),
			string(ss.AAL), methodsJSON(ss.AMR), ss.AuthenticatedAt, s.clock.Now(), ss.ID.String()))
	}, func(tx *sql.Tx) error { return s.bumpSessions(ctx, tx, `s.id = ?`, ss.ID.String()) })
}

func methodsJSON(m []session.AuthenticationMethod) any {
	if len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return string(b)
}

// setMethods reads the AMR column (sessions from before it, and imported
// ones, were password sign-ins) and the level it reaches.
func setMethods(ss *session.Session, v sql.NullString) {
	ss.AMR = session.ReadMethods(v.String, v.Valid, ss.AuthenticatedAt)
	for k := range ss.AMR {
		normalizeTimes(&ss.AMR[k].CompletedAt)
	}
	ss.AAL = session.LevelOf(ss.AMR)
}

// CredentialConfigs implements session.CredentialReader.
func (s *Store) CredentialConfigs(ctx context.Context, identityID uuid.UUID, types []identity.CredentialType) (map[identity.CredentialType]json.RawMessage, error) {
	args := []any{identityID.String()}
	for _, t := range types {
		args = append(args, string(t))
	}
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT type, config FROM identity_credentials WHERE identity_id = ? AND type IN (`+placeholders(len(types))+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[identity.CredentialType]json.RawMessage{}
	for rows.Next() {
		var typ, config string
		if err := rows.Scan(&typ, &config); err != nil {
			return nil, err
		}
		out[identity.CredentialType(typ)] = json.RawMessage(config)
	}
	return out, rows.Err()
}
