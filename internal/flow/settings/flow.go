package settings

import (
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
)

// Flow states.
const (
	StateShowForm = "show_form"
	StateSuccess  = "success"
)

// Flow is the settings flow as clients see it.
type Flow struct {
	flow.Common
	Identity *identity.Identity `json:"identity"`
	State    string             `json:"state"`
	Active   string             `json:"active,omitempty"`
}

func wire(f *flow.Flow, i *identity.Identity) Flow {
	return Flow{Common: f.Common(), Identity: i, State: f.State, Active: f.Active}
}

// Result is the answer to a successful api settings submission.
type Result struct {
	Flow     Flow               `json:"flow"`
	Identity *identity.Identity `json:"identity"`
}
