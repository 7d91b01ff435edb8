package login

import (
	"errors"
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/throttle"
)

// Stepping up: a login flow started with ?aal=aal2 belongs to a session
// that signed in with a first factor, and adds a second factor to that
// same session.

var (
	errBadAAL = httpx.ErrBadRequest.WithReason("Unable to parse the aal query parameter: use aal1 or aal2.")
	errAAL1   = httpx.ErrUnauthorized.WithID("session_aal1_required").
			WithReason("Stepping up to a second factor needs a session: sign in with a first factor before requesting aal2.")
	errAlready = httpx.ErrBadRequest.WithID("session_already_available").
			WithReason("A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?")
)

// requestedAAL reads ?aal= (aal1 when absent).
func requestedAAL(r *http.Request) (session.AAL, error) {
	switch v := r.URL.Query().Get("aal"); v {
	case "", string(session.AAL1):
		return session.AAL1, nil
	case string(session.AAL2):
		return session.AAL2, nil
	}
	return "", errBadAAL
}

// flowAAL is the level a stored flow was started for.
func flowAAL(f *flow.Flow) session.AAL {
	var a session.AAL
	if f.GetInternal("requested_aal", &a) && a == session.AAL2 {
		return a
	}
	return session.AAL1
}

// stepUpSession is the session an aal2 flow steps up: errAAL1 without one.
func (h *Handler) stepUpSession(r *http.Request) (*session.Session, error) {
	s, err := h.Sessions.FromRequest(r)
	if errors.Is(err, session.ErrNoSession) {
		return nil, errAAL1
	}
	return s, err
}

// newStepUp makes an aal2 flow for session s, with the second factors its
// identity has set up.
func (h *Handler) newStepUp(w http.ResponseWriter, r *http.Request, typ flow.Type, s *session.Session) (*flow.Flow, error) {
	ctx := r.Context()
	f := flow.New(h.Kit.Clock.Now(), flow.Login, typ, h.Lifespan, h.PublicBase, r, h.Kit.Web.Token(w, r, typ))
	if err := f.SetInternal("requested_aal", session.AAL2); err != nil {
		return nil, err
	}
	for _, sf := range h.SecondFactors {
		if err := sf.PopulateSecondFactor(ctx, f, s.Identity); err != nil {
			return nil, err
		}
	}
	f.UI.AddMessage(text.LoginMFA())
	return f, h.Kit.Flows.CreateFlow(ctx, f)
}

// initStepUp answers GET /self-service/login/{api,browser}?aal=aal2.
func (h *Handler) initStepUp(w http.ResponseWriter, r *http.Request, typ flow.Type) error {
	s, err := h.stepUpSession(r)
	if err != nil {
		return err
	}
	if s.AAL.AtLeast(session.AAL2) && !refresh(r) {
		if typ == flow.Browser {
			returnTo, err := h.Kit.Web.ReturnTo(r)
			if err != nil {
				return err
			}
			h.Kit.SignedIn(w, r, flow.Login, returnTo)
			return nil
		}
		return errAlready
	}
	if typ == flow.API {
		f, err := h.newStepUp(w, r, typ, s)
		if err != nil {
			return err
		}
		return httpx.WriteJSON(w, http.StatusOK, wire(f))
	}
	return h.Kit.StartBrowser(w, r, flow.Login, nil, func() (*flow.Flow, error) { return h.newStepUp(w, r, typ, s) })
}

// submitStepUp checks a second factor on an aal2 flow and adds it to the
// request's session: same id and token, one more method, aal2.
func (h *Handler) submitStepUp(w http.ResponseWriter, r *http.Request, f *flow.Flow, sub flow.Submission) error {
	ctx := r.Context()
	s, err := h.stepUpSession(r)
	if err != nil {
		return err
	}
	sf := flow.Pick(h.SecondFactors, sub.Method())
	if sf == nil {
		f.UI.AddMessage(text.LoginNoStrategy())
		return flow.ErrInvalid
	}
	// A six-digit code is guessable by volume: attempts are counted per
	// identity, whatever the session or address, and failures only.
	var res *throttle.Reservation
	if l := h.StepUpThrottle; l != nil {
		res, err = l.Reserve(ctx, "aal2", throttle.Key{Name: l.Name("aal2", s.IdentityID.String()), Rule: h.StepUpRule, ResetOnSuccess: true})
	}
	if r, ok := throttle.IsRefused(err); ok {
		httpx.Refused(ctx, "throttled")
		f.UI.AddMessage(text.TooManyAttempts(r.Seconds()))
		return flow.ErrInvalid
	}
	if err != nil {
		return err
	}
	if err := sf.LoginSecondFactor(ctx, f, s.Identity, sub); err != nil {
		return err
	}
	if err := res.Succeeded(ctx); err != nil {
		return err
	}
	if err := h.Sessions.AddMethod(ctx, s, session.SecondFactor(sf.ID(), h.Kit.Clock.Now())); err != nil {
		return err
	}
	f.Active = sf.ID()
	if err := h.Kit.Flows.UpdateFlow(ctx, f); err != nil {
		return err
	}
	return h.Kit.Finish(w, r, f, flow.Outcome{
		API: Result{Session: s, SessionToken: h.Sessions.TokenFromRequest(r)}, BrowserJSON: s,
		Next: h.Kit.Web.AfterURL(f.ReturnTo, flow.Login, sf.ID()),
	})
}

// needsStepUp reports whether a session a first factor just issued falls
// short of session.whoami.required_aal, so the client must add a second
// factor before whoami accepts it.
func (h *Handler) needsStepUp(r *http.Request, s *session.Session) (bool, error) {
	if h.WhoamiRequiredAAL != session.RequireHighestAvailable {
		return false, nil
	}
	ok, err := h.Sessions.Satisfies(r.Context(), s, h.WhoamiRequiredAAL)
	return !ok, err
}

// errLocationChange tells a script driving a browser flow to send the
// browser on to the step-up.
func errLocationChange(to string) error {
	return httpx.ErrUnprocessable.WithID("browser_location_change_required").
		WithReason("The browser must continue at another URL: add a second factor there.").
		WithDetail("redirect_browser_to", to)
}

// finishAtAAL1 answers a first-factor sign-in whose session whoami would
// still refuse, as the later versions do: an api client gets its token
// with the identity left out (it steps up with that token); a browser
// keeps the cookie and goes on to the aal2 flow (a script is told to send
// it there with 422).
func (h *Handler) finishAtAAL1(w http.ResponseWriter, r *http.Request, f *flow.Flow, s *session.Session, tok string) error {
	if f.Type == flow.API {
		bare := *s
		bare.Identity = nil
		return httpx.WriteJSON(w, http.StatusOK, Result{Session: &bare, SessionToken: tok})
	}
	h.Kit.StartSession(w, r, s, tok)
	to := session.StepUpURL(h.PublicBase, f.ReturnTo)
	if flow.IsJSONRequest(r) {
		return errLocationChange(to)
	}
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}
