package flow

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/session"
)

// Outcome is how a completed submission is answered.
type Outcome struct {
	// API is the answer to api clients.
	API any
	// BrowserJSON is the answer to a browser flow submitted by a client
	// that asked for JSON (single-page apps).
	BrowserJSON any
	// Session is a session the flow issued, with its token; a browser
	// receives it as a cookie.
	Session *session.Session
	Token   string
	// Next is where any other browser goes.
	Next string
}

// Finish is the one success ending of every flow: JSON for api flows;
// for browser flows the session cookie (if the flow issued one), then JSON
// or a redirect.
func (k *Kit) Finish(w http.ResponseWriter, r *http.Request, f *Flow, o Outcome) error {
	if f.Type == API {
		return httpx.WriteJSON(w, http.StatusOK, o.API)
	}
	if o.Session != nil {
		k.StartSession(w, r, o.Session, o.Token)
	}
	if IsJSONRequest(r) {
		return httpx.WriteJSON(w, http.StatusOK, o.BrowserJSON)
	}
	http.Redirect(w, r, o.Next, http.StatusFound)
	return nil
}

// StartSession gives a browser the cookie of a session a flow issued. A
// browser that was not signed in as this identity before also gets a new
// anti-CSRF token, as in the reference: a token seen before the sign-in
// does not carry over into the account.
func (k *Kit) StartSession(w http.ResponseWriter, r *http.Request, s *session.Session, tok string) {
	if before, err := k.Sessions.FromRequest(r); err != nil || before.IdentityID != s.IdentityID {
		k.Web.CSRF.Issue(w, r)
	}
	k.Sessions.SetCookie(w, tok, s)
}
