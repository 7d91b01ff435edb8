package csrf

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/token"
)

// MaxAge is the cookie's lifetime in seconds (a year), the reference's:
// long past any flow, so an open form stays valid.
const MaxAge = 31536000

// Cookie says how the anti-CSRF cookie is written.
type Cookie struct {
	Name     string
	Path     string
	Domain   string
	Secure   bool
	SameSite http.SameSite
}

// CookieFor derives the cookie from the public base URL as the reference
// does: the name is the unpadded base64url of the URL exactly as
// configured plus "_csrf_token", path and domain are the URL's; outside
// dev mode it is Secure and SameSite=None, in dev mode SameSite=Lax.
func CookieFor(publicBase string, dev bool) Cookie {
	c := Cookie{Name: base64.RawURLEncoding.EncodeToString([]byte(publicBase)) + "_csrf_token", Path: "/"}
	if u, err := url.Parse(publicBase); err == nil {
		if u.Path != "" {
			c.Path = u.Path
		}
		// An IPv6 literal cannot be a cookie domain; net/http would drop
		// it (and log), so the cookie stays host-only.
		if host := u.Hostname(); net.ParseIP(host) == nil || !strings.Contains(host, ":") {
			c.Domain = host
		}
	}
	if dev {
		c.SameSite = http.SameSiteLaxMode
	} else {
		c.Secure, c.SameSite = true, http.SameSiteNoneMode
	}
	return c
}

// Guard issues and checks the anti-CSRF token of browsers.
type Guard struct {
	Cookie Cookie
	Log    *slog.Logger
}

// issued remembers a token set during a request outside the request log
// (which keeps it on the request's entry: httpx.SetCSRFIssued), so that
// the handler after the guard hands out the same token the cookie carries.
type issued struct{ token string }

type issuedKey struct{}

// valid reports whether a cookie value can be a token Latchkey issued.
func valid(v string) bool { return len(v) == 43 }

// Token is the browser's token: one issued while answering this request,
// or else the one its cookie holds; ok is false when it has neither.
func (g *Guard) Token(r *http.Request) (string, bool) {
	if tok := issuedIn(r.Context()); tok != "" {
		return tok, true
	}
	c, err := r.Cookie(g.Cookie.Name)
	if err != nil || !valid(c.Value) {
		return "", false
	}
	return c.Value, true
}

// Ensure returns the browser's token, issuing one when it has none.
func (g *Guard) Ensure(w http.ResponseWriter, r *http.Request) string {
	if tok, ok := g.Token(r); ok {
		return tok
	}
	return g.Issue(w, r)
}

// Issue sets a new token, replacing one set earlier in this answer, and
// returns it. Logout and a sign-in as another identity call it, so a token
// seen before does not outlive the session it was used with.
func (g *Guard) Issue(w http.ResponseWriter, r *http.Request) string {
	tok := token.New()
	h := w.Header()
	kept := h.Values("Set-Cookie")[:0:0]
	for _, line := range h.Values("Set-Cookie") {
		if !strings.HasPrefix(line, g.Cookie.Name+"=") {
			kept = append(kept, line)
		}
	}
	h.Del("Set-Cookie")
	for _, line := range kept {
		h.Add("Set-Cookie", line)
	}
	http.SetCookie(w, &http.Cookie{
		Name: g.Cookie.Name, Value: tok, Path: g.Cookie.Path, Domain: g.Cookie.Domain, MaxAge: MaxAge,
		HttpOnly: true, Secure: g.Cookie.Secure, SameSite: g.Cookie.SameSite,
	})
	if !httpx.SetCSRFIssued(r.Context(), tok) {
		if is, ok := r.Context().Value(issuedKey{}).(*issued); ok {
			is.token = tok
		}
	}
	return tok
}

// issuedIn is the token issued while answering the request, if any.
func issuedIn(ctx context.Context) string {
	if tok, ok := httpx.CSRFIssued(ctx); ok {
		return tok
	}
	if is, ok := ctx.Value(issuedKey{}).(*issued); ok {
		return is.token
	}
	return ""
}

// ErrMissing refuses an unsafe request without a matching token pair.
var ErrMissing = httpx.ErrBadRequest.WithReason("CSRF token is missing or invalid.")

// Protect guards the public port. A request to a guarded path from a
// browser without a valid token gets one; an unsafe request (not GET,
// HEAD, OPTIONS or TRACE) to a guarded path must send the cookie's token
// back in the X-CSRF-Token header or a csrf_token form field, or is
// refused with 400 before any handler runs.
func (g *Guard) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Inside the request log the request's entry holds the token;
		// only outside it (tests) does the guard need a context.
		if !httpx.SetCSRFIssued(r.Context(), "") {
			r = r.WithContext(context.WithValue(r.Context(), issuedKey{}, &issued{}))
		}
		if Exempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		have, ok := g.Token(r)
		if !ok {
			g.Issue(w, r)
		}
		if !safe(r.Method) && (!ok || !token.Equal(submitted(w, r), have)) {
			httpx.WriteError(g.Log, w, r, ErrMissing)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safe(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// submitted is the token an unsafe request sends back.
func submitted(w http.ResponseWriter, r *http.Request) string {
	if v := r.Header.Get("X-CSRF-Token"); v != "" {
		return v
	}
	if httpx.MediaType(r) != "application/x-www-form-urlencoded" {
		return ""
	}
	r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBodyBytes)
	return r.PostFormValue("csrf_token")
}

// flowKinds are the self-service flows whose submit and api paths the
// guard leaves alone.
var flowKinds = map[string]bool{"login": true, "registration": true, "settings": true, "recovery": true, "verification": true}

// Exempt reports whether the guard leaves a path alone, as the reference
// does: flow submissions (checked against the flow's token instead), the
// api endpoints native apps call without cookies, /sessions/whoami and
// /sessions.
func Exempt(path string) bool {
	if path == "/sessions" || strings.HasPrefix(path, "/sessions/") {
		return true
	}
	rest, ok := strings.CutPrefix(path, "/self-service/")
	if !ok {
		return false
	}
	kind, tail, _ := strings.Cut(rest, "/")
	switch {
	case kind == "methods": // social sign-in callbacks
		return true
	case !flowKinds[kind]:
		return false
	}
	return tail == "" || tail == "api" || strings.HasPrefix(tail, "methods/")
}
