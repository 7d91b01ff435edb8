package registration

import (
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
)

// Flow is the registration flow as clients see it.
type Flow = flow.Common

func wire(f *flow.Flow) Flow { return f.Common() }

// Result is the answer to a successful api registration; the session and
// its token are there when the session hook is configured.
type Result struct {
	Identity     *identity.Identity `json:"identity"`
	Session      *session.Session   `json:"session,omitempty"`
	SessionToken string             `json:"session_token,omitempty"`
}
