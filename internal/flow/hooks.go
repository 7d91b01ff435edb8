package flow

import (
	"context"
	"net/http"

	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
)

// Event is a flow that completed, as after-hooks see it.
type Event struct {
	Flow     *Flow
	Identity *identity.Identity
	Session  *session.Session // the session the flow issued or ran under, if any
	Request  *http.Request
}

// AfterHook runs after a flow succeeded. A hook whose failure must not undo
// the flow (a web hook) logs and returns nil; one that must stop the answer
// (revoking sessions) returns its error.
type AfterHook interface {
	After(ctx context.Context, ev Event) error
}

// RunHooks runs hooks in order, stopping at the first error.
func RunHooks(ctx context.Context, hooks []AfterHook, ev Event) error {
	for _, h := range hooks {
		if err := h.After(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}
