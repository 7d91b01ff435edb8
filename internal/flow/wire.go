package flow

import (
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/ui"
)

// Common is what every flow shows clients; each flow's wire type embeds it
// and adds its own fields.
type Common struct {
	ID         uuid.UUID    `json:"id"`
	Type       Type         `json:"type"`
	ExpiresAt  time.Time    `json:"expires_at"`
	IssuedAt   time.Time    `json:"issued_at"`
	RequestURL string       `json:"request_url"`
	UI         ui.Container `json:"ui"`
}

// Common returns the fields every flow shows.
func (f *Flow) Common() Common {
	return Common{ID: f.ID, Type: f.Type, ExpiresAt: f.ExpiresAt, IssuedAt: f.IssuedAt, RequestURL: f.RequestURL, UI: f.UI}
}

// Stated is the wire form of flows that move through states (recovery,
// verification).
type Stated struct {
	Common
	State  string `json:"state"`
	Active string `json:"active,omitempty"`
}

// Stated returns the wire form of a flow with states.
func (f *Flow) Stated() Stated {
	return Stated{Common: f.Common(), State: f.State, Active: f.Active}
}
