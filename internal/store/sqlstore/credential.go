package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// IdentityByIdentifier implements password.Store: the credential owning one
// of the identifiers with its identity and addresses, in one round trip
// (sign-in is a hot path). Should two candidates belong to two identities,
// the first in identifier order wins.
func (s *Store) IdentityByIdentifier(ctx context.Context, ctype identity.CredentialType, identifiers []string) (*identity.Identity, *identity.Credential, error) {
	args := []any{string(ctype)}
	for _, id := range identifiers {
		args = append(args, id)
	}
	st, err := s.db.Stmt(ctx, `SELECT ci.identifier, c.id, c.config, c.created_at, c.updated_at, `+identitySelect+`
FROM identity_credential_identifiers ci
JOIN identity_credentials c ON c.id = ci.credential_id
JOIN identities i ON i.id = c.identity_id`+identityJoins+`
WHERE ci.type = ? AND ci.identifier IN (`+placeholders(len(identifiers))+`)
ORDER BY ci.identifier`)
	if err != nil {
		return nil, nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		c                       identity.Credential
		matched, credID, config string
		first                   string
		created, updated        time.Time
	)
	j := newJoinedIdentity()
	dest := append([]any{&matched, &credID, &config, &created, &updated}, j.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, err
		}
		if first == "" {
			first = matched
			c.ID, _ = uuid.Parse(credID)
			c.Type, c.Config = ctype, json.RawMessage(config)
			c.CreatedAt, c.UpdatedAt = created.UTC(), updated.UTC()
		}
		if matched != first {
			break
		}
		j.add()
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if j.finish() == nil {
		return nil, nil, store.ErrNotFound
	}
	return j.out, &c, nil
}

// SetCredentialConfig implements password.Store.
func (s *Store) SetCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, config json.RawMessage) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		res, err := tx.ExecContext(ctx, s.db.Q(`UPDATE identity_credentials SET config = ?, updated_at = ? WHERE identity_id = ? AND type = ?`),
			string(config), now, identityID.String(), string(ctype))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.db.Q(`INSERT INTO identity_credentials (id, identity_id, type, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
			uuid.NewString(), identityID.String(), string(ctype), string(config), now, now)
		return sqldb.MapError(err)
	})
}
