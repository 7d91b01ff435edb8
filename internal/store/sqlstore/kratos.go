package sqlstore

import (
	"context"
	"database/sql"

	"github.com/latchkey/latchkey/internal/kratos"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// Imported implements kratos.Target.
func (s *Store) Imported(ctx context.Context, kind string) (map[string]string, error) {
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT source_id, fingerprint FROM kratos_imports WHERE kind = ?`), kind)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, fp string
		if err := rows.Scan(&id, &fp); err != nil {
			return nil, sqldb.MapError(err)
		}
		out[id] = fp
	}
	return out, sqldb.MapError(rows.Err())
}

func (s *Store) record(ctx context.Context, tx *sql.Tx, kind, id, fingerprint string) error {
	if _, err := tx.ExecContext(ctx, s.db.Q(`DELETE FROM kratos_imports WHERE kind = ? AND source_id = ?`), kind, id); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO kratos_imports (kind, source_id, fingerprint, imported_at) VALUES (?, ?, ?, ?)`), kind, id, fingerprint, s.clock.Now())
	return sqldb.MapError(err)
}

// ImportIdentities implements kratos.Target: an identity already here is
// replaced (traits, credentials, addresses) but keeps its sessions.
func (s *Store) ImportIdentities(ctx context.Context, batch []kratos.IdentityRecord) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range batch {
			i := r.Identity
			res, err := tx.ExecContext(ctx, s.db.Q(`UPDATE identities SET schema_id = ?, traits = ?, created_at = ?, updated_at = ? WHERE id = ?`),
				i.SchemaID, string(i.Traits), i.CreatedAt, i.UpdatedAt, i.ID.String())
			if err != nil {
				return sqldb.MapError(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				if _, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO identities (id, schema_id, traits, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`),
					i.ID.String(), i.SchemaID, string(i.Traits), i.CreatedAt, i.UpdatedAt); err != nil {
					return sqldb.MapError(err)
				}
			} else {
				for _, table := range []string{"identity_credential_identifiers", "identity_credentials", "identity_verifiable_addresses", "identity_recovery_addresses"} {
					if _, err := tx.ExecContext(ctx, s.db.Q(`DELETE FROM `+table+` WHERE identity_id = ?`), i.ID.String()); err != nil {
						return err
					}
				}
			}
			if err := s.insertAddresses(ctx, tx, i.ID, i.VerifiableAddresses, i.RecoveryAddresses); err != nil {
				return err
			}
			for _, c := range i.Credentials {
				if err := s.insertCredential(ctx, tx, i.ID, c); err != nil {
					return err
				}
			}
			if err := s.record(ctx, tx, kratos.KindIdentity, i.ID.String(), r.Fingerprint); err != nil {
				return err
			}
		}
		ids := make([]string, len(batch))
		for k, r := range batch {
			ids[k] = r.Identity.ID.String()
		}
		return s.bump(ctx, tx, ids...)
	})
}

// ImportSessions implements kratos.Target.
func (s *Store) ImportSessions(ctx context.Context, batch []kratos.SessionRecord) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.clock.Now()
		for _, r := range batch {
			res, err := tx.ExecContext(ctx, s.db.Q(`UPDATE sessions SET token_hash = ?, active = ?, issued_at = ?, expires_at = ?, authenticated_at = ?, updated_at = ? WHERE id = ?`),
				r.TokenHash, r.Active, r.IssuedAt, r.ExpiresAt, r.AuthenticatedAt, now, r.ID.String())
			if err != nil {
				return sqldb.MapError(err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				if _, err := tx.ExecContext(ctx, s.db.Q(insertSession), r.ID.String(), r.TokenHash, r.IdentityID.String(), r.Active,
					r.IssuedAt, r.ExpiresAt, r.AuthenticatedAt, r.IssuedAt, now, nil, nil, nil); err != nil { // no devices, no AMR (read as password, aal1): imported
					return sqldb.MapError(err)
				}
			}
			if err := s.record(ctx, tx, kratos.KindSession, r.ID.String(), r.Fingerprint); err != nil {
				return err
			}
		}
		ids := make([]string, len(batch))
		for k, r := range batch {
			ids[k] = r.IdentityID.String()
		}
		return s.bump(ctx, tx, ids...)
	})
}

// ForgetImported implements kratos.Target.
func (s *Store) ForgetImported(ctx context.Context, kind string, ids []string) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			var err error
			if kind == kratos.KindIdentity {
				_, err = tx.ExecContext(ctx, s.db.Q(`DELETE FROM identities WHERE id = ?`), id)
			} else {
				_, err = tx.ExecContext(ctx, s.db.Q(`UPDATE sessions SET active = ?, updated_at = ? WHERE id = ?`), false, s.clock.Now(), id)
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.db.Q(`DELETE FROM kratos_imports WHERE kind = ? AND source_id = ?`), kind, id); err != nil {
				return err
			}
		}
		if kind == kratos.KindIdentity || len(ids) == 0 {
			return s.bump(ctx, tx, ids...)
		}
		args := make([]any, len(ids))
		for k, id := range ids {
			args[k] = id
		}
		return s.bumpSessions(ctx, tx, `s.id IN (`+placeholders(len(ids))+`)`, args...)
	})
}
