package password

import (
	"context"
	"fmt"
	"math"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/text"
	"github.com/latchkey/latchkey/internal/throttle"
)

// Limits are the brute-force rules for password sign-in and sign-up.
type Limits struct {
	// Identifier limits one identifier tried from one client address: the
	// attacker's address is refused, the owner's elsewhere is not.
	Identifier throttle.Rule
	// Address limits one client address over every identifier and flow.
	Address throttle.Rule
	// AccountLimit: once one identifier has this many failures in a
	// window from all addresses together, only addresses with no failure
	// of their own for it may try, one attempt each (0 turns it off).
	AccountLimit int
}

// ErrThrottled marks an attempt refused for too many attempts; the form
// says when to retry.
var ErrThrottled = fmt.Errorf("%w: too many attempts", flow.ErrInvalid)

// reserveLogin counts a sign-in attempt before the hash is compared. It
// returns nil when throttling is off.
func (s *Strategy) reserveLogin(ctx context.Context, f *flow.Flow, identifier string) (*throttle.Reservation, error) {
	l := s.Throttle
	if l == nil {
		return nil, nil
	}
	addr := httpx.ClientFrom(ctx).Addr
	pair := throttle.Key{Name: l.Name("login", identifier, addr), Rule: s.Limits.Identifier, ResetOnSuccess: true}
	keys := []throttle.Key{pair, {Name: l.Name("addr", addr), Rule: s.Limits.Address}}
	account := l.Name("account", identifier)
	if s.Limits.AccountLimit > 0 {
		keys = append(keys, throttle.Key{Name: account, Rule: throttle.Rule{Free: math.MaxInt32, Limit: math.MaxInt32, Window: s.Limits.Identifier.Window}})
	}
	r, err := l.Reserve(ctx, "login", keys...)
	if err == nil && s.Limits.AccountLimit > 0 && r.Hits(account) > s.Limits.AccountLimit && r.Hits(pair.Name) > 1 {
		err = r.Refuse(ctx, "login", account)
	}
	return r, throttled(ctx, f, err)
}

// reserveAddress counts an attempt of a flow against the client address
// alone (sign-up).
func (s *Strategy) reserveAddress(ctx context.Context, f *flow.Flow, kind string) error {
	if s.Throttle == nil {
		return nil
	}
	_, err := s.Throttle.Reserve(ctx, kind, throttle.Key{Name: s.Throttle.Name("addr", httpx.ClientFrom(ctx).Addr), Rule: s.Limits.Address})
	return throttled(ctx, f, err)
}

// throttled turns a refusal into the form message and ErrThrottled, and
// names it in the request log.
func throttled(ctx context.Context, f *flow.Flow, err error) error {
	if r, ok := throttle.IsRefused(err); ok {
		httpx.Refused(ctx, "throttled")
		f.UI.AddMessage(text.TooManyAttempts(r.Seconds()))
		return ErrThrottled
	}
	return err
}
