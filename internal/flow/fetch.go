package flow

import (
	"errors"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Fetch answers GET /self-service/<kind>/flows?id=: the flow in its wire
// form, 404 for an unknown id, 410 once it expired.
func Fetch[W any](w http.ResponseWriter, r *http.Request, flows Store, rs *Responder, kind Kind, wire func(*Flow) W) error {
	id, err := ID(r, "id")
	if err != nil {
		return err
	}
	f, err := flows.Flow(r.Context(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if f.Expired(time.Now()) {
		return rs.Gone(f)
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

// Replace answers a submission to an expired flow: next (already created)
// takes over its return_to and carries the expiry message.
func (rs *Responder) Replace(w http.ResponseWriter, r *http.Request, flows Store, expired, next *Flow, msg text.Message) error {
	next.ReturnTo = expired.ReturnTo
	next.UI.AddMessage(msg)
	if err := flows.UpdateFlow(r.Context(), next); err != nil {
		return err
	}
	return rs.Expired(w, r, next)
}

// Invalid stores a flow whose submission failed and shows it again.
func (rs *Responder) Invalid(w http.ResponseWriter, r *http.Request, flows Store, f *Flow, wire any) error {
	if err := flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	return rs.Show(w, r, f, http.StatusBadRequest, wire)
}

// APIHeaderMessage explains why an api flow refused a browser's request.
func APIHeaderMessage(header string) text.Message {
	return text.Generic("api flows must not be submitted with a " + header + " header: browsers must use the browser flow")
}
