package registration

import (
	"context"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
)

// Strategy is a way to sign up (the password method, later social sign-in).
type Strategy interface {
	ID() string
	// PopulateRegistration adds the strategy's inputs to a new flow.
	PopulateRegistration(f *flow.Flow)
	// Register validates a submission and returns the identity to create,
	// or flow.ErrInvalid with the problems on the flow's form.
	Register(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error)
}

// IdentityStore creates the identity a registration produced.
type IdentityStore interface {
	CreateIdentity(ctx context.Context, i *identity.Identity) error
	// DeleteIdentity takes back an identity whose registration a hook
	// refused.
	DeleteIdentity(ctx context.Context, id uuid.UUID) error
}
