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
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Handler serves the recovery flow.
type Handler struct {
	Flows      flow.Store
	Identities IdentityStore
	Sessions   *session.Manager
	Strategy   Strategy
	Settings   SettingsStarter
	Responder  *flow.Responder
	Web        *flow.Web
	Lifespan   time.Duration
	PublicBase string
	Log        *slog.Logger
}

// Register mounts the public routes. Both submit paths are served: the
// reference routes /self-service/recovery, its documentation names
// /self-service/recovery/methods/link.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/recovery/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/recovery/browser", h.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/recovery/flows", httpx.Handle(h.Log, h.fetch))
	for _, p := range []string{"/self-service/recovery", "/self-service/recovery/methods/link"} {
		mux.Handle("POST "+p, h.Web.Handle(false, h.submit))
		mux.Handle("GET "+p, h.Web.Handle(true, h.followLink))
	}
}

// RegisterAdmin mounts the admin routes.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/recovery/flows", httpx.Handle(h.Log, h.fetch))
	mux.Handle("POST /recovery/link", httpx.Handle(h.Log, h.adminLink))
}

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type, lifespan time.Duration) (*flow.Flow, error) {
	return h.create(r, typ, lifespan, h.Web.Token(w, r, typ))
}

func (h *Handler) create(r *http.Request, typ flow.Type, lifespan time.Duration, csrfToken string) (*flow.Flow, error) {
	f := flow.New(flow.Recovery, typ, lifespan, h.PublicBase, r, csrfToken)
	f.State = "choose_method"
	h.Strategy.PopulateRecovery(f)
	return f, h.Flows.CreateFlow(r.Context(), f)
}

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	f, err := h.newFlow(w, r, flow.API, h.Lifespan)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f))
}

func (h *Handler) initBrowser(w http.ResponseWriter, r *http.Request) error {
	returnTo, err := h.Web.ReturnTo(r)
	if err != nil {
		return err
	}
	if _, err := h.Sessions.FromRequest(r); err == nil {
		http.Redirect(w, r, h.Web.AfterURL(returnTo, flow.Recovery), http.StatusFound)
		return nil
	} else if !errors.Is(err, session.ErrNoSession) {
		return err
	}
	f, err := h.newFlow(w, r, flow.Browser, h.Lifespan)
	if err != nil {
		return err
	}
	if returnTo != "" {
		f.ReturnTo = returnTo
		if err := h.Flows.UpdateFlow(r.Context(), f); err != nil {
			return err
		}
	}
	http.Redirect(w, r, h.Responder.UIURL(f), http.StatusFound)
	return nil
}

func (h *Handler) fetch(w http.ResponseWriter, r *http.Request) error {
	return flow.Fetch(w, r, h.Flows, h.Responder, flow.Recovery, wire)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := flow.Load(r, h.Flows, flow.Recovery)
	if err != nil {
		return err
	}
	if f.Expired(time.Now()) {
		next, err := h.newFlow(w, r, f.Type, h.Lifespan)
		if err != nil {
			return err
		}
		return h.Responder.Replace(w, r, h.Flows, f, next, text.RecoveryExpired(f.ExpiresAt))
	}
	sub, err := flow.Decode(w, r)
	if err != nil {
		return err
	}
	if f.Type == flow.Browser {
		if err := h.Web.CheckCSRF(r, f, sub); err != nil {
			return err
		}
	}
	f.UI.ResetMessages()
	if hdr := flow.APIRequestProblem(r); f.Type == flow.API && hdr != "" {
		f.UI.AddMessage(flow.APIHeaderMessage(hdr))
		return h.Responder.Invalid(w, r, h.Flows, f, wire(f))
	}
	// The link method is implied on its own path and when no method is
	// named, as the reference's SDK sends only the email.
	if m := sub.Method(); m != "" && m != h.Strategy.ID() {
		f.UI.AddMessage(text.RecoveryNoStrategy())
		return h.Responder.Invalid(w, r, h.Flows, f, wire(f))
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if err := h.Strategy.SubmitRecovery(ctx, f, sub, path); errors.Is(err, flow.ErrInvalid) {
		return h.Responder.Invalid(w, r, h.Flows, f, wire(f))
	} else if err != nil {
		return err
	}
	if err := h.Flows.UpdateFlow(ctx, f); err != nil {
		return err
	}
	return h.Responder.Show(w, r, f, http.StatusOK, wire(f))
}

var errLinkIncomplete = httpx.ErrBadRequest.WithReason("The recovery link is incomplete: it needs both flow and token. Open the link from the email as it is.")

// followLink completes recovery from the mailed link: it signs the user in
// and opens settings so they can choose a new password.
func (h *Handler) followLink(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	tok := q.Get("token")
	if tok == "" || q.Get("flow") == "" {
		return errLinkIncomplete
	}
	identityID, flowID, err := h.Strategy.Recover(ctx, tok)
	switch {
	case errors.Is(err, flow.ErrTokenInvalid):
		return h.retry(w, r, text.RecoveryTokenInvalid())
	case errors.Is(err, flow.ErrTokenExpired):
		return h.retry(w, r, text.RecoveryExpired(time.Now()))
	case err != nil:
		return err
	}
	i, err := h.Identities.Identity(ctx, identityID)
	if err != nil {
		return err
	}
	if f, err := h.Flows.Flow(ctx, flow.Recovery, flowID); err == nil {
		f.State = "passed_challenge"
		if err := h.Flows.UpdateFlow(ctx, f); err != nil {
			return err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s, sessionToken, err := h.Sessions.Issue(ctx, i, time.Now())
	if err != nil {
		return err
	}
	h.Sessions.SetCookie(w, sessionToken, s)
	next, err := h.Settings.StartAfterRecovery(w, r, i)
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// retry sends the browser to a fresh recovery flow explaining why the link
// did not work.
func (h *Handler) retry(w http.ResponseWriter, r *http.Request, msg text.Message) error {
	f, err := h.newFlow(w, r, flow.Browser, h.Lifespan)
	if err != nil {
		return err
	}
	f.UI.AddMessage(msg)
	if err := h.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	http.Redirect(w, r, h.Responder.UIURL(f), http.StatusSeeOther)
	return nil
}
