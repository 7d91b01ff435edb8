package session

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/store"
)

// RegisterAdmin mounts an identity's sessions and one session's read,
// extend and revoke, with and without the later versions' /admin prefix.
func (l *Lister) RegisterAdmin(mux *http.ServeMux, handle func(httpx.HandlerFunc) http.Handler) {
	for _, p := range []string{"", "/admin"} {
		mux.Handle("GET "+p+"/identities/{id}/sessions", handle(l.identitySessions))
		mux.Handle("DELETE "+p+"/identities/{id}/sessions", handle(l.deleteIdentitySessions))
		mux.Handle("GET "+p+"/sessions", handle(l.all))
		mux.Handle("GET "+p+"/sessions/{id}", handle(l.get))
		mux.Handle("DELETE "+p+"/sessions/{id}", handle(l.revoke))
		mux.Handle("PATCH "+p+"/sessions/{id}/extend", handle(l.extend))
	}
}

func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, httpx.ErrBadRequest.WithReason("the id is not a UUID")
	}
	return id, nil
}

func notFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return httpx.ErrNotFound.WithReason("no such session")
	}
	return err
}

func (l *Lister) identitySessions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	active, err := activeParam(r)
	if err != nil {
		return err
	}
	sp, err := page(r)
	if err != nil {
		return err
	}
	list, total, err := l.Store.ListIdentitySessions(r.Context(), id, active, uuid.Nil, l.Now(), sp.offset, sp.limit)
	if err != nil {
		return err
	}
	return writePage(w, r, list, total, sp)
}

func (l *Lister) deleteIdentitySessions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := l.Store.DeleteIdentitySessions(r.Context(), id)
	if err != nil {
		return err
	}
	if n == 0 {
		return httpx.ErrNotFound.WithReason("the identity has no sessions")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// read is a session with its identity.
func (l *Lister) read(r *http.Request) (*Session, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	s, err := l.Store.SessionByID(r.Context(), id)
	if err != nil {
		return nil, notFound(err)
	}
	if s.Identity, err = l.Store.Identity(r.Context(), s.IdentityID); err != nil {
		return nil, notFound(err)
	}
	s.Identity.SchemaURL = identity.SchemaURL(l.Manager.PublicBase, s.Identity.SchemaID)
	return s, nil
}

func (l *Lister) get(w http.ResponseWriter, r *http.Request) error {
	s, err := l.read(r)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, s)
}

func (l *Lister) revoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := l.Store.RevokeSession(r.Context(), uuid.Nil, id, l.Now()); err != nil {
		return notFound(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// extend sets expires_at to now plus session.lifespan.
func (l *Lister) extend(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	now := l.Now()
	if err := l.Store.ExtendSession(r.Context(), id, now.Add(l.Manager.Lifespan), now); err != nil {
		return notFound(err)
	}
	s, err := l.read(r)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, s)
}
