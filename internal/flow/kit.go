package flow

import (
	"net/http"
	"strings"

	"github.com/latchkey/latchkey/internal/clock"
	"github.com/latchkey/latchkey/internal/session"
	"github.com/latchkey/latchkey/internal/text"
)

// Kit is what every flow handler uses to store flows and answer clients.
// Handlers hold it in a named field, so a reader sees which methods are
// the handler's own.
type Kit struct {
	Flows     Store
	Responder *Responder
	Web       *Web
	Sessions  *session.Manager // sets the cookie of a session a browser flow issued
	// Clock stamps new flows and decides expiry; tests move it.
	Clock clock.Clock
	// Tx, when set, makes the closing writes of a submission (Commit) one
	// transaction.
	Tx Transactor
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
			k.SignedIn(w, r, kind, returnTo)
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

// SignedIn sends a browser that is already signed in away from a flow it
// does not need (login without refresh, registration, recovery), where the
// reference sends it: login to its (allowed) return_to, registration and
// recovery only to one under <public>/self-service; otherwise to the default
// return URL.
func (k *Kit) SignedIn(w http.ResponseWriter, r *http.Request, kind Kind, returnTo string) {
	next := k.Web.DefaultURL()
	own := k.Responder.PublicBase + "self-service"
	if returnTo != "" && (kind == Login || returnTo == own || strings.HasPrefix(returnTo, own+"/")) {
		next = returnTo
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// Restart sends a client to a new flow that says why it had to start
// again (the old one expired, a link was used up): browser flows to the UI,
// api flows to the flow's JSON.
func (k *Kit) Restart(w http.ResponseWriter, r *http.Request, next *Flow, msg text.Message) error {
	next.UI.AddMessage(msg)
	if err := k.Flows.UpdateFlow(r.Context(), next); err != nil {
		return err
	}
	return k.Responder.Expired(w, r, next)
}

// Advance stores a flow a submission moved to its next state and shows it
// (200 for api clients; browsers render it).
func (k *Kit) Advance(w http.ResponseWriter, r *http.Request, f *Flow, wire any) error {
	if err := k.Flows.UpdateFlow(r.Context(), f); err != nil {
		return err
	}
	return k.Responder.Show(w, r, f, http.StatusOK, wire)
}
