package flow

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
	"github.com/latchkey/latchkey/internal/text"
)

// Submit describes one flow's submit endpoint (POST /self-service/<kind>).
type Submit struct {
	Kind Kind
	// Expired is the message the flow replacing an expired one carries.
	Expired func(at, now time.Time) text.Message
	// Renew makes the flow that replaces an expired one.
	Renew func(w http.ResponseWriter, r *http.Request, expired *Flow) (*Flow, error)
	// Wire is the flow as clients see it, shown again after an invalid
	// submission.
	Wire func(f *Flow) any
	// Handle acts on a loaded, checked submission. It returns ErrInvalid
	// (with the problems on the flow's form) to have the flow shown again.
	Handle func(w http.ResponseWriter, r *http.Request, f *Flow, sub Submission) error
	// Saved, when set, serves a GET that resumes a submission kept earlier
	// (settings after a refresh login) instead of reading a body; it returns
	// ErrNothingSaved when there is none, and the flow is shown as it is.
	Saved func(w http.ResponseWriter, r *http.Request, f *Flow) (Submission, error)
}

// ExpiredError is a submission to a flow that can no longer be submitted.
type ExpiredError struct{ Flow *Flow }

func (e *ExpiredError) Error() string {
	return "flow: the " + string(e.Flow.Kind) + " flow has expired"
}

// Redirect is returned by a strategy whose submission continues at another
// site (social sign-in sends the browser to its provider): the browser is
// sent to URL with the cookies set. It is an answer, not a failure.
type Redirect struct {
	URL     string
	Cookies []*http.Cookie
}

func (e *Redirect) Error() string { return "flow: the submission continues at another site" }

// Handler serves a submit endpoint with Run.
func (k *Kit) Handler(s Submit) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { k.Run(w, r, s) })
}

// Run answers one submission: the flow is loaded and the body read (Load),
// s.Handle acts on them, and whatever went wrong is answered here, in one
// place, as the loaded flow's type asks.
func (k *Kit) Run(w http.ResponseWriter, r *http.Request, s Submit) {
	ctx, d := withDeferred(r.Context())
	r = r.WithContext(ctx)
	var f *Flow
	var sub Submission
	var err error
	if s.Saved != nil {
		f, sub, err = k.resume(w, r, s)
	} else {
		f, sub, err = k.Load(w, r, s.Kind)
	}
	if errors.Is(err, ErrNothingSaved) {
		err = k.Advance(w, r, f, s.Wire(f))
	} else if err == nil {
		err = s.Handle(w, r, f, sub)
	}
	if ferr := k.flushDeferred(ctx, d); ferr != nil {
		if err != nil {
			err = ferr
		} else if k.Web != nil && k.Web.Log != nil {
			// The answer is out already; only the log can tell.
			k.Web.Log.ErrorContext(ctx, "a submission's deferred write failed", "error", ferr.Error())
		}
	}
	if err != nil {
		k.fail(w, r, s, f, err)
	}
}

// Load reads the flow a submission names in ?flow= and the submitted
// values: a flow that expired comes back as *ExpiredError; a browser flow's
// anti-CSRF token is checked; old messages are cleared. An api flow sent
// with browser headers comes back with ErrInvalid and the problem on its
// form. Errors after the flow was read come with the flow, so that they
// are answered as its type asks.
func (k *Kit) Load(w http.ResponseWriter, r *http.Request, kind Kind) (*Flow, Submission, error) {
	f, err := k.Find(r, kind)
	if err != nil {
		return f, Submission{}, err
	}
	sub, err := Decode(w, r)
	if err != nil {
		return f, sub, unreadable(f, err)
	}
	if f.Type == Browser {
		if err := k.Web.CheckCSRF(r, f, sub); err != nil {
			return f, sub, err
		}
	}
	f.UI.ResetMessages()
	if hdr := APIRequestProblem(r); f.Type == API && hdr != "" {
		f.UI.AddMessage(APIHeaderMessage(hdr))
		return f, sub, ErrInvalid
	}
	return f, sub, nil
}

// unreadable answers a body that could not be read as the reference does:
// a bad request (415 included, which the reference does not tell apart)
// becomes a form message (4000001 with the reason) on the flow, shown
// again; a body over the limit stays a 413.
func unreadable(f *Flow, err error) error {
	he := httpx.AsError(err)
	if he.Code != http.StatusBadRequest && he.Code != http.StatusUnsupportedMediaType {
		return err
	}
	f.UI.ResetMessages()
	f.UI.AddMessage(text.Generic(he.Reason))
	return ErrInvalid
}

// Find reads the flow ?flow= names: *ExpiredError once it expired.
func (k *Kit) Find(r *http.Request, kind Kind) (*Flow, error) {
	id, err := uuid.Parse(r.URL.Query().Get("flow"))
	if err != nil {
		return nil, ErrFlowID
	}
	f, err := k.Flows.Flow(r.Context(), kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NotFound(kind)
	}
	if err != nil {
		return nil, err
	}
	if f.Expired(k.Clock.Now()) {
		return f, &ExpiredError{Flow: f}
	}
	return f, nil
}

// ErrNothingSaved says a resumed flow has no kept submission.
var ErrNothingSaved = errors.New("flow: no kept submission to resume")

