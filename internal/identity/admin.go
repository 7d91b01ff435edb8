package identity

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/store"
)

// AdminHandler serves /identities on the admin port.
type AdminHandler struct {
	Manager   *Manager
	Hasher    PasswordHasher
	Log       *slog.Logger
	AdminBase string // for Link headers
	// Credentials, when set, serves the credentials list
	// (?include_credential=) and removing a second factor.
	Credentials CredentialStore
	// FactorRemoved is told when an admin removed a second factor (the
	// security notice).
	FactorRemoved func(r *http.Request, identityID uuid.UUID, method string, added bool)
}

// Register mounts the routes.
func (h *AdminHandler) Register(mux *http.ServeMux) {
	mux.Handle("GET /identities", httpx.Handle(h.Log, h.list))
	mux.Handle("POST /identities", httpx.Handle(h.Log, h.create))
	mux.Handle("GET /identities/{id}", httpx.Handle(h.Log, h.get))
	mux.Handle("PUT /identities/{id}", httpx.Handle(h.Log, h.update))
	mux.Handle("DELETE /identities/{id}", httpx.Handle(h.Log, h.delete))
	if h.Credentials != nil {
		mux.Handle("DELETE /identities/{id}/credentials/{type}", httpx.Handle(h.Log, h.deleteCredential))
	}
}

const (
	defaultPerPage = 100
	maxPerPage     = 500
	maxPage        = 1 << 30 // beyond any real table; keeps offsets from overflowing
)

func (h *AdminHandler) list(w http.ResponseWriter, r *http.Request) error {
	page, err := queryInt(r, "page", 0)
	if err != nil {
		return err
	}
	perPage, err := queryInt(r, "per_page", defaultPerPage)
	if err != nil {
		return err
	}
	page = min(max(page, 0), maxPage)
	perPage = min(max(perPage, 1), maxPerPage)
	list, total, err := h.Manager.Store.ListIdentities(r.Context(), page*perPage, perPage)
	if err != nil {
		return err
	}
	for _, i := range list {
		h.Manager.Decorate(i)
	}
	if list == nil {
		list = []*Identity{}
	}
	w.Header().Set("Link", linkHeader(h.AdminBase+"identities", page, perPage, total))
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	return httpx.WriteJSON(w, http.StatusOK, list)
}

func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(v, "-") {
				return 0, nil
			}
			return maxPage, nil
		}
		return 0, httpx.ErrBadRequest.WithReason("query parameter %s must be a whole number", name)
	}
	return int(max(min(n, maxPage), -1)), nil
}

// linkHeader builds RFC 8288 links to the first, previous, next and last
// pages, as the reference's clients follow them.
func linkHeader(base string, page, perPage, total int) string {
	last := 0
	if total > 0 {
		last = (total - 1) / perPage
	}
	link := func(p int, rel string) string {
		return fmt.Sprintf("<%s?page=%d&per_page=%d>; rel=%q", base, p, perPage, rel)
	}
	parts := []string{link(0, "first")}
	if page < last {
		parts = append(parts, link(page+1, "next"))
	}
	if page > 0 {
		parts = append(parts, link(min(page-1, last), "prev"))
	}
	parts = append(parts, link(last, "last"))
	return strings.Join(parts, ",")
}

func (h *AdminHandler) create(w http.ResponseWriter, r *http.Request) error {
	var body writeBody
	if err := httpx.DecodeJSON(w, r, &body, true); err != nil {
		return err
	}
	d, err := body.draft(r.Context(), h.Hasher, h.Manager.Clock.Now())
	if err != nil {
		return err
	}
	i, err := h.Manager.Create(r.Context(), d)
	if err != nil {
		return h.writeError(err)
	}
	w.Header().Set("Location", h.AdminBase+"identities/"+i.ID.String())
	return httpx.WriteJSON(w, http.StatusCreated, i)
}

func (h *AdminHandler) get(w http.ResponseWriter, r *http.Request) error {
	i, err := h.load(r)
	if err != nil {
		return err
	}
	if h.Credentials != nil && r.URL.Query().Has("include_credential") {
		v, err := h.withCredentialsView(r.Context(), i)
		if err != nil {
			return err
		}
		return httpx.WriteJSON(w, http.StatusOK, v)
	}
	return httpx.WriteJSON(w, http.StatusOK, i)
}

func (h *AdminHandler) update(w http.ResponseWriter, r *http.Request) error {
	current, err := h.load(r)
	if err != nil {
		return err
	}
	var body writeBody
	if err := httpx.DecodeJSON(w, r, &body, true); err != nil {
		return err
	}
	d, err := body.draft(r.Context(), h.Hasher, h.Manager.Clock.Now())
	if err != nil {
		return err
	}
	if d.WebAuthnConfig != nil {
		return httpx.ErrBadRequest.WithReason("credentials.webauthn is taken when an identity is created; keys are added in settings")
	}
	i, err := h.Manager.Apply(r.Context(), current, d)
	if err != nil {
		return h.writeError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, i)
}

func (h *AdminHandler) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.Manager.Store.DeleteIdentity(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return httpx.ErrNotFound.WithReason("no identity has this id")
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *AdminHandler) load(r *http.Request) (*Identity, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	i, err := h.Manager.Store.Identity(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, httpx.ErrNotFound.WithReason("no identity has this id")
	}
	if err != nil {
		return nil, err
	}
	h.Manager.Decorate(i)
	return i, nil
}

// pathID parses {id}; a value that is not a UUID cannot name an identity,
// so it is a 404 like any unknown id.
func pathID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, httpx.ErrNotFound.WithReason("no identity has this id")
	}
	return id, nil
}

// writeError maps Manager errors to the admin API's statuses.
func (h *AdminHandler) writeError(err error) error {
	var ve *schema.ValidationError
	switch {
	case errors.As(err, &ve):
		return httpx.ErrBadRequest.WithReason("%s", ve.Error()).WithDetail("problems", problems(ve))
	case errors.Is(err, ErrUnknownSchema):
		return httpx.ErrBadRequest.WithReason("%s", err.Error())
	case errors.Is(err, store.ErrConflict):
		return httpx.ErrConflict.WithReason("an identity with this identifier or address exists already")
	case errors.Is(err, store.ErrNotFound):
		return httpx.ErrNotFound.WithReason("no identity has this id")
	}
	return err
}

func problems(ve *schema.ValidationError) []map[string]string {
	out := make([]map[string]string, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		out = append(out, map[string]string{"field": p.Field, "message": p.Message})
	}
	return out
}
