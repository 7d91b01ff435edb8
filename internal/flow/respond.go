package flow

import (
	"log/slog"
	"net/http"

	"github.com/latchkey/latchkey/internal/httpx"
)

// Responder gives a flow's answers: JSON for api clients, redirects for
// browsers.
type Responder struct {
	PublicBase string
	UIURLs     map[Kind]string
	Log        *slog.Logger
}

// UIURL is where a browser renders a flow.
func (rs *Responder) UIURL(f *Flow) string {
	return appendQuery(rs.UIURLs[f.Kind], "flow", f.ID.String())
}

// Show answers with a flow after a submission that did not finish it:
// validation problems (400 for api clients) or a new state (200). A
// browser flow is always sent to its UI, even when a script asked for JSON,
// as the reference does.
func (rs *Responder) Show(w http.ResponseWriter, r *http.Request, f *Flow, status int, wire any) error {
	if f.Type == Browser {
		http.Redirect(w, r, rs.UIURL(f), http.StatusFound)
		return nil
	}
	return httpx.WriteJSON(w, status, wire)
}

// Expired answers a submission to an expired flow with its replacement,
// which carries the "expired" message: api clients are sent to fetch it,
// browsers to render it.
func (rs *Responder) Expired(w http.ResponseWriter, r *http.Request, replacement *Flow) error {
	if replacement.Type == Browser {
		http.Redirect(w, r, rs.UIURL(replacement), http.StatusFound)
		return nil
	}
	http.Redirect(w, r, FetchURL(rs.PublicBase, replacement.Kind, replacement.ID), http.StatusFound)
	return nil
}

// Gone answers a fetch of an expired flow: 410 naming where to start anew.
func (rs *Responder) Gone(f *Flow) error {
	start := rs.PublicBase + "self-service/" + string(f.Kind) + "/" + string(f.Type)
	e := httpx.ErrGone.WithReason("The %s flow has expired; start a new one.", f.Kind)
	if f.Type == Browser {
		return e.WithDetail("redirect_to", start)
	}
	return e.WithDetail("api", start)
}

func appendQuery(base, key, value string) string {
	sep := "?"
	for _, c := range base {
		if c == '?' {
			sep = "&"
			break
		}
	}
	return base + sep + key + "=" + value
}
