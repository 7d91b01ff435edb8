package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/strategy/oidc"
)

// CreateOIDCState implements oidc.StateStore. Expired rows of abandoned
// sign-ins are swept on the way, so the table stays small without a job.
func (s *Store) CreateOIDCState(ctx context.Context, st *oidc.State) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Q(`DELETE FROM selfservice_oidc_states WHERE expires_at < ?`), st.CreatedAt); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO selfservice_oidc_states (id, flow_id, flow_kind, browser, provider, verifier, nonce, traits, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			st.ID, st.FlowID.String(), string(st.FlowKind), st.Browser, st.Provider, st.Verifier, st.Nonce, string(st.Traits), st.ExpiresAt, st.CreatedAt)
		return sqldb.MapError(err)
	})
}

// TakeOIDCState implements oidc.StateStore: it reads and deletes the row in
// one transaction, and only the caller whose DELETE removed it gets it, so
// two callbacks racing with the same state cannot both succeed.
func (s *Store) TakeOIDCState(ctx context.Context, ids []string) (*oidc.State, error) {
	var st oidc.State
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		var kind, traits string
		err := tx.QueryRowContext(ctx, s.db.Q(`SELECT id, flow_id, flow_kind, browser, provider, verifier, nonce, traits, expires_at, created_at FROM selfservice_oidc_states WHERE id IN (`+placeholders(len(ids))+`)`), args...).
			Scan(&st.ID, &st.FlowID, &kind, &st.Browser, &st.Provider, &st.Verifier, &st.Nonce, &traits, &st.ExpiresAt, &st.CreatedAt)
		if err != nil {
			return err
		}
		if err := sqldb.Affected(tx.ExecContext(ctx, s.db.Q(`DELETE FROM selfservice_oidc_states WHERE id = ?`), st.ID)); err != nil {
			return err
		}
		st.Traits, st.FlowKind = []byte(traits), flow.Kind(kind)
		return nil
	})
	if err != nil {
		return nil, err
	}
	normalizeTimes(&st.ExpiresAt, &st.CreatedAt)
	return &st, nil
}

// Credentials implements oidc.Store: every credential of an identity with
// its identifiers, in one query.
func (s *Store) Credentials(ctx context.Context, identityID uuid.UUID) (map[identity.CredentialType]*identity.Credential, error) {
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT c.id, c.type, c.config, c.created_at, c.updated_at, ci.identifier
FROM identity_credentials c LEFT JOIN identity_credential_identifiers ci ON ci.credential_id = c.id
WHERE c.identity_id = ? ORDER BY c.type, ci.identifier`), identityID.String())
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	out := map[identity.CredentialType]*identity.Credential{}
	for rows.Next() {
		var (
			id           uuid.UUID
			typ, config  string
			ident        sql.NullString
			created, upd time.Time
		)
		if err := rows.Scan(&id, &typ, &config, &created, &upd, &ident); err != nil {
			return nil, sqldb.MapError(err)
		}
		c := out[identity.CredentialType(typ)]
		if c == nil {
			c = &identity.Credential{ID: id, Type: identity.CredentialType(typ), Config: []byte(config), CreatedAt: created, UpdatedAt: upd}
			normalizeTimes(&c.CreatedAt, &c.UpdatedAt)
			out[c.Type] = c
		}
		if ident.Valid {
			c.Identifiers = append(c.Identifiers, ident.String)
		}
	}
	return out, sqldb.MapError(rows.Err())
}

// SetCredential implements oidc.Store. An identifier another identity
// holds comes back as store.ErrConflict, and nothing is written.
func (s *Store) SetCredential(ctx context.Context, identityID uuid.UUID, c *identity.Credential) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.writeCredential(ctx, tx, identityID, c); err != nil {
			return err
		}
		return s.bumpIdentity(ctx, tx, identityID)
	})
}

// DeleteCredential implements oidc.Store; its identifiers go by cascade.
func (s *Store) DeleteCredential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) error {
	store.NoteChange(ctx)
	return s.changing(ctx, func(q store.Querier) error {
		_, err := q.ExecContext(ctx, s.db.Q(`DELETE FROM identity_credentials WHERE identity_id = ? AND type = ?`), identityID.String(), string(ctype))
		return sqldb.MapError(err)
	}, func(tx *sql.Tx) error { return s.bumpIdentity(ctx, tx, identityID) })
}
