package login

import (
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/session"
)

// Flow is the login flow as clients see it.
type Flow struct {
	flow.Common
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Forced    bool      `json:"forced"`
	Active    string    `json:"active,omitempty"`
	// Refresh (the later versions' name for forced) and RequestedAAL are
	// the later versions' fields; v0.6.3 clients ignore them.
	Refresh      bool        `json:"refresh"`
	RequestedAAL session.AAL `json:"requested_aal"`
}

func wire(f *flow.Flow) Flow {
	return Flow{Common: f.Common(), CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, Forced: f.Forced, Active: f.Active,
		Refresh: f.Forced, RequestedAAL: flowAAL(f)}
}

// Result is the answer to a successful api login.
type Result struct {
	Session      *session.Session `json:"session"`
	SessionToken string           `json:"session_token,omitempty"`
}
