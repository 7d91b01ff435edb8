package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
)

// ListStore is what listing and ending sessions needs, beyond Store.
type ListStore interface {
	ListIdentitySessions(ctx context.Context, identityID uuid.UUID, active *bool, except uuid.UUID, now time.Time, offset, limit int) ([]*Session, int, error)
	SessionByID(ctx context.Context, id uuid.UUID) (*Session, error)
	RevokeSession(ctx context.Context, identityID, id uuid.UUID, now time.Time) error
	RevokeOtherSessions(ctx context.Context, identityID, keep uuid.UUID, now time.Time) (int, error)
	DeleteIdentitySessions(ctx context.Context, identityID uuid.UUID) (int, error)
	ExtendSession(ctx context.Context, id uuid.UUID, expiresAt, now time.Time) error
	Identity(ctx context.Context, id uuid.UUID) (*identity.Identity, error)
}

// Lister serves the session lists: the caller's own on the public port
// (GET /sessions, DELETE /sessions/{id}, DELETE /sessions without a body),
// an identity's on the admin port, with the later reference versions'
// paths and shapes.
type Lister struct {
	Manager *Manager
	Store   ListStore
	Now     func() time.Time
	Log     interface {
		ErrorContext(ctx context.Context, msg string, args ...any)
	}
}

// page reads page (0-based) and per_page (default 250, max 1000).
func page(r *http.Request) (offset, limit, pg int, err error) {
	q := r.URL.Query()
	limit = 250
	if v := q.Get("per_page"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return 0, 0, 0, httpx.ErrBadRequest.WithReason("per_page must be a positive number")
		}
		limit = min(limit, 1000)
	}
	if v := q.Get("page"); v != "" {
		if pg, err = strconv.Atoi(v); err != nil || pg < 0 {
			return 0, 0, 0, httpx.ErrBadRequest.WithReason("page must be a number from 0")
		}
	}
	return pg * limit, limit, pg, nil
}

// writePage answers a page with X-Total-Count and a Link header.
func writePage(w http.ResponseWriter, r *http.Request, list []*Session, total, pg, limit int) error {
	h := w.Header()
	h.Set("X-Total-Count", strconv.Itoa(total))
	last := max((total-1)/limit, 0)
	link := func(p int, rel string) string {
		u := url.URL{Path: r.URL.Path}
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(limit))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	l := link(0, "first")
	if pg < last {
		l += "," + link(pg+1, "next")
	}
	if pg > 0 {
		l += "," + link(min(pg-1, last), "prev")
	}
	h.Set("Link", l+","+link(last, "last"))
	return httpx.WriteJSON(w, http.StatusOK, list)
}

func activeParam(r *http.Request) (*bool, error) {
	v := r.URL.Query().Get("active")
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, httpx.ErrBadRequest.WithReason("active must be true or false")
	}
	return &b, nil
}

// caller is the request's session, or the reference's 401.
func (l *Lister) caller(r *http.Request) (*Session, error) {
	s, err := l.Manager.FromRequest(r)
	if errors.Is(err, ErrNoSession) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, httpx.ErrServiceUnavailabe.WithCause(err)
	}
	return s, nil
}

// mine lists the caller's other active sessions.
func (l *Lister) mine(w http.ResponseWriter, r *http.Request) error {
	s, err := l.caller(r)
	if err != nil {
		return err
	}
	offset, limit, pg, err := page(r)
	if err != nil {
		return err
	}
	active := true
	list, total, err := l.Store.ListIdentitySessions(r.Context(), s.IdentityID, &active, s.ID, l.Now(), offset, limit)
	if err != nil {
		return err
	}
	return writePage(w, r, list, total, pg, limit)
}

// revokeMine ends one of the caller's other sessions: 204 whatever the id
// names (so it reveals nothing), 400 for its own.
func (l *Lister) revokeMine(w http.ResponseWriter, r *http.Request) error {
	s, err := l.caller(r)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return httpx.ErrBadRequest.WithReason("the session id is not a UUID")
	}
	if id == s.ID {
		return httpx.ErrBadRequest.WithReason("this is the session of the request: sign out instead")
	}
	if err := l.Store.RevokeSession(r.Context(), s.IdentityID, id, l.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeOthers ends every other session of the caller: 200 {count}.
func (l *Lister) revokeOthers(w http.ResponseWriter, r *http.Request, s *Session) error {
	n, err := l.Store.RevokeOtherSessions(r.Context(), s.IdentityID, s.ID, l.Now())
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]int{"count": n})
}
