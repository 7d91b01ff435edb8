package recovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// errNoIdentity is the reference's answer for a missing, nil or unknown
// identity_id alike.
var errNoIdentity = &httpx.Error{Code: http.StatusNotFound, Message: "Unable to locate the resource"}

// adminLink answers POST /recovery/link. Every refusal is decided before
// anything is stored, in the reference's order: the body, the id's form,
// expires_in, then the identity and its recovery address.
func (h *Handler) adminLink(w http.ResponseWriter, r *http.Request) error {
	req, err := decodeLinkRequest(w, r)
	if err != nil {
		return err
	}
	id := uuid.Nil
	if req.IdentityID != "" {
		if id, err = uuid.Parse(req.IdentityID); err != nil {
			return httpx.ErrBadRequest.WithReason("Unable to decode JSON payload: %s", uuidProblem(req.IdentityID))
		}
	}
	lifespan := h.Lifespan
	if req.ExpiresIn != "" {
		if lifespan, err = time.ParseDuration(req.ExpiresIn); err != nil {
			return httpx.ErrBadRequest.WithReason("expires_in %q is not a duration such as \"1h\" or \"30m\".", req.ExpiresIn)
		}
		if lifespan <= 0 {
			return httpx.ErrBadRequest.WithReason("expires_in %q must lie in the future.", req.ExpiresIn)
		}
		if lifespan > maxLinkLifetime {
			return httpx.ErrBadRequest.WithReason("expires_in %q is longer than the 720h a recovery link may live.", req.ExpiresIn)
		}
	}
	if id == uuid.Nil {
		return errNoIdentity
	}
	i, err := h.Identities.Identity(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNoIdentity
	} else if err != nil {
		return err
	}
	if len(i.RecoveryAddresses) == 0 {
		return httpx.ErrBadRequest.WithReason("The identity has no recovery address, so it cannot be recovered.")
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

// decodeLinkRequest reads the body as the reference does: JSON only (any
// other body is a 400, not a 415), unknown fields ignored.
func decodeLinkRequest(w http.ResponseWriter, r *http.Request) (linkRequest, error) {
	var req linkRequest
	if httpx.MediaType(r) != "application/json" {
		return req, httpx.ErrBadRequest.WithReason("The request body must be JSON sent as application/json.")
	}
	b, err := httpx.ReadBody(w, r)
	if err != nil {
		return req, err
	}
	if err := httpx.CheckJSON(b); err != nil {
		return req, err
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&req); err != nil {
		return req, httpx.ErrBadRequest.WithReason("Unable to decode JSON payload: %s", err)
	}
	return req, nil
}

// uuidProblem words a malformed id as the reference's UUID parser does,
// which clients may match on.
func uuidProblem(s string) string {
	switch len(s) {
	case 32, 36, 38, 41, 45:
		return fmt.Sprintf("uuid: incorrect UUID format %s", s)
	}
	return fmt.Sprintf("uuid: incorrect UUID length: %s", s)
}
