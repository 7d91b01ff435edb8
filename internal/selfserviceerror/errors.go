// Package selfserviceerror keeps the errors a browser met during a flow
// (CSRF failures, unknown flows, internal errors) so the error page the
// browser is sent to can show them: GET /self-service/errors?error=ID.
package selfserviceerror

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
)

// Container is a stored error as clients see it.
type Container struct {
	ID        string            `json:"id"`
	Errors    []json.RawMessage `json:"errors"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// Store persists errors.
type Store interface {
	InsertError(ctx context.Context, c *Container) error
	Error(ctx context.Context, id uuid.UUID) (*Container, error)
}

// Manager saves errors for the error page.
type Manager struct {
	Store Store
	Clock clock.Clock
}

// SaveError stores one error; only its public fields, never its cause.
func (m *Manager) SaveError(ctx context.Context, e *httpx.Error) (uuid.UUID, error) {
	body, err := json.Marshal(e.Body())
	if err != nil {
		return uuid.Nil, err
	}
	now := m.Clock.Now()
	c := &Container{ID: uuid.NewString(), Errors: []json.RawMessage{body}, CreatedAt: now, UpdatedAt: now}
	if err := m.Store.InsertError(ctx, c); err != nil {
		return uuid.Nil, err
	}
	return uuid.MustParse(c.ID), nil
}

// Handler serves GET /self-service/errors on both ports.
type Handler struct {
	Store Store
	// Admin is true on the admin port, where an unknown id is a 404; the
	// public port answers it with the reference's 403.
	Admin bool
	Log   *slog.Logger
}

// Register mounts the route.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/errors", httpx.Handle(h.Log, h.get))
}

// The reference's answers to an id it has no error for.
var (
	errUnknownPublic = httpx.ErrForbidden.WithReason("A request failed due to a missing or invalid csrf_token value.")
	errUnknownAdmin  = &httpx.Error{Code: http.StatusNotFound, Message: "Unable to locate the resource"}
)

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("error")
	if raw == "stub:500" {
		return httpx.WriteJSON(w, http.StatusOK, stub())
	}
	// As in the reference, anything that is not a UUID is looked up as the
	// nil UUID, which no stored error has.
	id, err := uuid.Parse(raw)
	if err != nil {
		id = uuid.Nil
	}
	c, err := h.Store.Error(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		if h.Admin {
			return errUnknownAdmin
		}
		return errUnknownPublic
	}
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// stub is the reference's one example error, for building error pages: a
// fresh id on every call and zero timestamps.
func stub() *Container {
	body, _ := json.Marshal(httpx.ErrInternal.WithReason("This is a stub error.").Body())
	return &Container{ID: uuid.NewString(), Errors: []json.RawMessage{body}}
}
