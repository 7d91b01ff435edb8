package settings

import (
	"context"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
)

// Strategy is something a user can change in settings.
type Strategy interface {
	ID() string
	// PopulateSettings adds the strategy's inputs, filled for the identity.
	// It may read storage (which accounts are linked), hence the request's
	// context and the error.
	PopulateSettings(ctx context.Context, f *flow.Flow, i *identity.Identity) error
	// NeedsPrivilege reports whether this submission needs a recent sign-in.
	NeedsPrivilege(i *identity.Identity, sub flow.Submission) bool
	// Settings applies a submission and returns the updated identity, or
	// flow.ErrInvalid with the problems on the flow's form.
	Settings(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) (*identity.Identity, error)
}

// Authenticating is a settings strategy some of whose changes prove a
// factor (enabling TOTP checks a code): after such a change the session
// gains that method, and reaches aal2 for a second factor.
type Authenticating interface {
	// Proved names the method a successful submission proved, if any.
	Proved(sub flow.Submission) (session.AuthenticationMethod, bool)
}

// FactorChanging is a settings strategy whose changes add or remove a
// second factor: once one is saved, the handler tells FactorChanged (the
// security notice).
type FactorChanging interface {
	FactorChange(sub flow.Submission) (method string, added, ok bool)
}

// IdentityStore loads the identity a flow belongs to.
type IdentityStore interface {
	Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error)
}
