package flow

import (
	"errors"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Submit describes one flow's submit endpoint (POST /self-service/<kind>).
type Submit struct {
	Kind Kind
	// Expired is the message the flow replacing an expired one carries.
	Expired func(at time.Time) text.Message
	// Renew makes the flow that replaces an expired one.
	Renew func(w http.ResponseWriter, r *http.Request, expired *Flow) (*Flow, error)
	// Wire is the flow as clients see it, shown again after an invalid
	// submission.
	Wire func(f *Flow) any
	// Handle acts on a loaded, checked submission. It returns ErrInvalid
	// (with the problems on the flow's form) to have the flow shown again.
	Handle func(w http.ResponseWriter, r *http.Request, f *Flow, sub Submission) error
}

// ExpiredError is a submission to a flow that can no longer be submitted.
type ExpiredError struct{ Flow *Flow }

func (e *ExpiredError) Error() string {
	return "flow: the " + string(e.Flow.Kind) + " flow has expired"
}

// Handler serves a submit endpoint with Run.
func (k *Kit) Handler(s Submit) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { k.Run(w, r, s) })
}

// Run answers one submission: the flow is loaded and the body read (Load),
// s.Handle acts on them, and whatever went wrong is answered here, in one
// place, as the loaded flow's type asks.
func (k *Kit) Run(w http.ResponseWriter, r *http.Request, s Submit) {
	f, sub, err := k.Load(w, r, s.Kind)
	if err == nil {
		err = s.Handle(w, r, f, sub)
	}
	if err != nil {
		k.fail(w, r, s, f, err)
	}
}

// Load reads the flow a submission names in ?flow= and the submitted
// values: a flow that expired comes back as *ExpiredError; a browser flow's
// anti-CSRF token is checked; old messages are cleared. An api flow sent
// with browser headers comes back with ErrInvalid and the problem on its
// form. Errors after the flow was read come with the flow, so that they
// are answered as its type asks.
func (k *Kit) Load(w http.ResponseWriter, r *http.Request, kind Kind) (*Flow, Submission, error) {
	id, err := ID(r, "flow")
	if err != nil {
		return nil, Submission{}, err
	}
	f, err := k.Flows.Flow(r.Context(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, Submission{}, ErrNotFound
	}
	if err != nil {
		return nil, Submission{}, err
	}
	if f.Expired(time.Now()) {
		return f, Submission{}, &ExpiredError{Flow: f}
	}
	sub, err := Decode(w, r)
	if err != nil {
		return f, sub, err
	}
	if f.Type == Browser {
		if err := k.Web.CheckCSRF(r, f, sub); err != nil {
			return f, sub, err
		}
	}
	f.UI.ResetMessages()
	if hdr := APIRequestProblem(r); f.Type == API && hdr != "" {
		f.UI.AddMessage(APIHeaderMessage(hdr))
		return f, sub, ErrInvalid
	}
	return f, sub, nil
}

// fail is the one error adapter of submissions: an expired flow is
// replaced, an invalid submission shows its flow again, and any other
// error goes to a browser flow's error page or to the client as JSON.
func (k *Kit) fail(w http.ResponseWriter, r *http.Request, s Submit, f *Flow, err error) {
	var expired *ExpiredError
	switch {
	case errors.As(err, &expired):
		err = k.replace(w, r, s, expired.Flow)
	case f != nil && errors.Is(err, ErrInvalid):
		err = k.invalid(w, r, f, s.Wire(f))
	}
	if err != nil {
		k.Web.Fail(w, r, f != nil && f.Type == Browser, err)
	}
}

// replace answers a submission to an expired flow with a new one that
// takes over its return_to and says it expired.
func (k *Kit) replace(w http.ResponseWriter, r *http.Request, s Submit, old *Flow) error {
	next, err := s.Renew(w, r, old)
	if err != nil {
		return err
	}
	next.ReturnTo = old.ReturnTo
	return k.Restart(w, r, next, s.Expired(old.ExpiresAt))
}

// invalid stores a flow whose submission failed and shows it again.
func (k *Kit) invalid(w http.ResponseWriter, r *http.Request, f *Flow, wire any) error {
	if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	return k.Responder.Show(w, r, f, http.StatusBadRequest, wire)
}
