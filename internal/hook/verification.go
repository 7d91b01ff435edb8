package hook

import (
	"context"
	"net/http"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/identity"
	"github.com/latchkey/latchkey/internal/ui"
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

// After implements flow.AfterHook. In settings only a profile change can
// create addresses; a password change must not mail anything.
func (h *Verification) After(ctx context.Context, ev flow.Event) error {
	if ev.Flow.Kind == flow.Settings && ev.Flow.Active != ui.GroupProfile {
		return nil
	}
	return h.Sender.SendLinks(ev.Request.WithContext(ctx), ev.Identity)
}
