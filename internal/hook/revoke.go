package hook

import (
	"context"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
)

// SessionRevoker ends sessions.
type SessionRevoker interface {
	RevokeIdentitySessions(ctx context.Context, identityID, keep uuid.UUID) error
}

// RevokeActiveSessions ends every other session of the identity that just
// signed in, so signing in on one device signs out the others.
type RevokeActiveSessions struct {
	Sessions SessionRevoker
}

// After implements flow.AfterHook.
func (h *RevokeActiveSessions) After(ctx context.Context, ev flow.Event) error {
	keep := uuid.Nil
	if ev.Session != nil {
		keep = ev.Session.ID
	}
	return h.Sessions.RevokeIdentitySessions(ctx, ev.Identity.ID, keep)
}
