package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
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
	// Keyset, when set, serves the admin list of every session.
	Keyset KeysetStore
	Now    func() time.Time
	// RequiredAAL and PublicBase apply session.whoami.required_aal to the
	// caller's own list, as the later versions do.
	RequiredAAL, PublicBase string
	Log                     interface {
		ErrorContext(ctx context.Context, msg string, args ...any)
	}
}

// span is the slice of a list one page shows.
type span struct{ offset, limit int }

// pageToken is the later versions' page_token, unpadded base64url JSON.
type pageToken struct {
	Offset string `json:"offset"`
	V      int    `json:"v"`
}

func encodeToken(offset int) string {
	b, _ := json.Marshal(pageToken{Offset: strconv.Itoa(offset), V: 2})
	return base64.RawURLEncoding.EncodeToString(b)
}

var errPageToken = httpx.ErrBadRequest.WithReason("page_token is not a token a Link header gave")

func decodeToken(s string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var t pageToken
	if err != nil || json.Unmarshal(b, &t) != nil || t.V != 2 {
		return 0, errPageToken
	}
	n, err := strconv.Atoi(t.Offset)
	if err != nil || n < 0 {
		return 0, errPageToken
	}
	return n, nil
}

// size reads a page length: default 250, at most 1000.
func size(q url.Values, name string) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 250, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, httpx.ErrBadRequest.WithReason("%s must be a positive number", name)
	}
	return min(n, 1000), nil
}

// page reads either pair of paging parameters of the later versions:
// page_token and page_size when either is given, else page (0-based) and
// per_page.
func page(r *http.Request) (span, error) {
	q := r.URL.Query()
	if q.Has("page_token") || q.Has("page_size") {
		limit, err := size(q, "page_size")
		if err != nil {
			return span{}, err
		}
		offset := 0
		if v := q.Get("page_token"); v != "" {
			if offset, err = decodeToken(v); err != nil {
				return span{}, err
			}
		}
		return span{offset, limit}, nil
	}
	limit, err := size(q, "per_page")
	if err != nil {
		return span{}, err
	}
	pg := 0
	if v := q.Get("page"); v != "" {
		if pg, err = strconv.Atoi(v); err != nil || pg < 0 {
			return span{}, httpx.ErrBadRequest.WithReason("page must be a number from 0")
		}
	}
	return span{pg * limit, limit}, nil
}

// writePage answers a page with X-Total-Count and a Link header whose
// first, next, prev and last links each carry both pairs of parameters, so
// a client following them may use either.
func writePage(w http.ResponseWriter, r *http.Request, list []*Session, total int, sp span) error {
	h := w.Header()
	h.Set("X-Total-Count", strconv.Itoa(total))
	last := max((total-1)/sp.limit, 0) * sp.limit
	link := func(offset int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(offset/sp.limit))
		q.Set("per_page", strconv.Itoa(sp.limit))
		q.Set("page_token", encodeToken(offset))
		q.Set("page_size", strconv.Itoa(sp.limit))
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	l := link(0, "first")
	if sp.offset+sp.limit < total {
		l += "," + link(sp.offset+sp.limit, "next")
	}
	if sp.offset > 0 {
		l += "," + link(min(max(sp.offset-sp.limit, 0), last), "prev")
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
		return nil, httpx.ErrServiceUnavailable.WithCause(err)
	}
	return s, nil
}

// mine lists the caller's other active sessions.
func (l *Lister) mine(w http.ResponseWriter, r *http.Request) error {
	s, err := l.caller(r)
	if err != nil {
		return err
	}
	ok, err := l.Manager.Satisfies(r.Context(), s, l.RequiredAAL)
	if err != nil {
		return err
	}
	if !ok {
		return AAL2Required(l.PublicBase, "")
	}
	sp, err := page(r)
	if err != nil {
		return err
	}
	active := true
	list, total, err := l.Store.ListIdentitySessions(r.Context(), s.IdentityID, &active, s.ID, l.Now(), sp.offset, sp.limit)
	if err != nil {
		return err
	}
	return writePage(w, r, list, total, sp)
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
