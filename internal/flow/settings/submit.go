package settings

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
)

// submit answers POST /self-service/settings, and the GET a browser makes
// when it comes back from a refresh login. The session comes first: the
// flow is only loaded (once) for its owner.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	s, err := h.session(r)
	if errors.Is(err, errNoSession) && !flow.IsJSONRequest(r) {
		http.Redirect(w, r, h.LoginUIURL, http.StatusFound)
		return
	}
	if err != nil {
		h.Kit.Web.Fail(w, r, false, err)
		return
	}
	if stopped, err := h.checkAAL(w, r, s, !flow.IsJSONRequest(r) && r.Header.Get("X-Session-Token") == "", h.PublicBase+"self-service/settings/browser"); stopped || err != nil {
		if err != nil {
			h.Kit.Web.Fail(w, r, false, err)
		}
		return
	}
	i := s.Identity
	sub := h.SubmitFor(i)
	sub.Handle = func(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
		return h.apply(w, r, s, f, sub)
	}
	if r.Method == http.MethodGet {
		sub.Saved = func(w http.ResponseWriter, r *http.Request, f *flow.Flow) (flow.Submission, error) {
			if f.IdentityID != i.ID {
				return flow.Submission{}, errNotOwner
			}
			if saved, ok := h.resumed(w, r, f); ok {
				return saved, nil
			}
			return flow.Submission{}, flow.ErrNothingSaved
		}
	}
	h.Kit.Run(w, r, sub)
}

// SubmitFor describes the submit endpoint for identity i's flows (without
// Handle); social sign-in's callback answers with it too.
func (h *Handler) SubmitFor(i *identity.Identity) flow.Submit {
	return flow.Submit{
		Kind: flow.Settings, Expired: text.SettingsExpired,
		Renew: func(w http.ResponseWriter, r *http.Request, old *flow.Flow) (*flow.Flow, error) {
			if old.IdentityID != i.ID {
				return nil, errNotOwner
			}
			return h.newFlow(w, r, old.Type, i)
		},
		Wire: func(f *flow.Flow) any { return wire(f, i) },
	}
}

// apply makes the change a submission asks for.
func (h *Handler) apply(w http.ResponseWriter, r *http.Request, s *session.Session, f *flow.Flow, sub flow.Submission) error {
	ctx := r.Context()
	// Another identity's flow is refused without showing it: the flow
	// holds the owner's traits.
	if f.IdentityID != s.Identity.ID {
		return errNotOwner
	}
	i := s.Identity
	f.State = StateShowForm
	strategy := flow.Pick(h.Strategies, sub.Method())
	if strategy == nil {
		f.UI.AddMessage(text.SettingsNoStrategy())
		return flow.ErrInvalid
	}
	if strategy.NeedsPrivilege(i, sub) && !h.privileged(s) {
		return h.reauthenticate(w, r, f, sub)
	}
	updated, err := strategy.Settings(ctx, f, i, sub)
	if err != nil {
		return err
	}
	if fc, ok := strategy.(FactorChanging); ok && h.FactorChanged != nil {
		if method, added, changed := fc.FactorChange(sub); changed {
			h.FactorChanged(r, i.ID, method, added)
		}
	}
	if a, ok := strategy.(Authenticating); ok {
		if m, proved := a.Proved(sub); proved {
			if err := h.Sessions.AddMethod(ctx, s, m); err != nil {
				return err
			}
		}
	}
	return h.Complete(w, r, s, f, updated, strategy.ID())
}

// Complete shows flow f with a change to identity updated saved, and runs
// the after hooks. Strategies that finish elsewhere (social sign-in's
// callback) end here too.
func (h *Handler) Complete(w http.ResponseWriter, r *http.Request, s *session.Session, f *flow.Flow, updated *identity.Identity, method string) error {
	ctx := r.Context()
	h.Decorate(updated)
	if err := h.populate(ctx, f, updated); err != nil {
		return err
	}
	f.State, f.Active = StateSuccess, method
	f.UI.AddMessage(text.SettingsSaved())
	if err := h.Kit.Flows.UpdateFlow(ctx, f); err != nil {
		return err
	}
	// The change is saved by now: in-line hooks that refuse it show their
	// messages, but cannot take it back.
	hooks := h.Hooks.For(method)
	ev := flow.Event{Flow: f, Identity: updated, Session: s, Request: r}
	if err := flow.RunHooks(ctx, append(hooks.Checks, hooks.After...), ev); err != nil {
		return err
	}
	// Browsers come back to the form, which now shows the success message,
	// unless the flow was started with somewhere to return to.
	next := h.Kit.Responder.UIURL(f)
	if f.ReturnTo != "" {
		next = f.ReturnTo
	}
	res := Result{Flow: wire(f, updated), Identity: updated}
	return h.Kit.Finish(w, r, f, flow.Outcome{API: res, BrowserJSON: res, Next: next})
}

func (h *Handler) privileged(s *session.Session) bool {
	return h.Kit.Clock.Now().Sub(s.AuthenticatedAt) <= h.PrivilegedMaxAge
}

// reauthenticate refuses a privileged change on an old session: api flows
// get 403; a browser flow (whatever the client accepts) keeps the change
// and is sent to sign in again, coming back to this same URL to apply it.
func (h *Handler) reauthenticate(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
	if f.Type == flow.API {
		return errPrivileged
	}
	if err := h.keep(w, f, sub); err != nil {
		return err
	}
	if err := h.Kit.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	back := h.PublicBase + strings.TrimPrefix(r.URL.Path, "/") + "?" + r.URL.RawQuery
	login := h.PublicBase + "self-service/login/browser?refresh=true&return_to=" + url.QueryEscape(back)
	http.Redirect(w, r, login, http.StatusFound)
	return nil
}
