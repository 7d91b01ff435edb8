package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// RegisterRoutes mounts the callback on the public mux. Providers return
// with GET; those answering with response_mode=form_post use POST.
func (s *Strategy) RegisterRoutes(mux *http.ServeMux) {
	h := s.Kit.Web.Handle(true, s.callback)
	mux.Handle("GET /self-service/methods/oidc/callback/{provider}", h)
	mux.Handle("POST /self-service/methods/oidc/callback/{provider}", h)
}

var (
	errNoFlow = httpx.ErrBadRequest.WithReason("The sign-in this callback belongs to no longer exists. Start signing in again.")
	// errSettingsSession: linking finishes in the session that started it.
	errSettingsSession = httpx.ErrForbidden.WithReason("Linking an account must be finished in the signed-in browser session that started it. Sign in and try again.")
)

// callback matches the provider's answer to its round trip (errors up to
// there go to the error page: there is no flow to show them on), then
// hands the flow back to its kind.
func (s *Strategy) callback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := s.provider(r.PathValue("provider"))
	if p == nil {
		return errUnknownProvider(r.PathValue("provider"))
	}
	r.Body = http.MaxBytesReader(w, r.Body, httpx.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return httpx.ErrBadRequest.WithReason("the callback parameters could not be parsed")
	}
	st, err := s.take(ctx, r, p.ID(), r.FormValue("state"))
	if st != nil {
		// Only a callback that used up a round trip ends it: a forged
		// one must not cancel the sign-in the browser has under way.
		s.clearContinuity(w)
	}
	expired := errors.Is(err, errRoundTripExpired)
	if err != nil && !expired {
		return err
	}
	f, err := s.Kit.Flows.Flow(ctx, st.FlowKind, st.FlowID)
	if errors.Is(err, store.ErrNotFound) {
		return errNoFlow
	}
	if err != nil {
		return err
	}
	if expired {
		// The provider's answer is not read: the flow starts over.
		f.ExpiresAt = s.now()
	}
	switch f.Kind {
	case flow.Login:
		s.Kit.Resume(w, r, s.LoginHandler.Submit(), f, func() error { return s.finishLogin(w, r, f, p, st) })
	case flow.Registration:
		s.Kit.Resume(w, r, s.RegistrationHandler.Submit(), f, func() error { return s.finishRegistration(w, r, f, p, st) })
	case flow.Settings:
		return s.finishSettings(w, r, f, p, st)
	default:
		return errNoFlow
	}
	return nil
}

// maxEcho bounds provider text copied into a message.
const maxEcho = 200

func echo(s string) string {
	if len(s) > maxEcho {
		return s[:maxEcho] + "…"
	}
	return s
}

// claims reads the provider's answer. Whatever the provider got wrong
// (an error, no code, a refused code, a bad ID token) is a message on the
// flow, which is shown again: nobody is signed in, nothing is a 500.
func (s *Strategy) claims(r *http.Request, f *flow.Flow, p *Provider, st *State) (Claims, error) {
	ctx := r.Context()
	if e := r.FormValue("error"); e != "" {
		f.UI.AddMessage(text.Generic(fmt.Sprintf("Unable to complete OpenID Connect flow because the OpenID Provider returned error %q: %s", echo(e), echo(r.FormValue("error_description")))))
		return nil, flow.ErrInvalid
	}
	code := r.FormValue("code")
	if code == "" {
		f.UI.AddMessage(text.Generic("Unable to complete OpenID Connect flow because the OpenID Provider returned no authorization code."))
		return nil, flow.ErrInvalid
	}
	claims, err := p.Claims(ctx, s.RedirectURL(p), code, Auth{Verifier: st.Verifier, Nonce: st.Nonce})
	switch {
	case errors.Is(err, ErrExchange), errors.Is(err, ErrIDToken), errors.Is(err, ErrUnreachable):
		s.Log.WarnContext(ctx, "oidc sign-in failed at the provider", "provider", p.ID(), "error", err.Error())
		f.UI.AddMessage(text.Generic("Unable to complete OpenID Connect flow: " + echo(err.Error())))
		return nil, flow.ErrInvalid
	case err != nil:
		return nil, err
	}
	return claims, nil
}

