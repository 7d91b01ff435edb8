package verification

import (
	"context"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
)

// Strategy is a way to verify an address.
type Strategy interface {
	ID() string
	PopulateVerification(f *flow.Flow)
	// SubmitVerification acts on a submission made to path, to which the
	// mailed link points back.
	SubmitVerification(ctx context.Context, f *flow.Flow, sub flow.Submission, path string) error
	// MailVerification sends a link for one address of an identity, in
	// the language lang prefers (a locale.Preference).
	MailVerification(ctx context.Context, f *flow.Flow, i *identity.Identity, addressID uuid.UUID, email, path, lang string) error
	// Verify consumes a token from a link, verifying its address:
	// token.ErrUnknown or token.ErrExpired otherwise.
	Verify(ctx context.Context, tok string) (flowID uuid.UUID, err error)
}
