package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// CreateIdentity implements identity.Store: its rows go as one batch,
// queued in the transaction ctx carries (registration's, with the session
// and the flow) or alone, in one round trip where the database allows.
func (s *Store) CreateIdentity(ctx context.Context, i *identity.Identity) error {
	// A new identity has nothing kept about it, but its addresses and
	// credentials fire the change triggers; noting it lets this instance's
	// next whoami see those notifications through before it keeps an answer.
	store.NoteChange(ctx)
	var b sqldb.Batch
	b.Add(`INSERT INTO identities (id, schema_id, traits, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
		i.ID.String(), i.SchemaID, string(i.Traits), i.CreatedAt, i.UpdatedAt)
	addAddresses(&b, i.ID, i.VerifiableAddresses, i.RecoveryAddresses)
	for _, c := range i.Credentials {
		addCredential(&b, i.ID, c)
	}
	return s.write(ctx, &b)
}

// insertCredential writes a credential of an existing identity that has
// none of its type: nothing to look up or replace.
func (s *Store) insertCredential(ctx context.Context, tx *sql.Tx, identityID uuid.UUID, c *identity.Credential) error {
	var b sqldb.Batch
	addCredential(&b, identityID, c)
	return s.db.RunIn(ctx, tx, &b)
}

func (s *Store) insertIdentifiers(ctx context.Context, tx *sql.Tx, identityID, credentialID uuid.UUID, c *identity.Credential) error {
	var b sqldb.Batch
	addIdentifiers(&b, identityID, credentialID, c)
	return s.db.RunIn(ctx, tx, &b)
}

func (s *Store) insertAddresses(ctx context.Context, tx *sql.Tx, id uuid.UUID, ver []identity.VerifiableAddress, rec []identity.RecoveryAddress) error {
	var b sqldb.Batch
	addAddresses(&b, id, ver, rec)
	return s.db.RunIn(ctx, tx, &b)
}

func addCredential(b *sqldb.Batch, identityID uuid.UUID, c *identity.Credential) {
	cfg := c.Config
	if cfg == nil {
		cfg = []byte("{}")
	}
	b.Add(`INSERT INTO identity_credentials (id, identity_id, type, config, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID.String(), identityID.String(), string(c.Type), string(cfg), c.CreatedAt, c.UpdatedAt)
	addIdentifiers(b, identityID, c.ID, c)
}

func addIdentifiers(b *sqldb.Batch, identityID, credentialID uuid.UUID, c *identity.Credential) {
	for _, ident := range c.Identifiers {
		b.Add(`INSERT INTO identity_credential_identifiers (id, identity_id, credential_id, type, identifier, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			uuid.NewString(), identityID.String(), credentialID.String(), string(c.Type), ident, c.UpdatedAt, c.UpdatedAt)
	}
}

func addAddresses(b *sqldb.Batch, id uuid.UUID, ver []identity.VerifiableAddress, rec []identity.RecoveryAddress) {
	for _, a := range ver {
		b.Add(`INSERT INTO identity_verifiable_addresses (id, identity_id, via, value, verified, status, verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID.String(), id.String(), a.Via, a.Value, a.Verified, a.Status, a.VerifiedAt, a.CreatedAt, a.UpdatedAt)
	}
	for _, a := range rec {
		b.Add(`INSERT INTO identity_recovery_addresses (id, identity_id, via, value, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			a.ID.String(), id.String(), a.Via, a.Value, a.CreatedAt, a.UpdatedAt)
	}
}

// writeCredential upserts a credential of an existing identity and
// replaces its identifiers. A nil Config keeps the stored one.
func (s *Store) writeCredential(ctx context.Context, tx *sql.Tx, identityID uuid.UUID, c *identity.Credential) error {
	var existing uuid.UUID
	err := tx.QueryRowContext(ctx, s.db.Q(`SELECT id FROM identity_credentials WHERE identity_id = ? AND type = ?`), identityID.String(), string(c.Type)).Scan(&existing)
	switch {
	case errors.Is(err, sql.ErrNoRows) && c.IfExists:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return s.insertCredential(ctx, tx, identityID, c)
	case err != nil:
		return err
	}
	c.ID = existing
	if c.Config != nil {
		err := sqldb.Affected(tx.ExecContext(ctx, s.db.Q(`UPDATE identity_credentials SET config = ?, updated_at = ? WHERE id = ?`), string(c.Config), c.UpdatedAt, existing.String()))
		if err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.db.Q(`DELETE FROM identity_credential_identifiers WHERE credential_id = ?`), existing.String()); err != nil {
		return err
	}
	return s.insertIdentifiers(ctx, tx, identityID, existing, c)
}

// UpdateIdentity implements identity.Store.
func (s *Store) UpdateIdentity(ctx context.Context, i *identity.Identity) error {
	store.NoteChange(ctx)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := sqldb.Affected(tx.ExecContext(ctx, s.db.Q(`UPDATE identities SET schema_id = ?, traits = ?, updated_at = ? WHERE id = ?`),
			i.SchemaID, string(i.Traits), i.UpdatedAt, i.ID.String()))
		if err != nil {
			return err
		}
		if err := s.syncAddresses(ctx, tx, i); err != nil {
			return err
		}
		for _, c := range i.Credentials {
			if err := s.writeCredential(ctx, tx, i.ID, c); err != nil {
				return err
			}
		}
		return s.bumpIdentity(ctx, tx, i.ID)
	})
}

// syncAddresses deletes the identity's address rows that i no longer has and
// inserts the new ones; rows i still has (same id) are left untouched.
func (s *Store) syncAddresses(ctx context.Context, tx *sql.Tx, i *identity.Identity) error {
	var keepV, keepR []string
	for _, a := range i.VerifiableAddresses {
		keepV = append(keepV, a.ID.String())
	}
	for _, a := range i.RecoveryAddresses {
		keepR = append(keepR, a.ID.String())
	}
	existingV, err := s.ids(ctx, tx, `SELECT id FROM identity_verifiable_addresses WHERE identity_id = ?`, i.ID)
	if err != nil {
		return err
	}
	existingR, err := s.ids(ctx, tx, `SELECT id FROM identity_recovery_addresses WHERE identity_id = ?`, i.ID)
	if err != nil {
		return err
	}
	if err := s.deleteExcept(ctx, tx, "identity_verifiable_addresses", i.ID, keepV); err != nil {
		return err
	}
	if err := s.deleteExcept(ctx, tx, "identity_recovery_addresses", i.ID, keepR); err != nil {
		return err
	}
	var newV []identity.VerifiableAddress
	for _, a := range i.VerifiableAddresses {
		if !existingV[a.ID.String()] {
			newV = append(newV, a)
		}
	}
	var newR []identity.RecoveryAddress
	for _, a := range i.RecoveryAddresses {
		if !existingR[a.ID.String()] {
			newR = append(newR, a)
		}
	}
	return s.insertAddresses(ctx, tx, i.ID, newV, newR)
}

func (s *Store) ids(ctx context.Context, q store.Querier, query string, id uuid.UUID) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, s.db.Q(query), id.String())
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, sqldb.MapError(err)
		}
		out[v] = true
	}
	return out, sqldb.MapError(rows.Err())
}

func (s *Store) deleteExcept(ctx context.Context, tx *sql.Tx, table string, identityID uuid.UUID, keep []string) error {
	q := `DELETE FROM ` + table + ` WHERE identity_id = ?`
	args := []any{identityID.String()}
	if len(keep) > 0 {
		q += ` AND id NOT IN (` + placeholders(len(keep)) + `)`
		for _, k := range keep {
			args = append(args, k)
		}
	}
	_, err := tx.ExecContext(ctx, s.db.Q(q), args...)
	return err
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// Identity implements identity.Store.
func (s *Store) Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error) {
	return s.readIdentity(ctx, `SELECT `+identitySelect+` FROM identities i`+identityJoins+` WHERE i.id = ?`, []any{id.String()}, nil, nil)
}

// ListIdentities implements identity.Store.
func (s *Store) ListIdentities(ctx context.Context, offset, limit int) ([]*identity.Identity, int, error) {
	var total int
	if err := s.r(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM identities`).Scan(&total); err != nil {
		return nil, 0, sqldb.MapError(err)
	}
	if offset >= total {
		return nil, total, nil
	}
	rows, err := s.r(ctx).QueryContext(ctx, s.db.Q(`SELECT id, schema_id, traits, created_at, updated_at FROM identities ORDER BY created_at, id LIMIT ? OFFSET ?`), limit, offset)
	if err != nil {
		return nil, 0, sqldb.MapError(err)
	}
	defer rows.Close()
	var list []*identity.Identity
	for rows.Next() {
		i := &identity.Identity{}
		var traits string
		if err := rows.Scan(&i.ID, &i.SchemaID, &traits, &i.CreatedAt, &i.UpdatedAt); err != nil {
			return nil, 0, sqldb.MapError(err)
		}
		i.Traits = []byte(traits)
		normalizeTimes(&i.CreatedAt, &i.UpdatedAt)
		list = append(list, i)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, sqldb.MapError(err)
	}
	rows.Close()
	if err := s.loadAddresses(ctx, s.r(ctx), list); err != nil {
		return nil, 0, sqldb.MapError(err)
	}
	return list, total, nil
}

// loadAddresses fills the addresses of many identities with two queries.
func (s *Store) loadAddresses(ctx context.Context, q store.Querier, list []*identity.Identity) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[uuid.UUID]*identity.Identity, len(list))
	args := make([]any, 0, len(list))
	for _, i := range list {
		byID[i.ID] = i
		args = append(args, i.ID.String())
		i.VerifiableAddresses, i.RecoveryAddresses = []identity.VerifiableAddress{}, []identity.RecoveryAddress{}
	}
	in := placeholders(len(list))
	rows, err := q.QueryContext(ctx, s.db.Q(`SELECT identity_id, id, via, value, verified, status, verified_at, created_at, updated_at FROM identity_verifiable_addresses WHERE identity_id IN (`+in+`) ORDER BY created_at, value`), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var owner uuid.UUID
		a, err := scanVerifiable(rows, &owner)
		if err != nil {
			rows.Close()
			return err
		}
		i := byID[owner]
		i.VerifiableAddresses = append(i.VerifiableAddresses, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, s.db.Q(`SELECT identity_id, id, via, value, created_at, updated_at FROM identity_recovery_addresses WHERE identity_id IN (`+in+`) ORDER BY created_at, value`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var owner uuid.UUID
		var a identity.RecoveryAddress
		if err := rows.Scan(&owner, &a.ID, &a.Via, &a.Value, &a.CreatedAt, &a.UpdatedAt); err != nil {
			return err
		}
		normalizeTimes(&a.CreatedAt, &a.UpdatedAt)
		i := byID[owner]
		i.RecoveryAddresses = append(i.RecoveryAddresses, a)
	}
	return rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanVerifiable(row scanner, owner *uuid.UUID) (identity.VerifiableAddress, error) {
	var a identity.VerifiableAddress
	var verifiedAt sql.NullTime
	if err := row.Scan(owner, &a.ID, &a.Via, &a.Value, &a.Verified, &a.Status, &verifiedAt, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return a, err
	}
	if verifiedAt.Valid {
		t := verifiedAt.Time.UTC()
		a.VerifiedAt = &t
	}
	normalizeTimes(&a.CreatedAt, &a.UpdatedAt)
	return a, nil
}

// DeleteIdentity implements identity.Store.
func (s *Store) DeleteIdentity(ctx context.Context, id uuid.UUID) error {
	store.NoteChange(ctx)
	return s.changing(ctx, func(q store.Querier) error {
		return sqldb.Affected(q.ExecContext(ctx, s.db.Q(`DELETE FROM identities WHERE id = ?`), id.String()))
	}, func(tx *sql.Tx) error { return s.bumpIdentity(ctx, tx, id) })
}
