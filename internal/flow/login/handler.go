package login

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/throttle"
)

// Handler serves the login flow.
type Handler struct {
	Kit        *flow.Kit
	Sessions   *session.Manager
	Strategies []Strategy
	// SecondFactors serve login flows at aal2.
	SecondFactors []SecondFactor
	// WhoamiRequiredAAL is session.whoami.required_aal: with
	// highest_available, a first-factor sign-in of an identity with a
	// second factor is sent on to add it.
	WhoamiRequiredAAL string
	// StepUpThrottle and StepUpRule bound second-factor attempts per
	// identity (nil lets all through).
	StepUpThrottle *throttle.Limiter
	StepUpRule     throttle.Rule
	Lifespan       time.Duration
	PublicBase     string
	Hooks          flow.Hooks
	Log            *slog.Logger
}

// Register mounts the public routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/login/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/login/browser", h.Kit.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/login/flows", httpx.Handle(h.Log, h.fetch))
	mux.Handle("POST /self-service/login", h.Kit.Handler(h.Submit()))
	// The reference starts social sign-in from a GET too (provider=… in
	// the query); it needs the csrf_token like any submit.
	mux.Handle("GET /self-service/login", h.Kit.Handler(h.Submit()))
}

// Submit describes the submit endpoint; social sign-in's callback answers
// with it too.
func (h *Handler) Submit() flow.Submit {
	return flow.Submit{
		Kind: flow.Login, Expired: text.LoginExpired, Renew: h.renew, Wire: func(f *flow.Flow) any { return wire(f) }, Handle: h.submit,
	}
}

// NewBrowserFlow starts a browser login flow for a strategy that signs in
// from elsewhere (social sign-in, from a registration flow).
func (h *Handler) NewBrowserFlow(w http.ResponseWriter, r *http.Request) (*flow.Flow, error) {
	return h.newFlow(w, r, flow.Browser, false)
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/login/flows", httpx.Handle(h.Log, h.fetch))
}

var errSignedIn = httpx.ErrBadRequest.WithReason("A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?")

func refresh(r *http.Request) bool { return r.URL.Query().Get("refresh") == "true" }

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type, forced bool) (*flow.Flow, error) {
	f := flow.New(h.Kit.Clock.Now(), flow.Login, typ, h.Lifespan, h.PublicBase, r, h.Kit.Web.Token(w, r, typ))
	f.Forced = forced
	for _, s := range h.Strategies {
		s.PopulateLogin(f)
	}
	if forced {
		if err := h.prefill(r, f); err != nil {
			return nil, err
		}
	}
	if err := flow.RunBefore(r.Context(), h.Hooks.Before, r, f); err != nil {
		return nil, err
	}
	return f, h.Kit.Flows.CreateFlow(r.Context(), f)
}

// prefill names the signed-in identity in a refresh login's form, as the
// reference does: the person confirms who they are, they do not choose.
func (h *Handler) prefill(r *http.Request, f *flow.Flow) error {
	s, err := h.Sessions.FromRequest(r)
	if errors.Is(err, session.ErrNoSession) {
		return nil
	} else if err != nil {
		return err
	}
	for _, st := range h.Strategies {
		if p, ok := st.(Refresher); ok {
			p.PrefillRefresh(f, s.Identity)
		}
	}
	return nil
}

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	aal, err := requestedAAL(r)
	if err != nil {
		return err
	}
	if aal == session.AAL2 {
		return h.initStepUp(w, r, flow.API)
	}
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
	aal, err := requestedAAL(r)
	if err != nil {
		return err
	}
	if aal == session.AAL2 {
		return h.initStepUp(w, r, flow.Browser)
	}
	signedIn := func() (bool, error) {
		in, err := h.Sessions.SignedIn(r)
		return in && !refresh(r), err
	}
	return h.Kit.StartBrowser(w, r, flow.Login, signedIn, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser, refresh(r)) })
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Kit, flow.Login, wire)
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request, old *flow.Flow) (*flow.Flow, error) {
	if flowAAL(old) == session.AAL2 {
		s, err := h.stepUpSession(r)
		if err != nil {
			return nil, err
		}
		return h.newStepUp(w, r, old.Type, s)
	}
	return h.newFlow(w, r, old.Type, old.Forced)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
	ctx := r.Context()
	if flowAAL(f) == session.AAL2 {
		return h.submitStepUp(w, r, f, sub)
	}
	in, err := h.Sessions.SignedIn(r)
	if err != nil {
		return err
	}
	// Signed in already: a browser flow goes to the default return URL
	// (its return_to is not used), an api flow is refused.
	if in && !f.Forced {
		if f.Type == flow.Browser {
			h.Kit.SignedIn(w, r, flow.Login, "")
			return nil
		}
		return errSignedIn
	}
	strategy := flow.Pick(h.Strategies, sub.Method())
	if strategy == nil {
		f.UI.AddMessage(text.LoginNoStrategy())
		return flow.ErrInvalid
	}
	i, err := strategy.Login(ctx, f, sub)
	if err != nil {
		return err
	}
	return h.Complete(w, r, f, i, strategy.ID())
}

// Complete signs identity i in on flow f: the method's hooks, a new
// session and the answer. Strategies that finish elsewhere (social
// sign-in's callback) end here too.
func (h *Handler) Complete(w http.ResponseWriter, r *http.Request, f *flow.Flow, i *identity.Identity, method string) error {
	ctx := r.Context()
	hooks := h.Hooks.For(method)
	// In-line hooks answer before the session exists, so a refusal
	// leaves nobody signed in.
	if err := flow.RunHooks(ctx, hooks.Checks, flow.Event{Flow: f, Identity: i, Request: r}); err != nil {
		return err
	}
	now := h.Kit.Clock.Now()
	var (
		s   *session.Session
		tok string
	)
	f.Active = method
	err := h.Kit.Commit(ctx, func(ctx context.Context) error {
		var err error
		if s, tok, err = h.Sessions.Issue(ctx, i, now, session.FirstFactor(method, now)); err != nil {
			return err
		}
		return h.Kit.Flows.UpdateFlow(ctx, f)
	})
	if err != nil {
		return err
	}
	if err := flow.RunHooks(ctx, hooks.After, flow.Event{Flow: f, Identity: i, Session: s, Request: r}); err != nil {
		return err
	}
	stepUp, err := h.needsStepUp(r, s)
	if err != nil {
		return err
	}
	if stepUp {
		return h.finishAtAAL1(w, r, f, s, tok)
	}
	return h.Kit.Finish(w, r, f, flow.Outcome{
		// A script driving a browser flow gets the bare session: the
		// token stays in the cookie, out of its reach.
		API: Result{Session: s, SessionToken: tok}, BrowserJSON: s,
		Session: s, Token: tok, Next: h.Kit.Web.AfterURL(f.ReturnTo, flow.Login, method),
	})
}
