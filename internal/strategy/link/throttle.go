package link

import (
	"context"
	"fmt"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/throttle"
)

// Limits bound how many mails one client can have sent: per address mailed
// from one client address, and per client address.
type Limits struct {
	Identifier throttle.Rule
	Address    throttle.Rule
}

// ErrThrottled marks a submit refused for too many attempts.
var ErrThrottled = fmt.Errorf("%w: too many attempts", flow.ErrInvalid)

// reserve counts a recovery or verification submit before any mail is
// queued. Every submit counts: each one sends a mail, known address or not.
func (s *Strategy) reserve(ctx context.Context, f *flow.Flow, kind, email string) error {
	l := s.Throttle
	if l == nil {
		return nil
	}
	addr := httpx.ClientFrom(ctx).Addr
	_, err := l.Reserve(ctx, kind,
		throttle.Key{Name: l.Name(kind, email, addr), Rule: s.Limits.Identifier},
		throttle.Key{Name: l.Name("addr", addr), Rule: s.Limits.Address})
	if r, ok := throttle.IsRefused(err); ok {
		httpx.Refused(ctx, "throttled")
		f.UI.AddMessage(text.TooManyAttempts(r.Seconds()))
		return ErrThrottled
	}
	return err
}
