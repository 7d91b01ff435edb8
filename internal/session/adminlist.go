package session

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
)

// KeysetStore is what the admin list of every session needs.
type KeysetStore interface {
	ListSessions(ctx context.Context, active *bool, now time.Time, after uuid.UUID, limit int) ([]*Session, error)
	IdentitiesByID(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*identity.Identity, error)
}

// listed is a session of the admin list: identity and devices only when
// expanded, as the later versions answer.
type listed struct {
	*Session
	Identity *identity.Identity `json:"identity,omitempty"`
	Devices  *[]Device          `json:"devices,omitempty"`
}

// all answers GET /admin/sessions: every session, keyset-paged by id
// (page_size, default 250, max 1000; page_token, the last id of the page
// before, from the Link header's next), without X-Total-Count;
// expand=identity and expand=devices add those fields.
func (l *Lister) all(w http.ResponseWriter, r *http.Request) error {
	if l.Keyset == nil {
		return httpx.ErrNotFound
	}
	q := r.URL.Query()
	active, err := activeParam(r)
	if err != nil {
		return err
	}
	limit, err := size(q, "page_size")
	if err != nil {
		return err
	}
	after := uuid.Nil
	if v := q.Get("page_token"); v != "" {
		if after, err = uuid.Parse(v); err != nil {
			return errPageToken
		}
	}
	var withIdentity, withDevices bool
	for _, e := range q["expand"] {
		switch e {
		case "identity":
			withIdentity = true
		case "devices":
			withDevices = true
		default:
			return httpx.ErrBadRequest.WithReason("expand takes identity or devices, not %q", e)
		}
	}
	// One more than a page says whether there is a next one.
	list, err := l.Keyset.ListSessions(r.Context(), active, l.Now(), after, limit+1)
	if err != nil {
		return err
	}
	more := len(list) > limit
	list = list[:min(len(list), limit)]
	var identities map[uuid.UUID]*identity.Identity
	if withIdentity {
		ids := make([]uuid.UUID, 0, len(list))
		for _, s := range list {
			ids = append(ids, s.IdentityID)
		}
		if identities, err = l.Keyset.IdentitiesByID(r.Context(), ids); err != nil {
			return err
		}
		for _, i := range identities {
			i.SchemaURL = identity.SchemaURL(l.Manager.PublicBase, i.SchemaID)
		}
	}
	out := make([]listed, len(list))
	for k, s := range list {
		out[k] = listed{Session: s}
		if withIdentity {
			out[k].Identity = identities[s.IdentityID]
		}
		if withDevices {
			out[k].Devices = &s.Devices
		}
	}
	link := func(token, rel string) string {
		lq := r.URL.Query()
		lq.Del("page_token")
		if token != "" {
			lq.Set("page_token", token)
		}
		lq.Set("page_size", strconv.Itoa(limit))
		u := url.URL{Path: r.URL.Path, RawQuery: lq.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	h := link("", "first")
	if more {
		h += "," + link(list[len(list)-1].ID.String(), "next")
	}
	w.Header().Set("Link", h)
	return httpx.WriteJSON(w, http.StatusOK, out)
}
