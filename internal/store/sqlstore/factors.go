package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
)

// Credential reads one credential of an identity with its identifiers;
// store.ErrNotFound when it has none of that type.
func (s *Store) Credential(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType) (*identity.Credential, error) {
	all, err := s.Credentials(ctx, identityID)
	if err != nil {
		return nil, err
	}
	c, ok := all[ctype]
	if !ok {
		return nil, store.ErrNotFound
	}
	return c, nil
}

// SwapCredentialConfig replaces the config of an identity's credential
// only while it is still old, so of two requests spending the same
// one-time code only one wins. It reports whether it did.
func (s *Store) SwapCredentialConfig(ctx context.Context, identityID uuid.UUID, ctype identity.CredentialType, old, next json.RawMessage) (bool, error) {
	store.NoteChange(ctx)
	var n int64
	err := s.changing(ctx, func(q store.Querier) error {
		res, err := q.ExecContext(ctx, s.db.Q(`UPDATE identity_credentials SET config = ?, updated_at = ? WHERE identity_id = ? AND type = ? AND config = ?`),
			string(next), s.clock.Now(), identityID.String(), string(ctype), string(old))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	}, func(tx *sql.Tx) error { return s.bumpIdentity(ctx, tx, identityID) })
	return n == 1, err
}
