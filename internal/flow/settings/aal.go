package settings

import (
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/session"
)

// checkAAL applies selfservice.flows.settings.required_aal to every
// settings request: with highest_available, a session of an identity with
// a second factor must have used it. A browser is sent to add it, coming
// back to returnTo; anyone else gets the later versions' 403.
func (h *Handler) checkAAL(w http.ResponseWriter, r *http.Request, s *session.Session, browser bool, returnTo string) (stopped bool, err error) {
	ok, err := h.Sessions.Satisfies(r.Context(), s, h.RequiredAAL)
	if err != nil || ok {
		return false, err
	}
	if browser && !flow.IsJSONRequest(r) {
		http.Redirect(w, r, session.StepUpURL(h.PublicBase, returnTo), http.StatusFound)
		return true, nil
	}
	return true, session.AAL2Required(h.PublicBase, returnTo)
}
