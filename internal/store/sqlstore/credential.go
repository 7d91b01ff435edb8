package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
)

// IdentityByIdentifier implements password.Store: the credential owning one
// of the identifiers, then its identity with addresses.
func (s *Store) IdentityByIdentifier(ctx context.Context, ctype identity.CredentialType, identifiers []string) (*identity.Identity, *identity.Credential, error) {
	args := []any{string(ctype)}
	for _, id := range identifiers {
		args = append(args, id)
	}
	var (
		c                        identity.Credential
		credID, identityID, conf string
	)
	err := s.db.SQL.QueryRowContext(ctx, s.db.Q(`SELECT c.id, c.identity_id, c.config, c.created_at, c.updated_at
FROM identity_credential_identifiers ci JOIN identity_credentials c ON c.id = ci.credential_id
WHERE ci.type = ? AND ci.identifier IN (`+placeholders(len(identifiers))+`) ORDER BY ci.identifier LIMIT 1`), args...).
		Scan(&credID, &identityID, &conf, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, nil, store.NoRows(err)
	}
	c.ID, _ = uuid.Parse(credID)
	c.Type, c.Config = ctype, json.RawMessage(conf)
	id, err := uuid.Parse(identityID)
	if err != nil {
		return nil, nil, err
	}
	i, err := s.Identity(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return i, &c, nil
}

// SetCredentialConfig implements password.Store.
func (s *Store) SetCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, config json.RawMessage) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		now := identity.Now()
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
		return store.MapError(err)
	})
}