// identityFor finds the identity a provider account signs in to.
func (s *Strategy) identityFor(ctx context.Context, p *Provider, c Claims) (*identity.Identity, bool, error) {
	i, _, err := s.Store.IdentityByIdentifier(ctx, CredentialType, []string{Identifier(p.ID(), c.Subject())})
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return i, true, nil
}

// signedIn sends a browser that is signed in already where it was going,
// as a submission would: a login flow only continues when it was started
// to refresh the session.
func (s *Strategy) signedIn(w http.ResponseWriter, r *http.Request, f *flow.Flow) (bool, error) {
	in, err := s.Sessions.SignedIn(r)
	if err != nil || !in || (f.Kind == flow.Login && f.Forced) {
		return false, err
	}
	http.Redirect(w, r, s.Kit.Web.AfterURL("", f.Kind), http.StatusFound)
	return true, nil
}

// finishLogin signs a known account in; an unknown one signs up on a new
// registration flow that keeps the login flow's return_to.
func (s *Strategy) finishLogin(w http.ResponseWriter, r *http.Request, f *flow.Flow, p *Provider, st *State) error {
	if done, err := s.signedIn(w, r, f); done || err != nil {
		return err
	}
	claims, err := s.claims(r, f, p, st)
	if err != nil {
		return err
	}
	i, found, err := s.identityFor(r.Context(), p, claims)
	if err != nil {
		return err
	}
	if found {
		return s.LoginHandler.Complete(w, r, f, i, Method)
	}
	reg, err := s.RegistrationHandler.NewBrowserFlow(w, r)
	if err != nil {
		return err
	}
	if f.ReturnTo != "" {
		reg.ReturnTo = f.ReturnTo
		if err := s.Kit.Flows.UpdateFlow(r.Context(), reg); err != nil {
			return err
		}
	}
	s.Kit.Resume(w, r, s.RegistrationHandler.Submit(), reg, func() error { return s.register(w, r, reg, p, claims, nil) })
	return nil
}

// finishRegistration signs up an unknown account; a known one signs in
// (on a new login flow, so login hooks see a login).
func (s *Strategy) finishRegistration(w http.ResponseWriter, r *http.Request, f *flow.Flow, p *Provider, st *State) error {
	if done, err := s.signedIn(w, r, f); done || err != nil {
		return err
	}
	claims, err := s.claims(r, f, p, st)
	if err != nil {
		return err
	}
	i, found, err := s.identityFor(r.Context(), p, claims)
	if err != nil {
		return err
	}
	if !found {
		return s.register(w, r, f, p, claims, st.Traits)
	}
	lf, err := s.LoginHandler.NewBrowserFlow(w, r)
	if err != nil {
		return err
	}
	if f.ReturnTo != "" {
		lf.ReturnTo = f.ReturnTo
		if err := s.Kit.Flows.UpdateFlow(r.Context(), lf); err != nil {
			return err
		}
	}
	return s.LoginHandler.Complete(w, r, lf, i, Method)
}

// finishSettings links the provider account to the signed-in identity
// that started the flow. The claims change no traits.
func (s *Strategy) finishSettings(w http.ResponseWriter, r *http.Request, f *flow.Flow, p *Provider, st *State) error {
	sess, err := s.Sessions.FromRequest(r)
	if errors.Is(err, session.ErrNoSession) {
		return errSettingsSession
	}
	if err != nil {
		return err
	}
	if f.IdentityID != sess.Identity.ID {
		return errSettingsSession
	}
	s.Kit.Resume(w, r, s.SettingsHandler.SubmitFor(sess.Identity), f, func() error {
		ctx := r.Context()
		claims, err := s.claims(r, f, p, st)
		if err != nil {
			return err
		}
		l, err := s.linkState(ctx, sess.Identity.ID)
		if err != nil {
			return err
		}
		if l.linked(p.ID()) {
			f.UI.AddMessage(errCannotLink)
			return flow.ErrInvalid
		}
		l.config.Providers = append(l.config.Providers, LinkedProvider{Subject: claims.Subject(), Provider: p.ID()})
		if err := s.writeLinks(ctx, sess.Identity.ID, l); errors.Is(err, store.ErrConflict) {
			f.UI.AddMessage(text.DuplicateCredentials())
			return flow.ErrInvalid
		} else if err != nil {
			return err
		}
		return s.SettingsHandler.Complete(w, r, sess, f, sess.Identity, Method)
	})
	return nil
}
