package session

import (
	"context"
	"net/url"

	"github.com/latchkey/latchkey/internal/httpx"
)

// Policies of session.whoami.required_aal and
// selfservice.flows.settings.required_aal.
const (
	RequireAAL1             = "aal1"
	RequireHighestAvailable = "highest_available"
)

// StepUpURL is where a browser goes to add its second factor: the login
// flow at aal2, coming back to returnTo when given.
func StepUpURL(publicBase, returnTo string) string {
	u := publicBase + "self-service/login/browser?aal=aal2"
	if returnTo != "" {
		u += "&return_to=" + url.QueryEscape(returnTo)
	}
	return u
}

// AAL2Required is the later versions' refusal of a session below the level
// a policy asks for: 403 session_aal2_required naming the step-up URL.
func AAL2Required(publicBase, returnTo string) *httpx.Error {
	to := StepUpURL(publicBase, returnTo)
	return httpx.ErrForbidden.WithID("session_aal2_required").
		WithReason("This session must be authenticated with a second factor: complete the login flow at aal2, then retry.").
		WithDetail("redirect_browser_to", to)
}

// Satisfies reports whether s meets policy: aal1 takes any first factor;
// highest_available also wants the second factor when the identity has
// one. A session that proved nothing (aal0) meets neither.
func (m *Manager) Satisfies(ctx context.Context, s *Session, policy string) (bool, error) {
	if !s.AAL.AtLeast(AAL1) {
		return false, nil
	}
	if policy != RequireHighestAvailable || s.AAL.AtLeast(AAL2) {
		return true, nil
	}
	avail, err := m.AvailableAAL(ctx, s.IdentityID)
	if err != nil {
		return false, err
	}
	return s.AAL.AtLeast(avail), nil
}
