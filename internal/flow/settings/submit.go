package settings

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
)

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := flow.Load(r, h.Flows, flow.Settings)
	if err != nil {
		return err
	}
	s, err := h.session(r)
	if errors.Is(err, errNoSession) && f.Type == flow.Browser && !flow.IsJSONRequest(r) {
		http.Redirect(w, r, h.LoginUIURL, http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	// Another identity's flow is refused without showing it: the flow
	// holds the owner's traits.
	if f.IdentityID != s.Identity.ID {
		return errNotOwner
	}
	i := s.Identity
	renew := func(old *flow.Flow) (*flow.Flow, error) { return h.newFlow(w, r, old.Type, i) }
	begun, done, err := h.BeginSubmit(w, r, flow.Settings, text.SettingsExpired, renew)
	f, sub := begun.Flow, begun.Sub
	switch {
	case done:
		return err
	case errors.Is(err, flow.ErrInvalid):
		return h.invalid(w, r, f, i)
	case err != nil:
		return err
	}
	f.State = StateShowForm
	strategy := flow.Pick(h.Strategies, sub.Method())
	if strategy == nil {
		f.UI.AddMessage(text.SettingsNoStrategy())
		return h.invalid(w, r, f, i)
	}
	if strategy.NeedsPrivilege(i, sub) && !h.privileged(s) {
		return h.reauthenticate(w, r, f)
	}
	updated, err := strategy.Settings(ctx, f, i, sub)
	if errors.Is(err, flow.ErrInvalid) {
		return h.invalid(w, r, f, i)
	}
	if err != nil {
		return err
	}
	h.Decorate(updated)
	h.populate(f, updated)
	f.State, f.Active = StateSuccess, strategy.ID()
	f.UI.AddMessage(text.SettingsSaved())
	if err := h.Flows.UpdateFlow(ctx, f); err != nil {
		return err
	}
	if err := flow.RunHooks(ctx, h.After, flow.Event{Flow: f, Identity: updated, Session: s, Request: r}); err != nil {
		return err
	}
	if f.Type == flow.API || flow.IsJSONRequest(r) {
		return httpx.WriteJSON(w, http.StatusOK, Result{Flow: wire(f, updated), Identity: updated})
	}
	// Browsers come back to the form, which now shows the success message,
	// unless the flow was started with somewhere to return to.
	next := h.Responder.UIURL(f)
	if f.ReturnTo != "" {
		next = f.ReturnTo
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handler) privileged(s *session.Session) bool {
	return time.Since(s.AuthenticatedAt) <= h.PrivilegedMaxAge
}

// reauthenticate refuses a privileged change on an old session: api
// clients get 403, browsers are sent to sign in again and come back here.
func (h *Handler) reauthenticate(w http.ResponseWriter, r *http.Request, f *flow.Flow) error {
	if f.Type == flow.API || flow.IsJSONRequest(r) {
		return errPrivileged
	}
	back := h.Responder.UIURL(f)
	login := h.PublicBase + "self-service/login/browser?refresh=true&return_to=" + url.QueryEscape(back)
	http.Redirect(w, r, login, http.StatusSeeOther)
	return nil
}

func (h *Handler) invalid(w http.ResponseWriter, r *http.Request, f *flow.Flow, i *identity.Identity) error {
	return h.Responder.Invalid(w, r, h.Flows, f, wire(f, i))
}
