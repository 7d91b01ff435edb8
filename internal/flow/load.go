package flow

import (
	"errors"
	"net/http"

	"github.com/latchkey/latchkey/internal/store"
)

// Load reads the flow a submission names in ?flow=, and marks the request
// as coming from a browser when the flow is a browser flow, so that errors
// from here on are shown on the error page rather than as JSON.
func Load(r *http.Request, flows Store, kind Kind) (*Flow, error) {
	id, err := ID(r, "flow")
	if err != nil {
		return nil, err
	}
	f, err := flows.Flow(r.Context(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if f.Type == Browser {
		MarkBrowser(r)
	}
	return f, nil
}
