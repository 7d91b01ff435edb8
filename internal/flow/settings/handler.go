package settings

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Handler serves the settings flow.
type Handler struct {
	Kit        *flow.Kit
	Identities IdentityStore
	Decorate   func(*identity.Identity)
	Sessions   *session.Manager
	Strategies []Strategy
	Lifespan   time.Duration
	// PrivilegedMaxAge is how recent a sign-in must be to change the
	// password or a password identifier.
	PrivilegedMaxAge time.Duration
	// FactorChanged is told about every second factor a submission added
	// or removed (the security notice); nil sends nothing.
	FactorChanged func(r *http.Request, identityID uuid.UUID, method string, added bool)
	// RequiredAAL is selfservice.flows.settings.required_aal.
	RequiredAAL string
	PublicBase  string
	// LoginUIURL (selfservice.flows.login.ui_url) is where a browser
	// without a session is sent.
	LoginUIURL string
	Hooks      flow.Hooks
	Log        *slog.Logger
}

// Register mounts the public routes.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /self-service/settings/api", httpx.Handle(h.Log, h.initAPI))
	mux.Handle("GET /self-service/settings/browser", h.Kit.Web.Handle(true, h.initBrowser))
	mux.Handle("GET /self-service/settings/flows", httpx.Handle(h.Log, h.fetchPublic))
	mux.Handle("POST /self-service/settings", http.HandlerFunc(h.submit))
	// The browser comes back here from a refresh login to apply the change
	// that needed it.
	mux.Handle("GET /self-service/settings", http.HandlerFunc(h.submit))
}

// RegisterAdmin mounts the admin routes: flows readable without a session.
func (h *Handler) RegisterAdmin(mux *http.ServeMux) {
	mux.Handle("GET /self-service/settings/flows", httpx.Handle(h.Log, h.fetchAdmin))
}

var (
	errNoSession  = httpx.ErrUnauthorized.WithReason("A valid Ory Session Cookie or Ory Session Token is missing.")
	errAPIInit    = httpx.ErrForbidden.WithReason("This endpoint can only be accessed with a valid session. Please log in and try again.")
	errNotOwner   = httpx.ErrForbidden.WithReason("This settings flow belongs to another identity.")
	errPrivileged = httpx.ErrForbidden.WithReason("The sign-in is too old to change the password or a sign-in identifier. Sign in again (login with refresh=true), then retry.")
)

// session returns the request's session, errNoSession without one.
func (h *Handler) session(r *http.Request) (*session.Session, error) {
	s, err := h.Sessions.FromRequest(r)
	if errors.Is(err, session.ErrNoSession) {
		return nil, errNoSession
	}
	return s, err
}

func (h *Handler) newFlow(w http.ResponseWriter, r *http.Request, typ flow.Type, i *identity.Identity, msgs ...text.Message) (*flow.Flow, error) {
	f := flow.New(h.Kit.Clock.Now(), flow.Settings, typ, h.Lifespan, h.PublicBase, r, h.Kit.Web.Token(w, r, typ))
	f.IdentityID, f.State = i.ID, StateShowForm
	if err := h.populate(r.Context(), f, i); err != nil {
		return nil, err
	}
	for _, m := range msgs {
		f.UI.AddMessage(m)
	}
	return f, h.Kit.Flows.CreateFlow(r.Context(), f)
}

// populate rebuilds the form after the CSRF input for the identity as it is.
func (h *Handler) populate(ctx context.Context, f *flow.Flow, i *identity.Identity) error {
	f.UI.Nodes = f.UI.Nodes[:1]
	for _, s := range h.Strategies {
		if err := s.PopulateSettings(ctx, f, i); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) initAPI(w http.ResponseWriter, r *http.Request) error {
	s, err := h.session(r)
	if errors.Is(err, errNoSession) {
		return errAPIInit
	}
	if err != nil {
		return err
	}
	if stopped, err := h.checkAAL(w, r, s, false, ""); stopped || err != nil {
		return err
	}
	f, err := h.newFlow(w, r, flow.API, s.Identity)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, wire(f, s.Identity))
}

func (h *Handler) initBrowser(w http.ResponseWriter, r *http.Request) error {
	s, err := h.session(r)
	if errors.Is(err, errNoSession) {
		http.Redirect(w, r, h.LoginUIURL, http.StatusFound)
		return nil
	}
	if err != nil {
		return err
	}
	if stopped, err := h.checkAAL(w, r, s, true, h.PublicBase+"self-service/settings/browser"); stopped || err != nil {
		return err
	}
	return h.Kit.StartBrowser(w, r, flow.Settings, nil, func() (*flow.Flow, error) { return h.newFlow(w, r, flow.Browser, s.Identity) })
}

func (h *Handler) load(r *http.Request, param string) (*flow.Flow, error) {
	id, err := flow.ID(r, param)
	if err != nil {
		return nil, err
	}
	f, err := h.Kit.Flows.Flow(r.Context(), flow.Settings, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, flow.ErrNotFound
	}
	return f, err
}

func (h *Handler) fetchPublic(w http.ResponseWriter, r *http.Request) error {
	s, err := h.session(r)
	if errors.Is(err, errNoSession) && !flow.IsJSONRequest(r) {
		http.Redirect(w, r, h.LoginUIURL, http.StatusFound)
		return nil
	}
	if err != nil {
		return err
	}
	f, err := h.load(r, "id")
	if err != nil {
		return err
	}
	if f.IdentityID != s.Identity.ID {
		return errNotOwner
	}
	if stopped, err := h.checkAAL(w, r, s, f.Type == flow.Browser, h.Kit.Responder.UIURL(f)); stopped || err != nil {
		return err
	}
	return h.show(w, r, f)
}

func (h *Handler) fetchAdmin(w http.ResponseWriter, r *http.Request) error {
	f, err := h.load(r, "id")
	if err != nil {
		return err
	}
	return h.show(w, r, f)
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request, f *flow.Flow) error {
	if f.Expired(h.Kit.Clock.Now()) {
		return h.Kit.Responder.Gone(f)
	}
	i, err := h.Identities.Identity(r.Context(), f.IdentityID)
	if err != nil {
		return err
	}
	h.Decorate(i)
	return httpx.WriteJSON(w, http.StatusOK, wire(f, i))
}

// StartAfterRecovery opens a browser settings flow for a user who just
// signed in with a recovery link, telling them to choose a new password.
func (h *Handler) StartAfterRecovery(w http.ResponseWriter, r *http.Request, i *identity.Identity) (string, error) {
	f, err := h.newFlow(w, r, flow.Browser, i, text.RecoverySuccessful())
	if err != nil {
		return "", err
	}
	return h.Kit.Responder.UIURL(f), nil
}
