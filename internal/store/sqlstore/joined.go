package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/store/sqldb"
)

// identitySelect and identityJoins read an identity with its addresses in
// one round trip. The two address joins multiply rows (verifiable x
// recovery); for the usual single email that is one row, and joined reads
// de-duplicate by address id.
const (
	identitySelect = `i.id, i.schema_id, i.traits, i.created_at, i.updated_at,
 v.id, v.via, v.value, v.verified, v.status, v.verified_at, v.created_at, v.updated_at,
 r.id, r.via, r.value, r.created_at, r.updated_at`
	identityJoins = ` LEFT JOIN identity_verifiable_addresses v ON v.identity_id = i.id
 LEFT JOIN identity_recovery_addresses r ON r.identity_id = i.id`
)

// readIdentity runs a joined identity read, a query whose columns are
// lead's followed by identitySelect's, and folds its rows into one
// identity. keep, when not nil, is asked after each row is scanned whether
// it still belongs to the identity wanted; the first row it refuses ends
// the read. No row at all is store.ErrNotFound.
func (s *Store) readIdentity(ctx context.Context, query string, args []any, lead []any, keep func() bool) (*identity.Identity, error) {
	st, err := s.db.Stmt(ctx, query)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	var j joinedIdentity
	dest := append(lead, j.dest()...)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, sqldb.MapError(err)
		}
		if keep != nil && !keep() {
			break
		}
		j.add()
	}
	if err := rows.Err(); err != nil {
		return nil, sqldb.MapError(err)
	}
	if j.out == nil {
		return nil, store.ErrNotFound
	}
	return j.finish(), nil
}

// joinedIdentity accumulates the rows of one identity read with
// identitySelect.
type joinedIdentity struct {
	out *identity.Identity

	// scan destinations, reused row after row
	row                                         identity.Identity
	traits                                      string
	vID, rID                                    uuid.NullUUID
	vVia, vValue, vStatus, rVia, rValue         sql.NullString
	vVerified                                   sql.NullBool
	vAt, vCreated, vUpdated, rCreated, rUpdated sql.NullTime
}

// dest lists the scan destinations in identitySelect's order.
func (j *joinedIdentity) dest() []any {
	return []any{&j.row.ID, &j.row.SchemaID, &j.traits, &j.row.CreatedAt, &j.row.UpdatedAt,
		&j.vID, &j.vVia, &j.vValue, &j.vVerified, &j.vStatus, &j.vAt, &j.vCreated, &j.vUpdated,
		&j.rID, &j.rVia, &j.rValue, &j.rCreated, &j.rUpdated}
}

// add folds the row just scanned into the identity.
func (j *joinedIdentity) add() {
	if j.out == nil {
		i := j.row
		i.Traits = []byte(j.traits)
		normalizeTimes(&i.CreatedAt, &i.UpdatedAt)
		i.VerifiableAddresses, i.RecoveryAddresses = []identity.VerifiableAddress{}, []identity.RecoveryAddress{}
		j.out = &i
	}
	if j.vID.Valid && !slices.ContainsFunc(j.out.VerifiableAddresses, func(a identity.VerifiableAddress) bool { return a.ID == j.vID.UUID }) {
		a := identity.VerifiableAddress{ID: j.vID.UUID, Via: j.vVia.String, Value: j.vValue.String, Verified: j.vVerified.Bool, Status: j.vStatus.String,
			CreatedAt: j.vCreated.Time.UTC(), UpdatedAt: j.vUpdated.Time.UTC()}
		if j.vAt.Valid {
			t := j.vAt.Time.UTC()
			a.VerifiedAt = &t
		}
		j.out.VerifiableAddresses = append(j.out.VerifiableAddresses, a)
	}
	if j.rID.Valid && !slices.ContainsFunc(j.out.RecoveryAddresses, func(a identity.RecoveryAddress) bool { return a.ID == j.rID.UUID }) {
		j.out.RecoveryAddresses = append(j.out.RecoveryAddresses, identity.RecoveryAddress{ID: j.rID.UUID, Via: j.rVia.String, Value: j.rValue.String,
			CreatedAt: j.rCreated.Time.UTC(), UpdatedAt: j.rUpdated.Time.UTC()})
	}
}

// finish orders the addresses as every other read does. Sorting the few
// addresses here is cheaper than an ORDER BY, which makes SQLite build a
// temporary b-tree on every whoami.
func (j *joinedIdentity) finish() *identity.Identity {
	slices.SortFunc(j.out.VerifiableAddresses, func(a, b identity.VerifiableAddress) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Value, b.Value))
	})
	slices.SortFunc(j.out.RecoveryAddresses, func(a, b identity.RecoveryAddress) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Value, b.Value))
	})
	return j.out
}