// resume reads the flow and the submission kept for it. The kept values
// were checked against CSRF when they were first submitted; only the
// browser that holds their key can bring them back.
func (k *Kit) resume(w http.ResponseWriter, r *http.Request, s Submit) (*Flow, Submission, error) {
	f, err := k.Find(r, s.Kind)
	if err != nil {
		return f, Submission{}, err
	}
	f.UI.ResetMessages()
	sub, err := s.Saved(w, r, f)
	return f, sub, err
}

// Resume continues flow f outside its submit endpoint (social sign-in's
// callback, after the provider sent the browser back): handle runs unless
// the flow expired meanwhile, and its errors are answered as Run answers a
// submission's, so an expired flow is replaced rather than an error shown.
func (k *Kit) Resume(w http.ResponseWriter, r *http.Request, s Submit, f *Flow, handle func() error) {
	var err error
	if f.Expired(k.Clock.Now()) {
		err = &ExpiredError{Flow: f}
	} else {
		f.UI.ResetMessages()
		err = handle()
	}
	if err != nil {
		k.fail(w, r, s, f, err)
	}
}

// fail is the one error adapter of submissions: an expired flow is
// replaced, an invalid submission shows its flow again, and any other
// error goes to a browser flow's error page or to the client as JSON
// (an error met before any flow was loaded, such as a missing or unknown
// flow id, goes to the error page unless the client asked for JSON).
func (k *Kit) fail(w http.ResponseWriter, r *http.Request, s Submit, f *Flow, err error) {
	var expired *ExpiredError
	var redirect *Redirect
	switch {
	case errors.As(err, &redirect):
		for _, c := range redirect.Cookies {
			http.SetCookie(w, c)
		}
		http.Redirect(w, r, redirect.URL, http.StatusFound)
		return
	case errors.As(err, &expired):
		err = k.replace(w, r, s, expired.Flow)
	case f != nil && errors.Is(err, ErrInvalid):
		err = k.invalid(w, r, f, s.Wire(f))
	case f != nil && errors.Is(err, ErrContinueInBrowser):
		err = k.continueInBrowser(w, r, f)
	}
	if err != nil {
		// Before a flow is loaded only the request can tell who asks.
		k.Web.Fail(w, r, f == nil || f.Type == Browser, err)
	}
}

// replace answers a submission to an expired flow with a new one that
// takes over its return_to and says it expired. A browser user does not
// lose what they typed: the submission's plain values fill the new form.
func (k *Kit) replace(w http.ResponseWriter, r *http.Request, s Submit, old *Flow) error {
	next, err := s.Renew(w, r, old)
	if err != nil {
		return err
	}
	if old.Type == Browser {
		k.carryTyped(w, r, old, next)
	}
	return k.Replace(w, r, old, next, s.Expired(old.ExpiresAt, k.Clock.Now()))
}

// carryTyped copies the values a browser typed into the expired flow old
// onto the matching inputs of next. Only a submission that passes old's
// CSRF check is read, so another site cannot plant values in someone's
// form, and secrets (passwords, codes, tokens) are never carried: the
// hidden, password and submit inputs are left as next made them.
func (k *Kit) carryTyped(w http.ResponseWriter, r *http.Request, old, next *Flow) {
	sub, err := Decode(w, r)
	if err != nil || k.Web.CheckCSRF(r, old, sub) != nil {
		return
	}
	for i := range next.UI.Nodes {
		a := &next.UI.Nodes[i].Attributes
		if next.UI.Nodes[i].Type != "input" || !carriable(a.Type) {
			continue
		}
		if v, ok := sub.Lookup(a.Name); ok {
			if str, isString := v.(string); !isString || str != "" {
				a.Value = v
			}
		}
	}
}

// carriable reports whether an input of this type holds a value that may
// be typed again into a replacement form.
func carriable(inputType string) bool {
	switch inputType {
	case "hidden", "password", "submit", "button":
		return false
	}
	return true
}

// Replace sends a client from an expired flow to next, which takes over its
// return_to and carries msg.
func (k *Kit) Replace(w http.ResponseWriter, r *http.Request, old, next *Flow, msg text.Message) error {
	next.ReturnTo = old.ReturnTo
	return k.Restart(w, r, next, msg)
}

// ErrContinueInBrowser is returned by a strategy whose next step happens
// in the browser (a security key answers there): the flow is stored and
// the browser sent to its UI; a script driving it gets the later versions'
// 422 browser_location_change_required naming where.
var ErrContinueInBrowser = errors.New("flow: the submission continues in the browser")

func (k *Kit) continueInBrowser(w http.ResponseWriter, r *http.Request, f *Flow) error {
	if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	to := k.Responder.UIURL(f)
	if IsJSONRequest(r) {
		return httpx.ErrUnprocessable.WithID("browser_location_change_required").
			WithReason("Continue in the browser: the next step needs a security key or passkey.").
			WithDetail("redirect_browser_to", to)
	}
	http.Redirect(w, r, to, http.StatusFound)
	return nil
}

// invalid stores a flow whose submission failed and shows it again.
func (k *Kit) invalid(w http.ResponseWriter, r *http.Request, f *Flow, wire any) error {
	if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	// A throttled attempt tells clients that read headers, not bodies,
	// when to come back, in the same seconds as the message's context.
	if wait, ok := text.WaitSeconds(f.UI.Messages); ok {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
	}
	return k.Responder.Show(w, r, f, http.StatusBadRequest, wire)
}
