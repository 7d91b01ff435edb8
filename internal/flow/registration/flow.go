package registration

import (
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/ui"
)

// Flow is the registration flow as clients see it.
type Flow struct {
	ID         uuid.UUID    `json:"id"`
	Type       flow.Type    `json:"type"`
	ExpiresAt  time.Time    `json:"expires_at"`
	IssuedAt   time.Time    `json:"issued_at"`
	RequestURL string       `json:"request_url"`
	UI         ui.Container `json:"ui"`
}

func wire(f *flow.Flow) Flow {
	return Flow{ID: f.ID, Type: f.Type, ExpiresAt: f.ExpiresAt, IssuedAt: f.IssuedAt, RequestURL: f.RequestURL, UI: f.UI}
}

// Result is the answer to a successful api registration; the session and
// its token are there when the session hook is configured.
type Result struct {
	Identity     *identity.Identity `json:"identity"`
	Session      *session.Session   `json:"session,omitempty"`
	SessionToken string             `json:"session_token,omitempty"`
}
