package recovery

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/token"
	"github.com/latchkey/latchkey/internal/ui"
)

// Handler serves the recovery flow.
type Handler struct {
	Kit        *flow.Kit
	Identities IdentityStore
	Sessions   *session.Manager
	Strategy   Strategy
	Settings   SettingsStarter
	Lifespan   time.Duration
	PublicBase string
	// Hooks run after the link was followed (method "link").
	Hooks flow.Hooks
	Log   *slog.Logger
}

// Register mounts the public routes. Both submit paths are served: the
// reference routes /self-service/recovery, its documentation names
// /self-service/recovery/methods/link.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/recovery/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/recovery/browser", h.Kit.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/recovery/flows", httpx.Handle(h.Log, h.fetch))
	for _, p := range []string{"/self-service/recovery", "/self-service/recovery/methods/link"} {
		mux.Handle("POST "+p, h.Kit.Handler(h.submitEndpoint()))
		mux.Handle("GET "+p, h.Kit.Web.Handle(true, h.followLink))
	}
}

// submitEndpoint describes the submit endpoint; a mailed link that names
// an expired flow is answered with it too.
func (h *Handler) submitEndpoint() flow.Submit {
	return flow.Submit{
		Kind: flow.Recovery, Expired: text.RecoveryExpired, Renew: h.renew, Wire: func(f *flow.Flow) any { return wire(f) }, Handle: h.submit,
	}
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/recovery/flows", httpx.Handle(h.Log, h.fetch))
	mux.Handle("POST /recovery/link", httpx.Handle(h.Log, h.adminLink))
}

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type, lifespan time.Duration) (*flow.Flow, error) {
	return h.create(r, typ, lifespan, h.Kit.Web.Token(w, r, typ))
}

func (h *Handler) create(r *http.Request, typ flow.Type, lifespan time.Duration, csrfToken string) (*flow.Flow, error) {
	f := flow.New(h.Kit.Clock.Now(), flow.Recovery, typ, lifespan, h.PublicBase, r, csrfToken)
	f.State = "choose_method"
	h.Strategy.PopulateRecovery(f)
	return f, h.Kit.Flows.CreateFlow(r.Context(), f)
}

var errSignedIn = httpx.ErrBadRequest.WithReason("A valid session was detected and thus recovery is not possible.")

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	if in, err := h.Sessions.SignedIn(r); err != nil {
		return err
	} else if in {
		return errSignedIn
	}
	f, err := h.newFlow(w, r, flow.API, h.Lifespan)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

func (h *Handler) initBrowser(w http.ResponseWriter, r *http.Request) error {
	signedIn := func() (bool, error) { return h.Sessions.SignedIn(r) }
	return h.Kit.StartBrowser(w, r, flow.Recovery, signedIn, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser, h.Lifespan) })
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Kit, flow.Recovery, wire)
}

func (h *Handler) renew(w http.ResponseWriter, r *http.Request, old *flow.Flow) (*flow.Flow, error) {
	return h.newFlow(w, r, old.Type, h.Lifespan)
}

// submit acts on a submitted address: the flow moves to its next state and
// is shown again (200), or shows its problems. The method is implied when
// none is named, as the reference's SDK sends only the address.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
	// A signed-in user has nothing to recover: sent away, JSON clients too.
	if in, err := h.Sessions.SignedIn(r); err != nil {
		return err
	} else if in {
		h.Kit.SignedIn(w, r, flow.Recovery, f.ReturnTo)
		return nil
	}
	// A refused submission names the group that refused it in active, as
	// the reference's does.
	if m := sub.Method(); m != "" && m != h.Strategy.ID() {
		f.Active = ui.GroupDefault
		f.UI.AddMessage(text.RecoveryNoStrategy())
		return flow.ErrInvalid
	}
	// The mailed link points back to the path the address was posted to.
	if err := h.Strategy.SubmitRecovery(r.Context(), f, sub, strings.TrimPrefix(r.URL.Path, "/")); err != nil {
		if errors.Is(err, flow.ErrInvalid) {
			f.Active = h.Strategy.ID()
		}
		return err
	}
	return h.Kit.Advance(w, r, f, wire(f))
}

var errLinkIncomplete = httpx.ErrBadRequest.WithReason("The recovery link is incomplete: it needs both flow and token. Open the link from the email as it is.")

// followLink completes recovery from the mailed link: it signs the user in
// and opens settings so they can choose a new password.
func (h *Handler) followLink(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Get("token") == "" || q.Get("flow") == "" {
		return errLinkIncomplete
	}
	// A link followed while signed in is not used: the token stays valid
	// and no second session is issued.
	if in, err := h.Sessions.SignedIn(r); err != nil {
		return err
	} else if in {
		h.Kit.SignedIn(w, r, flow.Recovery, "")
		return nil
	}
	return h.Kit.Follow(w, r, h.submitEndpoint(), func() error { return h.recover(w, r, q.Get("token")) })
}

// recover uses a recovery token of a live flow.
func (h *Handler) recover(w http.ResponseWriter, r *http.Request, tok string) error {
	ctx := r.Context()
	identityID, flowID, err := h.Strategy.Recover(ctx, tok)
	switch {
	case errors.Is(err, token.ErrUnknown):
		return h.retry(w, r, text.RecoveryTokenInvalid())
	case errors.Is(err, token.ErrExpired):
		now := h.Kit.Clock.Now() // the link expired: say so as of now
		return h.retry(w, r, text.RecoveryExpired(now, now))
	case err != nil:
		return err
	}
	i, err := h.Identities.Identity(ctx, identityID)
	if err != nil {
		return err
	}
	f, err := h.Kit.PassChallenge(ctx, flow.Recovery, flowID)
	if err != nil {
		return err
	}
	hooks := h.Hooks.For("link")
	ev := flow.Event{Flow: f, Identity: i, Request: r}
	// In-line hooks answer before the session exists.
	if err := flow.RunHooks(ctx, hooks.Checks, ev); err != nil {
		return flow.HookError(f, err)
	}
	// A recovery link is a first factor only: a user with a second factor
	// must still add it wherever aal2 is required.
	now := h.Kit.Clock.Now()
	s, sessionToken, err := h.Sessions.Issue(ctx, i, now, session.FirstFactor(session.MethodLinkRecovery, now))
	if err != nil {
		return err
	}
	ev.Session = s
	if err := flow.RunHooks(ctx, hooks.After, ev); err != nil {
		return flow.HookError(f, err)
	}
	h.Kit.StartSession(w, r, s, sessionToken)
	next, err := h.Settings.StartAfterRecovery(w, r, i)
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusFound)
	return nil
}

// retry sends the browser to a fresh recovery flow explaining why the link
// did not work.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request, msg text.Message) error {
	f, err := h.newFlow(w, r, flow.Browser, h.Lifespan)
	if err != nil {
		return err
	}
	return h.Kit.Restart(w, r, f, msg)
}
