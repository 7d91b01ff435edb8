package recovery

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
)

// Strategy is a way to recover an account.
type Strategy interface {
	ID() string
	PopulateRecovery(f *flow.Flow)
	// SubmitRecovery acts on a submission made to path, to which the mailed
	// link points back.
	SubmitRecovery(ctx context.Context, f *flow.Flow, sub flow.Submission, path string) error
	// Recover consumes a token from a link and returns the identity it
	// recovers: token.ErrUnknown or token.ErrExpired otherwise.
	Recover(ctx context.Context, tok string) (identityID, flowID uuid.UUID, err error)
	// AdminLink makes a link for an identity without mailing it.
	AdminLink(ctx context.Context, f *flow.Flow, identityID uuid.UUID, expires time.Time) (string, error)
}

// SettingsStarter opens the settings flow a recovered user lands in.
type SettingsStarter interface {
	StartAfterRecovery(w http.ResponseWriter, r *http.Request, i *identity.Identity) (uiURL string, err error)
}

// IdentityStore loads identities.
type IdentityStore interface {
	Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error)
}
