package recovery

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/store"
)

type linkRequest struct {
	IdentityID string `json:"identity_id"`
	ExpiresIn  string `json:"expires_in"`
}

type linkResponse struct {
	RecoveryLink string    `json:"recovery_link"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// maxLinkLifetime bounds admin links: a recovery link is a password.
const maxLinkLifetime = 30 * 24 * time.Hour

func (h *Handler) adminLink(w http.ResponseWriter, r *http.Request) error {
	var req linkRequest
	if err := httpx.DecodeJSON(w, r, &req, true); err != nil {
		return err
	}
	id, err := uuid.Parse(req.IdentityID)
	if err != nil {
		return httpx.ErrBadRequest.WithReason("identity_id must be an identity's UUID")
	}
	lifespan := h.Lifespan
	if req.ExpiresIn != "" {
		if lifespan, err = time.ParseDuration(req.ExpiresIn); err != nil || lifespan <= 0 || lifespan > maxLinkLifetime {
			return httpx.ErrBadRequest.WithReason("expires_in must be a positive duration up to 720h, such as \"1h\" or \"30m\"")
		}
	}
	if _, err := h.Identities.Identity(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		return httpx.ErrNotFound.WithReason("no identity has this id")
	} else if err != nil {
		return err
	}
	// The link opens in a browser that has no anti-CSRF cookie yet; the
	// flow needs none to be followed.
	f, err := h.create(r, flow.Browser, lifespan, "")
	if err != nil {
		return err
	}
	link, err := h.Strategy.AdminLink(r.Context(), f, id, f.ExpiresAt)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, linkResponse{RecoveryLink: link, ExpiresAt: f.ExpiresAt})
}
