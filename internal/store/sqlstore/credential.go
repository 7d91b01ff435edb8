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
	var (
		c                identity.Credential
		matched, first   string
		credID           uuid.UUID
		config           string
		created, updated time.Time
	)
	// The first identifier in order decides the identity; rows of another
	// identifier that matched too are not read.
	keep := func() bool {
		if first == "" {
			first = matched
			c = identity.Credential{ID: credID, Type: ctype, Config: json.RawMessage(config), CreatedAt: created.UTC(), UpdatedAt: updated.UTC()}
		}
		return matched == first
	}
	i, err := s.readIdentity(ctx, `SELECT ci.identifier, c.id, c.config, c.created_at, c.updated_at, `+identitySelect+`
FROM identity_credential_identifiers ci
JOIN identity_credentials c ON c.id = ci.credential_id
JOIN identities i ON i.id = c.identity_id`+identityJoins+`
WHERE ci.type = ? AND ci.identifier IN (`+placeholders(len(identifiers))+`)
ORDER BY ci.identifier`, args,
		[]any{&matched, &credID, &config, &created, &updated}, keep)
	if err != nil {
		return nil, nil, err
	}
	return i, &c, nil
}

// SetCredentialConfig implements password.Store.
func (s *Store) SetCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, config json.RawMessage) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		res, err := tx.ExecContext(ctx, s.db.Q(`UPDATE identity_credentials SET config = ?, updated_at = ? WHERE identity_id = ? AND type = ?`),
			string(config), now, identityID.String(), string(ctype))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			_, err = tx.ExecContext(ctx, s.db.Q(`INSERT INTO identity_credentials (id, identity_id, type, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`),
				uuid.NewString(), identityID.String(), string(ctype), string(config), now, now)
			if err != nil {
				return sqldb.MapError(err)
			}
		}
		return s.bumpIdentity(ctx, tx, identityID)
	})
}
