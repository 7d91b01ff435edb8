package notify

import (
	"context"

	"github.com/latchkey/latchkey/internal/flow"
)

// PasswordHook is the after-hook of a password change in settings.
type PasswordHook struct{ N *Notifier }

// After implements flow.AfterHook.
func (h PasswordHook) After(_ context.Context, ev flow.Event) error {
	if ev.Request != nil {
		h.N.PasswordChanged(ev.Request, ev.Identity.ID)
	}
	return nil
}

// SignInHook is the after-hook of a sign-in.
type SignInHook struct{ N *Notifier }

// After implements flow.AfterHook.
func (h SignInHook) After(_ context.Context, ev flow.Event) error {
	if ev.Request != nil && ev.Session != nil {
		h.N.SignedIn(ev.Request, ev.Session)
	}
	return nil
}
