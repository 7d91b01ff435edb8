package session

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
)

// Handler serves the public session endpoints.
type Handler struct {
	Manager *Manager
	// Lister, when set, serves the caller's session list too.
	Lister *Lister
	// RequiredAAL is session.whoami.required_aal: "aal1" (the v0.6.3
	// behaviour) or "highest_available".
	RequiredAAL string
	PublicBase  string // for the step-up URL of a refusal
	Log         *slog.Logger
}

// Register mounts /sessions/whoami (on every common method, because
// gateways forward the original request's method) and DELETE /sessions.
func (h *Handler) Register(mux *http.ServeMux) {
	whoami := httpx.Handle(h.Log, h.whoami)
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.Handle(m+" /sessions/whoami", whoami) // GET also answers HEAD
	}
	mux.Handle("DELETE /sessions", httpx.Handle(h.Log, h.revoke))
	if h.Lister != nil {
		mux.Handle("GET /sessions", httpx.Handle(h.Log, h.Lister.mine))
		mux.Handle("DELETE /sessions/{id}", httpx.Handle(h.Log, h.Lister.revokeMine))
	}
	// Other methods get 405, not the catch-all 404. They are named one by
	// one: a method-less pattern would collide with DELETE /sessions/{id}.
	notAllowed := httpx.Handle(h.Log, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Allow", "GET, POST, PUT, PATCH, DELETE")
		return httpx.ErrMethodNotAllowed
	})
	for _, m := range []string{"TRACE", "CONNECT", "OPTIONS"} {
		mux.Handle(m+" /sessions/whoami", notAllowed)
	}
}

var errNoSession = httpx.ErrUnauthorized.WithReason("No valid session credentials found in the request: send the session cookie, an X-Session-Token header or an Authorization: Bearer header.")

func (h *Handler) whoami(w http.ResponseWriter, r *http.Request) error {
	httpx.NoStore(w.Header())
	var refused error
	a, err := h.Manager.Whoami(r, func(s *Session) error {
		ok, err := h.Manager.Satisfies(r.Context(), s, h.RequiredAAL)
		switch {
		case err != nil:
			refused = httpx.ErrServiceUnavailable.WithCause(err)
		case !ok:
			refused = AAL2Required(h.PublicBase, r.URL.Query().Get("return_to"))
		}
		return refused
	})
	switch {
	case errors.Is(err, ErrNoSession):
		return errNoSession
	case err != nil && err == refused:
		return err
	case err != nil:
		return httpx.ErrServiceUnavailable.WithCause(err)
	}
	w.Header()["X-Kratos-Authenticated-Identity-Id"] = a.IdentityHeader
	return httpx.WriteAnswer(w, http.StatusOK, a.Body, a.ContentLength)
}

type revokeBody struct {
	SessionToken string `json:"session_token"`
}

// revoke is v0.6.3's token logout when the body names a token; without a
// body, a signed-in caller ends their other sessions (the later versions'
// meaning, 200 {count}).
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) error {
	if h.Lister != nil && r.ContentLength <= 0 && h.Manager.TokenFromRequest(r) != "" {
		if s, err := h.Manager.FromRequest(r); err == nil {
			if r.ContentLength == 0 || !hasBody(r) {
				return h.Lister.revokeOthers(w, r, s)
			}
		} else if !errors.Is(err, ErrNoSession) {
			return httpx.ErrServiceUnavailable.WithCause(err)
		}
	}
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

// hasBody peeks whether a request of unknown length sends anything.
func hasBody(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	var b [1]byte
	n, _ := r.Body.Read(b[:])
	if n == 0 {
		return false
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b[:n]), r.Body), r.Body}
	return true
}
