package hook

import (
	"context"
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
)

// LinkSender mails verification links for new addresses.
type LinkSender interface {
	SendLinks(r *http.Request, i *identity.Identity) error
}

// Verification mails a verification link to each address a registration
// or a settings change created. It runs when verification is enabled.
type Verification struct {
	Sender LinkSender
}

// After implements flow.AfterHook.
func (h *Verification) After(ctx context.Context, ev flow.Event) error {
	return h.Sender.SendLinks(ev.Request.WithContext(ctx), ev.Identity)
}
