package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
	"github.com/latchkey/latchkey/internal/token"
)

// RecoveryAddress implements link.Store.
func (s *Store) RecoveryAddress(ctx context.Context, via, value string) (uuid.UUID, uuid.UUID, error) {
	return s.addressOwner(ctx, `SELECT identity_id, id FROM identity_recovery_addresses WHERE via = ? AND value = ?`, via, value)
}

// VerifiableAddress implements link.Store.
func (s *Store) VerifiableAddress(ctx context.Context, via, value string) (uuid.UUID, uuid.UUID, error) {
	return s.addressOwner(ctx, `SELECT identity_id, id FROM identity_verifiable_addresses WHERE via = ? AND value = ?`, via, value)
}

func (s *Store) addressOwner(ctx context.Context, query, via, value string) (uuid.UUID, uuid.UUID, error) {
	var identityID, addressID uuid.UUID
	if err := s.r(ctx).QueryRowContext(ctx, s.db.Q(query), via, value).Scan(&identityID, &addressID); err != nil {
		return uuid.Nil, uuid.Nil, sqldb.MapError(err)
	}
	return identityID, addressID, nil
}

// CreateLinkToken implements link.Store.
func (s *Store) CreateLinkToken(ctx context.Context, t *token.Link, hash string, m *courier.Message) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.db.Q(`INSERT INTO selfservice_link_tokens (id, token_hash, kind, flow_id, identity_id, address_id, used, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			t.ID.String(), hash, t.Kind, nullableID(t.FlowID), t.IdentityID.String(), nullableID(t.AddressID), false, t.ExpiresAt, t.CreatedAt, t.CreatedAt)
		if err != nil {
			return err
		}
		if m == nil {
			return nil
		}
		return s.insertMessage(ctx, tx, m)
	})
}

// ConsumeLinkToken implements link.Store. The conditional update is what
// makes a token single-use: of two parallel consumers only one sees a row
// change.
func (s *Store) ConsumeLinkToken(ctx context.Context, kind string, hashes []string, now time.Time) (*token.Link, error) {
	store.NoteChange(ctx)
	var out *token.Link
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		args := []any{kind, false}
		for _, h := range hashes {
			args = append(args, h)
		}
		t := token.Link{Kind: kind}
		var flowID, addressID uuid.NullUUID
		err := tx.QueryRowContext(ctx, s.db.Q(`SELECT id, flow_id, identity_id, address_id, expires_at, created_at FROM selfservice_link_tokens
WHERE kind = ? AND used = ? AND token_hash IN (`+placeholders(len(hashes))+`)`), args...).
			Scan(&t.ID, &flowID, &t.IdentityID, &addressID, &t.ExpiresAt, &t.CreatedAt)
		if err != nil {
			return err
		}
		t.FlowID, t.AddressID = flowID.UUID, addressID.UUID
		normalizeTimes(&t.ExpiresAt, &t.CreatedAt)
		out = &t
		if !now.Before(t.ExpiresAt) {
			return nil
		}
		// A link dies with the address it was mailed to: after an address
		// change, whoever holds the old mailbox must not get in.
		if t.AddressID != uuid.Nil {
			table := "identity_recovery_addresses"
			if kind == token.Verification {
				table = "identity_verifiable_addresses"
			}
			var one int
			err := tx.QueryRowContext(ctx, s.db.Q(`SELECT 1 FROM `+table+` WHERE id = ? AND identity_id = ?`), t.AddressID.String(), t.IdentityID.String()).Scan(&one)
			if err != nil {
				return err
			}
		}
		at := now.UTC().Truncate(time.Microsecond)
		err = sqldb.Affected(tx.ExecContext(ctx, s.db.Q(`UPDATE selfservice_link_tokens SET used = ?, used_at = ?, updated_at = ? WHERE id = ? AND used = ?`), true, at, at, t.ID.String(), false))
		if err != nil || kind != token.Verification || t.AddressID == uuid.Nil {
			return err
		}
		err = sqldb.Affected(tx.ExecContext(ctx, s.db.Q(`UPDATE identity_verifiable_addresses SET verified = ?, status = ?, verified_at = ?, updated_at = ? WHERE id = ?`),
			true, identity.StatusCompleted, at, at, t.AddressID.String()))
		if err != nil {
			return err
		}
		return s.bumpIdentity(ctx, tx, t.IdentityID)
	})
	if err != nil {
		return nil, err
	}
	if !now.Before(out.ExpiresAt) {
		return out, token.ErrExpired
	}
	return out, nil
}
