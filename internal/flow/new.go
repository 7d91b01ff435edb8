package flow

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/ui"
)

// New starts a flow of a kind for a request at now (the injected clock): fresh id, expiry from the
// lifespan, the request URL, and a form that posts back to the flow with
// its anti-CSRF input (empty for api flows).
func New(now time.Time, kind Kind, typ Type, lifespan time.Duration, publicBase string, r *http.Request, csrfToken string) *Flow {
	publicBase = httpx.BaseURL(r, publicBase)
	f := &Flow{
		ID: uuid.New(), Kind: kind, Type: typ, RequestURL: RequestURL(publicBase, r),
		IssuedAt: now, ExpiresAt: now.Add(lifespan), CreatedAt: now, UpdatedAt: now,
	}
	if typ == API {
		csrfToken = ""
	}
	f.CSRFToken = csrfToken
	f.UI = ui.Container{Action: ActionURL(publicBase, kind, f.ID), Method: http.MethodPost, Nodes: []ui.Node{ui.CSRFNode(csrfToken)}}
	return f
}
