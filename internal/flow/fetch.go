package flow

import (
	"errors"
	"net/http"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Fetch answers GET /self-service/<kind>/flows?id=: the flow in its wire
// form, 404 for an unknown id, 410 once it expired.
func Fetch[W any](w http.ResponseWriter, r *http.Request, k *Kit, kind Kind, wire func(*Flow) W) error {
	id, err := ID(r, "id")
	if err != nil {
		return err
	}
	f, err := k.Flows.Flow(r.Context(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if f.Expired(k.Clock.Now()) {
		return k.Responder.Gone(f)
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

// APIHeaderMessage explains why an api flow refused a browser's request.
func APIHeaderMessage(header string) text.Message {
	return text.Generic("api flows must not be submitted with a " + header + " header: browsers must use the browser flow")
}
