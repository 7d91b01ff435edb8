package identity

import (
	"context"

	"github.com/google/uuid"
)

// Store persists identities. Every method that writes more than one row does
// so in one transaction. Unique violations (an identifier or address that
// another identity has) come back as store.ErrConflict; unknown ids as
// store.ErrNotFound.
type Store interface {
	// CreateIdentity inserts the identity, its credentials and addresses.
	CreateIdentity(ctx context.Context, i *Identity) error
	// UpdateIdentity replaces schema, traits and addresses (keeping the rows,
	// and their verification, of addresses whose value did not change) and
	// writes the credentials present in i.Credentials.
	UpdateIdentity(ctx context.Context, i *Identity) error
	// Identity loads an identity with its addresses.
	Identity(ctx context.Context, id uuid.UUID) (*Identity, error)
	// ListIdentities returns a page ordered by creation, and the total count.
	ListIdentities(ctx context.Context, offset, limit int) ([]*Identity, int, error)
	// DeleteIdentity removes an identity and, by cascade, all it owns.
	DeleteIdentity(ctx context.Context, id uuid.UUID) error
}
