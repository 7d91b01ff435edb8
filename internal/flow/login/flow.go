package login

import (
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/ui"
)

// Flow is the login flow as clients see it.
type Flow struct {
	ID         uuid.UUID    `json:"id"`
	Type       flow.Type    `json:"type"`
	ExpiresAt  time.Time    `json:"expires_at"`
	IssuedAt   time.Time    `json:"issued_at"`
	RequestURL string       `json:"request_url"`
	UI         ui.Container `json:"ui"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
	Forced     bool         `json:"forced"`
	Active     string       `json:"active,omitempty"`
}

func wire(f *flow.Flow) Flow {
	return Flow{ID: f.ID, Type: f.Type, ExpiresAt: f.ExpiresAt, IssuedAt: f.IssuedAt, RequestURL: f.RequestURL, UI: f.UI,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, Forced: f.Forced, Active: f.Active}
}

// Result is the answer to a successful api login.
type Result struct {
	Session      *session.Session `json:"session"`
	SessionToken string           `json:"session_token,omitempty"`
}
