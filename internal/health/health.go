// Package health serves the operational endpoints: liveness, readiness
// (which checks the database) and the version.
package health

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/httpx"
)

// Handler serves /health/alive, /health/ready and /version.
type Handler struct {
	Ping func(ctx context.Context) error
	// Draining reports a server that is stopping: it is not ready, so
	// that load balancers send new clients elsewhere.
	Draining func() bool
	Version  string
	Log      *slog.Logger
}

// Register mounts the health routes (both ports).
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /health/alive", httpx.Handle(h.Log, h.alive))
	mux.Handle("GET /health/ready", httpx.Handle(h.Log, h.ready))
}

// RegisterVersion mounts /version (admin port only).
func (h *Handler) RegisterVersion(mux *http.ServeMux) {
	mux.Handle("GET /version", httpx.Handle(h.Log, func(w http.ResponseWriter, r *http.Request) error {
		return httpx.WriteJSON(w, http.StatusOK, map[string]string{"version": h.Version})
	}))
}

func (h *Handler) alive(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) ready(w http.ResponseWriter, r *http.Request) error {
	if h.Draining != nil && h.Draining() {
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": map[string]string{"shutdown": "this instance is shutting down"}})
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := h.Ping(ctx); err != nil {
		h.Log.WarnContext(r.Context(), "readiness check failed", "error", err.Error())
		return httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": map[string]string{"database": "the database is not reachable"}})
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
