package registration

import (
	"context"
	"encoding/json"
	"reflect"

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

// Resubmitter is a strategy that recognises a submission sent again on a
// flow whose identity exists already (the client never saw the answer).
type Resubmitter interface {
	// Resubmitted returns the stored identity with draft's id when the
	// submission's secret matches it, else nil. draft is what Register
	// returned for the submission.
	Resubmitted(ctx context.Context, draft *identity.Identity, sub flow.Submission) (*identity.Identity, error)
}

// IdentityID is the id of the identity registration flow flowID creates.
// Only who knows the flow's id can tell it; it says nothing about the flow.
func IdentityID(flowID uuid.UUID) uuid.UUID { return uuid.NewSHA1(identityNamespace, flowID[:]) }

var identityNamespace = uuid.MustParse("7c3d6f0e-5b8a-4d21-9e47-2f1a0c9b6d53")

// sameTraits reports whether two trait documents hold the same values (a
// database may store JSON with its keys in another order).
func sameTraits(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// IdentityStore creates the identity a registration produced.
type IdentityStore interface {
	CreateIdentity(ctx context.Context, i *identity.Identity) error
	// DeleteIdentity takes back an identity whose registration a hook
	// refused.
	DeleteIdentity(ctx context.Context, id uuid.UUID) error
}
