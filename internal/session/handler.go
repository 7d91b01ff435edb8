package session

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
)

// Handler serves the public session endpoints.
type Handler struct {
	Manager *Manager
	Log     *slog.Logger
}

// Register mounts /sessions/whoami (on every common method, because
// gateways forward the original request's method) and DELETE /sessions.
func (h *Handler) Register(mux *http.ServeMux) {
	whoami := httpx.Handle(h.Log, h.whoami)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.Handle(m+" /sessions/whoami", whoami) // GET also answers HEAD
	}
	mux.Handle("DELETE /sessions", httpx.Handle(h.Log, h.revoke))
	// Any other method (TRACE, CONNECT, ...) gets 405, not the catch-all 404.
	mux.Handle("/sessions/whoami", httpx.Handle(h.Log, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", "GET, POST, PUT, PATCH, DELETE")
		return httpx.ErrMethodNotAllowed
	}))
}

var errNoSession = httpx.ErrUnauthorized.WithReason("No valid session credentials found in the request: send the session cookie, an X-Session-Token header or an Authorization: Bearer header.")

func (h *Handler) whoami(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	s, err := h.Manager.FromRequest(r)
	if errors.Is(err, ErrNoSession) {
		return errNoSession
	}
	if err != nil {
		return httpx.ErrServiceUnavailabe.WithCause(err)
	}
	w.Header().Set("X-Kratos-Authenticated-Identity-Id", s.Identity.ID.String())
	return httpx.WriteJSON(w, http.StatusOK, s)
}

type revokeBody struct {
	SessionToken string `json:"session_token"`
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) error {
	var body revokeBody
	if err := httpx.DecodeJSONAnyType(w, r, &body); err != nil {
		return err
	}
	if body.SessionToken == "" {
		return httpx.ErrNotFound.WithReason("session_token is missing")
	}
	err := h.Manager.Revoke(r.Context(), body.SessionToken)
	if errors.Is(err, store.ErrNotFound) {
		return httpx.ErrNotFound.WithReason("no session has this token")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
