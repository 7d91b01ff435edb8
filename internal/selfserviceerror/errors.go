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
	"strings"
	"time"

	"github.com/google/uuid"

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
}

// SaveError stores one error; only its public fields, never its cause.
func (m *Manager) SaveError(ctx context.Context, e *httpx.Error) (uuid.UUID, error) {
	body, err := json.Marshal(e.Body())
	if err != nil {
		return uuid.Nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	c := &Container{ID: uuid.NewString(), Errors: []json.RawMessage{body}, CreatedAt: now, UpdatedAt: now}
	if err := m.Store.InsertError(ctx, c); err != nil {
		return uuid.Nil, err
	}
	return uuid.MustParse(c.ID), nil
}

// Handler serves GET /self-service/errors on both ports.
type Handler struct {
	Store Store
	Log   *slog.Logger
}

// Register mounts the route.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/errors", httpx.Handle(h.Log, h.get))
}

var errUnknown = httpx.ErrNotFound.WithReason("no error has this id")

func (h *Handler) get(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("error")
	if code, ok := strings.CutPrefix(raw, "stub:"); ok {
		c, ok := stub(code)
		if !ok {
			return errUnknown
		}
		return httpx.WriteJSON(w, http.StatusOK, c)
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return errUnknown
	}
	c, err := h.Store.Error(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errUnknown
	}
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// stub returns a fixed example error, for building error pages.
func stub(code string) (*Container, bool) {
	var e *httpx.Error
	switch code {
	case "500":
		e = httpx.ErrInternal.WithReason("This is a stub error for building an error page.")
	case "400":
		e = httpx.ErrBadRequest.WithReason("This is a stub error for building an error page.")
	case "404":
		e = httpx.ErrNotFound.WithReason("This is a stub error for building an error page.")
	default:
		return nil, false
	}
	body, _ := json.Marshal(e.Body())
	at := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	return &Container{ID: "stub:" + code, Errors: []json.RawMessage{body}, CreatedAt: at, UpdatedAt: at}, true
}
