package flow

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/ui"
)

// Kind names a self-service flow.
type Kind string

const (
	Login        Kind = "login"
	Registration Kind = "registration"
	Settings     Kind = "settings"
	Recovery     Kind = "recovery"
	Verification Kind = "verification"
)

// Type says who drives a flow: a native app (JSON) or a browser (redirects
// and cookies).
type Type string

const (
	API     Type = "api"
	Browser Type = "browser"
)

// Flow is the stored state of one self-service flow.
type Flow struct {
	ID         uuid.UUID
	Kind       Kind
	Type       Type
	State      string
	IdentityID uuid.UUID // settings: the owner; uuid.Nil otherwise
	CSRFToken  string
	RequestURL string
	ReturnTo   string
	Forced     bool   // login: refresh=true
	Active     string // the method last used
	UI         ui.Container
	Internal   json.RawMessage // flow-specific state never shown to clients
	IssuedAt   time.Time
	ExpiresAt  time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Expired reports whether the flow can no longer be submitted.
func (f *Flow) Expired(now time.Time) bool { return !now.Before(f.ExpiresAt) }

// Store persists flows of every kind.
type Store interface {
	CreateFlow(ctx context.Context, f *Flow) error
	// Flow loads a flow of one kind; store.ErrNotFound for an unknown id or
	// a flow of another kind.
	Flow(ctx context.Context, kind Kind, id uuid.UUID) (*Flow, error)
	UpdateFlow(ctx context.Context, f *Flow) error
}

// ErrInvalid is returned by strategies when a submission failed validation;
// the problems are already on the flow's form.
var ErrInvalid = errors.New("flow: the submission is invalid")

// Pick returns the strategy a submission's method names, or the zero value.
func Pick[S interface{ ID() string }](strategies []S, method string) S {
	for _, s := range strategies {
		if s.ID() == method {
			return s
		}
	}
	var none S
	return none
}
