package flow

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/latchkey/latchkey/internal/text"
)

// Kit is what every flow handler uses to store flows and answer clients.
type Kit struct {
	Flows     Store
	Responder *Responder
	Web       *Web
}

// StartBrowser finishes a GET .../browser: the return_to is checked first,
// so a hostile one is refused before anything happens; a browser that needs
// no new flow (signedIn) goes straight to where it was heading; otherwise
// create makes the flow and the browser is sent to render it.
func (k *Kit) StartBrowser(w http.ResponseWriter, r *http.Request, kind Kind, signedIn func() (bool, error), create func() (*Flow, error)) error {
	returnTo, err := k.Web.ReturnTo(r)
	if err != nil {
		return err
	}
	if signedIn != nil {
		in, err := signedIn()
		if err != nil {
			return err
		}
		if in {
			http.Redirect(w, r, k.Web.AfterURL(returnTo, kind), http.StatusFound)
			return nil
		}
	}
	f, err := create()
	if err != nil {
		return err
	}
	if returnTo != "" {
		f.ReturnTo = returnTo
		if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
			return err
		}
	}
	http.Redirect(w, r, k.Responder.UIURL(f), http.StatusFound)
	return nil
}

// Submitted is a flow submission ready for a strategy.
type Submitted struct {
	Flow *Flow
	Sub  Submission
}

// BeginSubmit readies a POST to a flow: it loads the flow, replaces an
// expired one (answering the client: done is true), decodes the body,
// checks CSRF for browser flows and clears old messages. An api flow sent
// with browser headers comes back with flow.ErrInvalid and the problem on
// its form, to be shown like any invalid submission.
func (k *Kit) BeginSubmit(w http.ResponseWriter, r *http.Request, kind Kind, expired func(at time.Time) text.Message,
	renew func(expired *Flow) (*Flow, error)) (s Submitted, done bool, err error) {
	f, err := Load(r, k.Flows, kind)
	if err != nil {
		return s, false, err
	}
	if f.Expired(time.Now()) {
		next, err := renew(f)
		if err != nil {
			return s, false, err
		}
		return s, true, k.Responder.Replace(w, r, k.Flows, f, next, expired(f.ExpiresAt))
	}
	sub, err := Decode(w, r)
	if err != nil {
		return s, false, err
	}
	if f.Type == Browser {
		if err := k.Web.CheckCSRF(r, f, sub); err != nil {
			return s, false, err
		}
	}
	f.UI.ResetMessages()
	s = Submitted{Flow: f, Sub: sub}
	if hdr := APIRequestProblem(r); f.Type == API && hdr != "" {
		f.UI.AddMessage(APIHeaderMessage(hdr))
		return s, false, ErrInvalid
	}
	return s, false, nil
}

// Retry sends a browser that followed a bad link to a fresh flow that says
// what went wrong.
func (k *Kit) Retry(w http.ResponseWriter, r *http.Request, create func() (*Flow, error), msg text.Message) error {
	f, err := create()
	if err != nil {
		return err
	}
	f.UI.AddMessage(msg)
	if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	http.Redirect(w, r, k.Responder.UIURL(f), http.StatusSeeOther)
	return nil
}

// LinkSubmission is how a flow that mails a link (recovery, verification)
// acts on a submitted address.
type LinkSubmission struct {
	Kind       Kind
	Expired    func(at time.Time) text.Message
	NoStrategy text.Message
	// Method is the one strategy's method; it is implied when none is
	// named, as the reference's SDK sends only the address.
	Method string
	Renew  func(expired *Flow) (*Flow, error)
	// Submit mails the link (or a notice); path is where the submission was
	// posted, which the link points back to.
	Submit func(ctx context.Context, f *Flow, sub Submission, path string) error
}

// SubmitLink answers a POST to a recovery or verification flow: the flow
// moves to its next state and is shown again (200), or shows its problems.
func (k *Kit) SubmitLink(w http.ResponseWriter, r *http.Request, ls LinkSubmission) error {
	begun, done, err := k.BeginSubmit(w, r, ls.Kind, ls.Expired, ls.Renew)
	f, sub := begun.Flow, begun.Sub
	switch {
	case done:
		return err
	case errors.Is(err, ErrInvalid):
		return k.Responder.Invalid(w, r, k.Flows, f, f.Stated())
	case err != nil:
		return err
	}
	if m := sub.Method(); m != "" && m != ls.Method {
		f.UI.AddMessage(ls.NoStrategy)
		return k.Responder.Invalid(w, r, k.Flows, f, f.Stated())
	}
	if err := ls.Submit(r.Context(), f, sub, strings.TrimPrefix(r.URL.Path, "/")); errors.Is(err, ErrInvalid) {
		return k.Responder.Invalid(w, r, k.Flows, f, f.Stated())
	} else if err != nil {
		return err
	}
	if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	return k.Responder.Show(w, r, f, http.StatusOK, f.Stated())
}
