package registration

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
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Handler serves the registration flow.
type Handler struct {
	Kit        *flow.Kit
	Identities IdentityStore
	Sessions   *session.Manager
	Strategies []Strategy
	Lifespan   time.Duration
	PublicBase string
	// Hooks run before a flow starts and after a registration, by method;
	// IssueSession in them says the session hook is configured.
	Hooks flow.Hooks
	Log   *slog.Logger
}

// Register mounts the public routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/registration/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/registration/browser", h.Kit.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/registration/flows", httpx.Handle(h.Log, h.fetch))
	mux.Handle("POST /self-service/registration", h.Kit.Handler(h.Submit()))
	// The reference starts social sign-in from a GET too (provider=… in
	// the query); it needs the csrf_token like any submit.
	mux.Handle("GET /self-service/registration", h.Kit.Handler(h.Submit()))
}

// Submit describes the submit endpoint; social sign-in's callback answers
// with it too.
func (h *Handler) Submit() flow.Submit {
	return flow.Submit{
		Kind: flow.Registration, Expired: text.RegistrationExpired, Renew: h.renew, Wire: func(f *flow.Flow) any { return wire(f) }, Handle: h.submit,
	}
}

// NewBrowserFlow starts a browser registration flow for a strategy that
// signs up from elsewhere (social sign-in, from a login flow).
func (h *Handler) NewBrowserFlow(w http.ResponseWriter, r *http.Request) (*flow.Flow, error) {
	return h.newFlow(w, r, flow.Browser)
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/registration/flows", httpx.Handle(h.Log, h.fetch))
}

var errSignedIn = httpx.ErrBadRequest.WithReason("A valid session was detected and thus registration is not possible.")

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type) (*flow.Flow, error) {
	f := flow.New(h.Kit.Clock.Now(), flow.Registration, typ, h.Lifespan, h.PublicBase, r, h.Kit.Web.Token(w, r, typ))
	for _, s := range h.Strategies {
		s.PopulateRegistration(f)
	}
	if err := flow.RunBefore(r.Context(), h.Hooks.Before, r, f); err != nil {
		return nil, err
	}
	return f, h.Kit.Flows.CreateFlow(r.Context(), f)
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
	return h.Kit.StartBrowser(w, r, flow.Registration, signedIn, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser) })
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Kit, flow.Registration, wire)
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request, old *flow.Flow) (*flow.Flow, error) {
	return h.newFlow(w, r, old.Type)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
	ctx := r.Context()
	if in, err := h.Sessions.SignedIn(r); err != nil {
		return err
	} else if in {
		if flow.IsJSONRequest(r) {
			return errSignedIn
		}
		h.Kit.SignedIn(w, r, flow.Registration, f.ReturnTo)
		return nil
	}
	strategy := flow.Pick(h.Strategies, sub.Method())
	if strategy == nil {
		f.UI.AddMessage(text.RegistrationNoStrategy())
		return flow.ErrInvalid
	}
	i, err := strategy.Register(ctx, f, sub)
	if err != nil {
		return err
	}
	var again func() (*identity.Identity, error)
	if rs, ok := strategy.(Resubmitter); ok {
		again = func() (*identity.Identity, error) { return rs.Resubmitted(ctx, i, sub) }
	}
	return h.complete(w, r, f, i, strategy.ID(), again)
}

// Complete creates identity i from flow f (an identifier that exists is
// 4000007 on the flow), then the session, the after hooks and the answer.
// Strategies that finish elsewhere (social sign-in's callback) end here too.
func (h *Handler) Complete(w http.ResponseWriter, r *http.Request, f *flow.Flow, i *identity.Identity, method string) error {
	return h.complete(w, r, f, i, method, nil)
}

// complete is Complete with again, which (when not nil) finds the identity
// an earlier submission of the same flow created from the same values.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, f *flow.Flow, i *identity.Identity, method string, again func() (*identity.Identity, error)) error {
	ctx := r.Context()
	// A flow creates one identity, whose id follows from the flow's: a
	// client that sends its submission again, because the first answer was
	// lost or was a 503 after the commit, gets the identity it created
	// instead of "exists already".
	i.ID = IdentityID(f.ID)
	f.Active = method
	hooks := h.Hooks.For(method)
	res := Result{Identity: i}
	// The flow marked done and the session: what a success writes once
	// the identity exists and the in-line hooks let it through.
	closing := func(ctx context.Context) error {
		if err := h.Kit.Flows.UpdateFlow(ctx, f); err != nil {
			return err
		}
		if !hooks.IssueSession {
			return nil
		}
		now := h.Kit.Clock.Now()
		s, tok, err := h.Sessions.Issue(ctx, i, now, session.FirstFactor(method, now))
		res.Session, res.SessionToken = s, tok
		return err
	}
	var err error
	done := false
	if len(hooks.Checks) == 0 {
		// Nothing to ask between creating the identity and signing it in:
		// one transaction, one commit.
		err = h.Kit.Commit(ctx, func(ctx context.Context) error {
			if err := h.Identities.CreateIdentity(ctx, i); err != nil {
				return err
			}
			return closing(ctx)
		})
		done = err == nil
	} else {
		err = h.Identities.CreateIdentity(ctx, i)
	}
	if errors.Is(err, store.ErrConflict) && again != nil {
		if prev, aerr := again(); aerr != nil {
			return aerr
		} else if prev != nil && sameTraits(prev.Traits, i.Traits) {
			i, err = prev, nil
			res.Identity = i
		}
	}
	if errors.Is(err, store.ErrConflict) {
		f.UI.ClearTraitValues() // the reference does not echo them
		f.UI.AddMessage(text.DuplicateCredentials())
		return flow.ErrInvalid
	} else if err != nil {
		return err
	}
	if !done {
		// In-line hooks answer before anything else is written; when one
		// refuses, the new identity is taken back so nothing is half-done.
		if err := flow.RunHooks(ctx, hooks.Checks, flow.Event{Flow: f, Identity: i, Request: r}); err != nil {
			if derr := h.Identities.DeleteIdentity(ctx, i.ID); derr != nil {
				return errors.Join(err, derr)
			}
			return err
		}
		if err := h.Kit.Commit(ctx, closing); err != nil {
			return err
		}
	}
	ev := flow.Event{Flow: f, Identity: i, Session: res.Session, Request: r}
	if err := flow.RunHooks(ctx, hooks.After, ev); err != nil {
		return err
	}
	// A script driving a browser flow gets the bare session (the token
	// stays in the cookie, out of its reach), or the identity when the
	// session hook is off.
	var browser any = Result{Identity: i}
	if res.Session != nil {
		browser = res.Session
	}
	return h.Kit.Finish(w, r, f, flow.Outcome{
		API: res, BrowserJSON: browser, Session: res.Session, Token: res.SessionToken,
		Next: h.Kit.Web.AfterURL(f.ReturnTo, flow.Registration, method),
	})
}
