// Package logout is browser sign-out: GET /self-service/browser/flows/logout
// revokes the session in the cookie, expires the cookie and redirects. Api
// clients sign out with DELETE /sessions (package session).
package logout

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
)

// Handler serves browser logout.
type Handler struct {
	Sessions *session.Manager
	Web      *flow.Web
	// AfterURL is logout.after.default_browser_return_url, or the default.
	AfterURL string
	// SameSite are the origins a logout may be started from: the public
	// base URL and the allowed return URLs.
	SameSite []string
	Log      *slog.Logger
}

// Register mounts the route. Other methods reach it only with a valid
// anti-CSRF pair (the guard in front of the public port refuses the rest
// with 400) and then get the reference's plain 405.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/browser/flows/logout", h.Web.Handle(true, h.logout))
	mux.HandleFunc("/self-service/browser/flows/logout", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, OPTIONS")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	})
}

var errCrossSite = httpx.ErrForbidden.WithReason("Sign-out was requested by another site and was refused. Use the sign-out button of the application.")

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	// A GET can be triggered by any page (an <img> tag); browsers that say
	// where a request comes from are only obeyed for requests from here.
	if h.crossSite(r) {
		httpx.Refused(r.Context(), "cross_site")
		return errCrossSite
	}
	next := h.AfterURL
	if rt, err := h.Web.ReturnTo(r); err != nil {
		return err
	} else if rt != "" {
		next = rt
	}
	// As in the reference: the anti-CSRF token is always renewed; a bearer
	// token is revoked and the cookie left alone; otherwise the cookie's
	// session is revoked and the cookie expired. A browser without a
	// session cookie gets no session Set-Cookie at all.
	h.Web.CSRF.Issue(w, r)
	tok := session.BearerToken(r)
	fromCookie := tok == ""
	if fromCookie {
		tok = h.Sessions.CookieToken(r)
	}
	if tok != "" {
		if err := h.Sessions.Revoke(r.Context(), tok); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if fromCookie {
			h.Sessions.ClearCookie(w)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, next, http.StatusFound)
	return nil
}

func (h *Handler) crossSite(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	for _, hdr := range []string{"Origin", "Referer"} {
		v := r.Header.Get(hdr)
		if v == "" {
			continue
		}
		if !h.trusted(v) {
			return true
		}
	}
	return false
}

func (h *Handler) trusted(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	for _, s := range h.SameSite {
		a, err := url.Parse(s)
		if err == nil && flow.SameOrigin(a, u) {
			return true
		}
	}
	return false
}
