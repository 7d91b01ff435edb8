package login

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
)

// Handler serves the login flow.
type Handler struct {
	*flow.Kit
	Sessions   *session.Manager
	Strategies []Strategy
	Lifespan   time.Duration
	PublicBase string
	After      []flow.AfterHook
	Log        *slog.Logger
}

// Register mounts the public routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/login/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/login/browser", h.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/login/flows", httpx.Handle(h.Log, h.fetch))
	mux.Handle("POST /self-service/login", h.Web.Handle(false, h.submit))
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/login/flows", httpx.Handle(h.Log, h.fetch))
}

var errSignedIn = httpx.ErrBadRequest.WithReason("A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?")

func refresh(r *http.Request) bool { return r.URL.Query().Get("refresh") == "true" }

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type, forced bool) (*flow.Flow, error) {
	f := flow.New(flow.Login, typ, h.Lifespan, h.PublicBase, r, h.Web.Token(w, r, typ))
	f.Forced = forced
	for _, s := range h.Strategies {
		s.PopulateLogin(f)
	}
	return f, h.Flows.CreateFlow(r.Context(), f)
}

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	in, err := h.Sessions.SignedIn(r)
	if err != nil {
		return err
	}
	if in && !refresh(r) {
		return errSignedIn
	}
	f, err := h.newFlow(w, r, flow.API, refresh(r))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

func (h *Handler) initBrowser(w http.ResponseWriter, r *http.Request) error {
	signedIn := func() (bool, error) {
		in, err := h.Sessions.SignedIn(r)
		return in && !refresh(r), err
	}
	return h.StartBrowser(w, r, flow.Login, signedIn, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser, refresh(r)) })
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Flows, h.Responder, flow.Login, wire)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in, err := h.Sessions.SignedIn(r)
	if err != nil {
		return err
	}
	renew := func(old *flow.Flow) (*flow.Flow, error) { return h.newFlow(w, r, old.Type, old.Forced) }
	begun, done, err := h.BeginSubmit(w, r, flow.Login, text.LoginExpired, renew)
	f, sub := begun.Flow, begun.Sub
	switch {
	case done:
		return err
	case errors.Is(err, flow.ErrInvalid):
		return h.invalid(w, r, f)
	case err != nil:
		return err
	}
	if in && !f.Forced {
		if f.Type == flow.Browser && !flow.IsJSONRequest(r) {
			http.Redirect(w, r, h.Web.AfterURL(f.ReturnTo, flow.Login), http.StatusSeeOther)
			return nil
		}
		return errSignedIn
	}
	strategy := flow.Pick(h.Strategies, sub.Method())
	if strategy == nil {
		f.UI.AddMessage(text.LoginNoStrategy())
		return h.invalid(w, r, f)
	}
	i, err := strategy.Login(ctx, f, sub)
	if errors.Is(err, flow.ErrInvalid) {
		return h.invalid(w, r, f)
	}
	if err != nil {
		return err
	}
	s, tok, err := h.Sessions.Issue(ctx, i, time.Now())
	if err != nil {
		return err
	}
	f.Active = strategy.ID()
	if err := h.Flows.UpdateFlow(ctx, f); err != nil {
		return err
	}
	if err := flow.RunHooks(ctx, h.After, flow.Event{Flow: f, Identity: i, Session: s, Request: r}); err != nil {
		return err
	}
	if f.Type == flow.API {
		return httpx.WriteJSON(w, http.StatusOK, Result{Session: s, SessionToken: tok})
	}
	h.Sessions.SetCookie(w, tok, s)
	if flow.IsJSONRequest(r) {
		return httpx.WriteJSON(w, http.StatusOK, Result{Session: s})
	}
	http.Redirect(w, r, h.Web.AfterURL(f.ReturnTo, flow.Login, strategy.ID()), http.StatusSeeOther)
	return nil
}

func (h *Handler) invalid(w http.ResponseWriter, r *http.Request, f *flow.Flow) error {
	return h.Responder.Invalid(w, r, h.Flows, f, wire(f))
}
