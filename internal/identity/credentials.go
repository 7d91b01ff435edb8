package identity

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
)

// The admin view of an identity's credentials, as the later versions show
// them: which methods are set up, never their secrets. v0.6.3 has no such
// field, so it appears only when asked for (?include_credential=), and the
// v0.6.3 identity JSON stays as it was.

// CredentialStore reads and removes an identity's credentials.
type CredentialStore interface {
	Credentials(ctx context.Context, identityID uuid.UUID) (map[CredentialType]*Credential, error)
	DeleteCredential(ctx context.Context, identityID uuid.UUID, ctype CredentialType) error
}

// CredentialView is one credential as the admin API shows it: no config.
type CredentialView struct {
	Type        CredentialType `json:"type"`
	Identifiers []string       `json:"identifiers"`
	Version     int            `json:"version"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

type withCredentials struct {
	*Identity
	Credentials map[CredentialType]CredentialView `json:"credentials"`
}

// secondFactors are the credential types an admin may remove (a lost
// phone, a lost key): removing them never locks anyone out.
var secondFactors = []CredentialType{"totp", "lookup_secret", "webauthn"}

var errNotSecondFactor = httpx.ErrBadRequest.WithReason("Only second factors (totp, lookup_secret, webauthn) can be removed here; change a password or social sign-in with PUT /identities/{id}.")

// withCredentialsView adds the credentials list to i.
func (h *AdminHandler) withCredentialsView(ctx context.Context, i *Identity) (any, error) {
	creds, err := h.Credentials.Credentials(ctx, i.ID)
	if err != nil {
		return nil, err
	}
	out := withCredentials{Identity: i, Credentials: map[CredentialType]CredentialView{}}
	for t, c := range creds {
		ids := c.Identifiers
		if ids == nil {
			ids = []string{}
		}
		out.Credentials[t] = CredentialView{Type: t, Identifiers: ids, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	}
	return out, nil
}

// deleteCredential answers DELETE /identities/{id}/credentials/{type}.
func (h *AdminHandler) deleteCredential(w http.ResponseWriter, r *http.Request) error {
	i, err := h.load(r)
	if err != nil {
		return err
	}
	ctype := CredentialType(r.PathValue("type"))
	if !slices.Contains(secondFactors, ctype) {
		return errNotSecondFactor
	}
	creds, err := h.Credentials.Credentials(r.Context(), i.ID)
	if err != nil {
		return err
	}
	if _, ok := creds[ctype]; !ok {
		return httpx.ErrNotFound.WithReason("The identity has no %s credential.", ctype)
	}
	if err := h.Credentials.DeleteCredential(r.Context(), i.ID, ctype); err != nil {
		return err
	}
	if h.FactorRemoved != nil {
		h.FactorRemoved(r, i.ID, string(ctype), false)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
