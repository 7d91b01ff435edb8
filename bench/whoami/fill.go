package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// fillRows is how many identities one multi-row INSERT carries: far under
// every dialect's limit of bind parameters.
const fillRows = 500

// fill adds n identities, each with one email address (verifiable and
// recovery) and one active session, before the server starts: the bulk
// the whoami and login paths must stay flat against (-fill). The sessions'
// tokens are random and never asked for; the measured ones are the
// -identities made afterwards.
//
// BENCH-ONLY SHORTCUT: a million sign-ups through the API would take
// hours here. The rows are the ones the server writes for an identity
// created through POST /identities and a session from a sign-in, with the
// same columns and time values, inserted in batches of fillRows, each
// batch in one transaction. The whoami change log the triggers append to
// on SQLite is emptied afterwards: the server starts after the fill, with
// nothing to catch up on.
func fill(ctx context.Context, dsn string, n int) error {
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Microsecond)
	exp := now.Add(24 * time.Hour)
	for done := 0; done < n; done += fillRows {
		k := min(fillRows, n-done)
		ids := make([]uuid.UUID, k)
		for j := range ids {
			ids[j] = uuid.New()
		}
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			var a1, a2, a3, a4 []any
			for j, id := range ids {
				email := fmt.Sprintf("fill-%08d@example.com", done+j)
				a1 = append(a1, id.String(), "default", fmt.Sprintf(`{"email":%q}`, email), now, now)
				a2 = append(a2, uuid.NewString(), id.String(), "email", email, false, "pending", now, now)
				a3 = append(a3, uuid.NewString(), id.String(), "email", email, now, now)
				var h [32]byte
				_, _ = rand.Read(h[:])
				a4 = append(a4, uuid.NewString(), hex.EncodeToString(h[:]), id.String(), true, now, exp, now, now, now)
			}
			for _, s := range []struct {
				head string
				cols int
				args []any
			}{
				{"INSERT INTO identities (id, schema_id, traits, created_at, updated_at) VALUES ", 5, a1},
				{"INSERT INTO identity_verifiable_addresses (id, identity_id, via, value, verified, status, created_at, updated_at) VALUES ", 8, a2},
				{"INSERT INTO identity_recovery_addresses (id, identity_id, via, value, created_at, updated_at) VALUES ", 6, a3},
				{"INSERT INTO sessions (id, token_hash, identity_id, active, issued_at, expires_at, authenticated_at, created_at, updated_at) VALUES ", 9, a4},
			} {
				row := "(" + strings.TrimSuffix(strings.Repeat("?, ", s.cols), ", ") + ")"
				q := s.head + strings.TrimSuffix(strings.Repeat(row+", ", len(s.args)/s.cols), ", ")
				if _, err := tx.ExecContext(ctx, db.Q(q), s.args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill: %w", err)
		}
	}
	_, err = db.SQL.ExecContext(ctx, "DELETE FROM session_invalidations")
	return err
}
