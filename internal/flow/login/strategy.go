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

// SecondFactor is a way to step a signed-in identity up to aal2 (TOTP,
// recovery codes, a security key). Login flows started with ?aal=aal2 show
// only these, and only those the identity has set up.
type SecondFactor interface {
	ID() string
	// PopulateSecondFactor adds the strategy's inputs to an aal2 flow when
	// identity i has this factor; otherwise it adds nothing.
	PopulateSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity) error
	// LoginSecondFactor checks a submission against i's factor, or returns
	// flow.ErrInvalid with the problems on the flow's form.
	LoginSecondFactor(ctx context.Context, f *flow.Flow, i *identity.Identity, sub flow.Submission) error
}

// Refresher is a Strategy that fills in a refresh login (refresh=true with
// a session) for the identity already signed in.
type Refresher interface {
	PrefillRefresh(f *flow.Flow, i *identity.Identity)
}
