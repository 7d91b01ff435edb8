package login

import (
	"context"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
)

// Strategy is a way to sign in.
type Strategy interface {
	ID() string
	// PopulateLogin adds the strategy's inputs to a new flow.
	PopulateLogin(f *flow.Flow)
	// Login checks a submission and returns the identity it proves, or
	// flow.ErrInvalid with the problems on the flow's form.
	Login(ctx context.Context, f *flow.Flow, sub flow.Submission) (*identity.Identity, error)
}
