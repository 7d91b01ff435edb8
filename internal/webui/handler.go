package webui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/courier"
	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/locale"
	"github.com/latchkey/latchkey/internal/schema"
	"github.com/latchkey/latchkey/internal/selfserviceerror"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
)

// Handler serves the pages.
type Handler struct {
	Flows    flow.Store
	Clock    clock.Clock // decides whether a flow has expired
	Sessions *session.Manager
	Errors   selfserviceerror.Store
	Schemas  *schema.Registry
	// Mail is set in dev mode without SMTP: the dev mailbox reads it.
	Mail  MailReader
	Brand Brand
	// Pages lists the flows whose built-in page is on: those whose ui_url
	// was not configured elsewhere.
	Pages     map[flow.Kind]bool
	ErrorPage bool
	// SessionList and CSRF, when set, let the settings page list the
	// user's signed-in devices and sign them out.
	SessionList SessionStore
	CSRF        CSRF
	// Texts holds the pages' words in every language they are offered in.
	Texts *locale.Catalog
	// SettingsAAL is selfservice.flows.settings.required_aal: a settings
	// page whose session falls short sends the browser to the step-up.
	SettingsAAL string
	Log         *slog.Logger
}

// MailReader lists queued and sent mail.
type MailReader interface {
	Messages(ctx context.Context, limit int) ([]courier.Message, error)
}

// Register mounts the pages on the public mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.Brand.Base+"ui/", http.StatusFound)
	})
	mux.HandleFunc("GET /ui/{$}", h.home)
	mux.HandleFunc("GET /ui/", h.notFound)
	mux.HandleFunc("GET /ui/style.css", h.style)
	mux.HandleFunc("GET /ui/codes.js", h.codesJS)
	mux.HandleFunc("GET /ui/favicon.svg", h.favicon)
	mux.HandleFunc("GET /favicon.ico", h.favicon)
	if h.ErrorPage {
		mux.HandleFunc("GET /ui/error", h.errorPage)
	}
	for kind, on := range h.Pages {
		if on {
			mux.HandleFunc("GET /ui/"+string(kind), h.flowPage(kind))
		}
	}
	if h.Pages[flow.Settings] && h.SessionList != nil {
		mux.HandleFunc("POST /ui/sessions", h.endSessions)
	}
	if h.Mail != nil {
		mux.HandleFunc("GET /ui/dev/mail", h.mailbox)
	}
}

// page starts a page's view in the reader's language. A ?lang= from the
// page's language switch is remembered in a cookie for the pages after it.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, titleKey string) view {
	p := h.Texts.Pick(r)
	if chosen := h.Texts.Lookup(r.URL.Query().Get("lang")); chosen != nil {
		p = chosen
		http.SetCookie(w, &http.Cookie{
			Name: locale.CookieName, Value: p.Tag(), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: strings.HasPrefix(h.Brand.Base, "https:"), SameSite: http.SameSiteLaxMode,
		})
	}
	v := view{Brand: h.Brand, P: p, Title: p.T(titleKey), Heading: p.T(titleKey)}
	for _, l := range h.Texts.Languages() {
		q := r.URL.Query()
		q.Set("lang", l.Tag)
		v.Languages = append(v.Languages, languageLink{Name: l.Name, Tag: l.Tag, Href: r.URL.Path + "?" + q.Encode(), Current: l.Tag == p.Tag()})
	}
	return v
}

// notFound answers any other address under /ui/ with a page, not JSON.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	v := h.page(w, r, "notfound.title")
	v.Intro = v.P.T("notfound.text")
	h.render(w, "notfound", http.StatusNotFound, v)
}

// favicon is the padlock of the pages' header, so browsers stop asking
// for /favicon.ico in vain.
func (h *Handler) favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "favicon.svg", time.Time{}, bytes.NewReader(faviconSVG))
}

func (h *Handler) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "style.css", time.Time{}, bytes.NewReader(stylesheet))
}

// render writes a page with headers that keep it out of frames and caches
// and allow nothing but its own stylesheet and the logo.
func (h *Handler) render(w http.ResponseWriter, name string, status int, data any) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		h.Log.Error("render page", "page", name, "error", err.Error())
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	csp := "default-src 'none'; style-src 'self'; img-src 'self' https: data:; frame-ancestors 'none'; base-uri 'none'"
	if v, ok := data.(view); ok && (v.Script || v.CodesScript) {
		// Only pages with a security-key form run a script: Latchkey's
		// own WebAuthn helper, pinned by its digest.
		csp += "; script-src 'self'"
	}
	hd.Set("Content-Security-Policy", csp)
	hd.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// start sends the browser to begin a new flow of a kind.
func (h *Handler) start(w http.ResponseWriter, r *http.Request, kind flow.Kind) {
	http.Redirect(w, r, h.Brand.Base+"self-service/"+string(kind)+"/browser", http.StatusFound)
}

func (h *Handler) flowPage(kind flow.Kind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := uuid.Parse(r.URL.Query().Get("flow"))
		if err != nil {
			if kind == flow.Settings && h.Pages[flow.Login] && !h.signedIn(r) {
				// Say why: the sign-in page explains it leads back here.
				http.Redirect(w, r, h.Brand.Base+"self-service/login/browser?return_to="+url.QueryEscape(h.Brand.Base+"ui/settings"), http.StatusFound)
				return
			}
			h.start(w, r, kind)
			return
		}
		f, err := h.Flows.Flow(r.Context(), kind, id)
		if err != nil || f.Expired(h.Clock.Now()) || f.Type != flow.Browser {
			if err != nil && !isNotFound(err) {
				h.Log.Error("load flow for page", "flow", id.String(), "error", err.Error())
			}
			h.start(w, r, kind)
			return
		}
		var s *session.Session
		if kind == flow.Settings {
			if s, err = h.Sessions.FromRequest(r); err != nil || s.Identity.ID != f.IdentityID {
				h.start(w, r, kind)
				return
			}
			if h.needsStepUp(r, s) {
				http.Redirect(w, r, session.StepUpURL(h.Brand.Base, h.Brand.Base+"self-service/settings/browser"), http.StatusFound)
				return
			}
		}
		v := h.flowView(r, w, kind, f)
		if s != nil {
			v.Devices = h.devices(w, r, v.P, s, f)
		}
		h.render(w, "flow", http.StatusOK, v)
	}
}

func (h *Handler) signedIn(r *http.Request) bool {
	_, err := h.Sessions.FromRequest(r)
	return err == nil
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request) {
	v := struct {
		view
		Errors []errorBody
	}{view: h.page(w, r, "error.title")}
	id, err := uuid.Parse(r.URL.Query().Get("error"))
	if err == nil {
		if c, err := h.Errors.Error(r.Context(), id); err == nil {
			for _, raw := range c.Errors {
				var e errorBody
				if json.Unmarshal(raw, &e) == nil {
					v.Errors = append(v.Errors, e)
				}
			}
		}
	}
	if len(v.Errors) == 0 {
		v.Errors = []errorBody{{Code: http.StatusNotFound, Status: "Not Found", Message: v.P.T("error.unknown")}}
	}
	h.render(w, "error", v.Errors[0].Code, v)
}

type errorBody struct {
	Code    int    `json:"code"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
