package schema

import (
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/httpx"
)

// Handler serves GET /schemas/{id} on both ports.
type Handler struct {
	Registry *Registry
	Log      *slog.Logger
}

// Register mounts the route.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /schemas/{id}", httpx.Handle(h.Log, h.get))
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	s, ok := h.Registry.Schema(r.PathValue("id"))
	if !ok {
		return httpx.ErrNotFound.WithReason("no identity schema has this id")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(s.Raw)
	return err
}
