package sqlstore

import (
	"cmp"
	"database/sql"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/identity"
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

// joinedIdentity accumulates the rows of one identity read with
// identitySelect.
type joinedIdentity struct {
	out          *identity.Identity
	seenV, seenR map[string]bool

	// scan destinations, reused row after row
	id, traits                                    string
	row                                           identity.Identity
	vID, vVia, vValue, vStatus, rID, rVia, rValue sql.NullString
	vVerified                                     sql.NullBool
	vAt, vCreated, vUpdated, rCreated, rUpdated   sql.NullTime
}

func newJoinedIdentity() *joinedIdentity {
	return &joinedIdentity{seenV: map[string]bool{}, seenR: map[string]bool{}}
}

// dest lists the scan destinations in identitySelect's order.
func (j *joinedIdentity) dest() []any {
	return []any{&j.id, &j.row.SchemaID, &j.traits, &j.row.CreatedAt, &j.row.UpdatedAt,
		&j.vID, &j.vVia, &j.vValue, &j.vVerified, &j.vStatus, &j.vAt, &j.vCreated, &j.vUpdated,
		&j.rID, &j.rVia, &j.rValue, &j.rCreated, &j.rUpdated}
}

// finish orders the addresses as every other read does. Sorting the few
// addresses here is cheaper than an ORDER BY, which makes SQLite build a
// temporary b-tree on every whoami.
func (j *joinedIdentity) finish() *identity.Identity {
	if j.out == nil {
		return nil
	}
	slices.SortFunc(j.out.VerifiableAddresses, func(a, b identity.VerifiableAddress) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Value, b.Value))
	})
	slices.SortFunc(j.out.RecoveryAddresses, func(a, b identity.RecoveryAddress) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Value, b.Value))
	})
	return j.out
}

// add folds the row just scanned into the identity.
func (j *joinedIdentity) add() {
	if j.out == nil {
		i := j.row
		i.ID, _ = uuid.Parse(j.id)
		i.Traits = []byte(j.traits)
		normalizeTimes(&i.CreatedAt, &i.UpdatedAt)
		i.VerifiableAddresses, i.RecoveryAddresses = []identity.VerifiableAddress{}, []identity.RecoveryAddress{}
		j.out = &i
	}
	if j.vID.Valid && !j.seenV[j.vID.String] {
		j.seenV[j.vID.String] = true
		a := identity.VerifiableAddress{Via: j.vVia.String, Value: j.vValue.String, Verified: j.vVerified.Bool, Status: j.vStatus.String,
			CreatedAt: j.vCreated.Time.UTC(), UpdatedAt: j.vUpdated.Time.UTC()}
		a.ID, _ = uuid.Parse(j.vID.String)
		if j.vAt.Valid {
			t := j.vAt.Time.UTC()
			a.VerifiedAt = &t
		}
		j.out.VerifiableAddresses = append(j.out.VerifiableAddresses, a)
	}
	if j.rID.Valid && !j.seenR[j.rID.String] {
		j.seenR[j.rID.String] = true
		a := identity.RecoveryAddress{Via: j.rVia.String, Value: j.rValue.String, CreatedAt: j.rCreated.Time.UTC(), UpdatedAt: j.rUpdated.Time.UTC()}
		a.ID, _ = uuid.Parse(j.rID.String)
		j.out.RecoveryAddresses = append(j.out.RecoveryAddresses, a)
	}
}
