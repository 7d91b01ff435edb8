package settings

import (
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/ui"
)

// Flow states.
const (
	StateShowForm = "show_form"
	StateSuccess  = "success"
)

// Flow is the settings flow as clients see it.
type Flow struct {
	ID         uuid.UUID          `json:"id"`
	Type       flow.Type          `json:"type"`
	ExpiresAt  time.Time          `json:"expires_at"`
	IssuedAt   time.Time          `json:"issued_at"`
	RequestURL string             `json:"request_url"`
	UI         ui.Container       `json:"ui"`
	Identity   *identity.Identity `json:"identity"`
	State      string             `json:"state"`
	Active     string             `json:"active,omitempty"`
}

func wire(f *flow.Flow, i *identity.Identity) Flow {
	return Flow{ID: f.ID, Type: f.Type, ExpiresAt: f.ExpiresAt, IssuedAt: f.IssuedAt, RequestURL: f.RequestURL, UI: f.UI,
		Identity: i, State: f.State, Active: f.Active}
}

// Result is the answer to a successful api settings submission.
type Result struct {
	Flow     Flow               `json:"flow"`
	Identity *identity.Identity `json:"identity"`
}
