package registration

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Handler serves the registration flow.
type Handler struct {
	*flow.Kit
	Identities IdentityStore
	Sessions   *session.Manager
	Strategies []Strategy
	Lifespan   time.Duration
	PublicBase string
	// IssueSession is true when the session hook runs after registration.
	IssueSession bool
	After        []flow.AfterHook
	Log          *slog.Logger
}

// Register mounts the public routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/registration/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/registration/browser", h.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/registration/flows", httpx.Handle(h.Log, h.fetch))
	mux.Handle("POST /self-service/registration", h.Web.Handle(false, h.submit))
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/registration/flows", httpx.Handle(h.Log, h.fetch))
}

var errSignedIn = httpx.ErrBadRequest.WithReason("A valid session was detected and thus registration is not possible. Sign out first.")

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type) (*flow.Flow, error) {
	f := flow.New(flow.Registration, typ, h.Lifespan, h.PublicBase, r, h.Web.Token(w, r, typ))
	for _, s := range h.Strategies {
		s.PopulateRegistration(f)
	}
	return f, h.Flows.CreateFlow(r.Context(), f)
}

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	if in, err := h.Sessions.SignedIn(r); err != nil {
		return err
	} else if in {
		return errSignedIn
	}
	f, err := h.newFlow(w, r, flow.API)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

func (h *Handler) initBrowser(w http.ResponseWriter, r *http.Request) error {
	signedIn := func() (bool, error) { return h.Sessions.SignedIn(r) }
	return h.StartBrowser(w, r, flow.Registration, signedIn, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser) })
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Flows, h.Responder, flow.Registration, wire)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	signedIn, err := h.Sessions.SignedIn(r)
	if err != nil {
		return err
	}
	renew := func(old *flow.Flow) (*flow.Flow, error) { return h.newFlow(w, r, old.Type) }
	begun, done, err := h.BeginSubmit(w, r, flow.Registration, text.RegistrationExpired, renew)
	f, sub := begun.Flow, begun.Sub
	switch {
	case done:
		return err
	case errors.Is(err, flow.ErrInvalid):
		return h.invalid(w, r, f)
	case err != nil:
		return err
	}
	if signedIn {
		if f.Type == flow.Browser && !flow.IsJSONRequest(r) {
			http.Redirect(w, r, h.Web.AfterURL(f.ReturnTo, flow.Registration), http.StatusSeeOther)
			return nil
		}
		return errSignedIn
	}
	strategy := flow.Pick(h.Strategies, sub.Method())
	if strategy == nil {
		f.UI.AddMessage(text.RegistrationNoStrategy())
		return h.invalid(w, r, f)
	}
	i, err := strategy.Register(ctx, f, sub)
	if errors.Is(err, flow.ErrInvalid) {
		return h.invalid(w, r, f)
	}
	if err != nil {
		return err
	}
	if err := h.Identities.CreateIdentity(ctx, i); err != nil {
		if errors.Is(err, store.ErrConflict) {
			f.UI.AddMessage(text.DuplicateCredentials())
			return h.invalid(w, r, f)
		}
		return err
	}
	f.Active = strategy.ID()
	if err := h.Flows.UpdateFlow(ctx, f); err != nil {
		return err
	}
	res := Result{Identity: i}
	if h.IssueSession {
		s, tok, err := h.Sessions.Issue(ctx, i, time.Now())
		if err != nil {
			return err
		}
		res.Session, res.SessionToken = s, tok
	}
	ev := flow.Event{Flow: f, Identity: i, Session: res.Session, Request: r}
	if err := flow.RunHooks(ctx, h.After, ev); err != nil {
		return err
	}
	if f.Type == flow.API {
		return httpx.WriteJSON(w, http.StatusOK, res)
	}
	if res.Session != nil {
		h.Sessions.SetCookie(w, res.SessionToken, res.Session)
	}
	if flow.IsJSONRequest(r) {
		res.SessionToken = "" // browsers hold the cookie; the token stays out of scripts' reach
		return httpx.WriteJSON(w, http.StatusOK, res)
	}
	http.Redirect(w, r, h.Web.AfterURL(f.ReturnTo, flow.Registration, strategy.ID()), http.StatusSeeOther)
	return nil
}

func (h *Handler) invalid(w http.ResponseWriter, r *http.Request, f *flow.Flow) error {
	return h.Responder.Invalid(w, r, h.Flows, f, wire(f))
}
