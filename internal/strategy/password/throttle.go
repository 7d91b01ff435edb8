package password

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/latchkey/latchkey/internal/flow"
	"github.com/latchkey/latchkey/internal/httpx"
	"github.com/latchkey/latchkey/internal/text"
)

// Throttle counts failed sign-ins per identifier in the shared database.
type Throttle interface {
	Failures(ctx context.Context, key string, since time.Time) (int, error)
	RecordFailure(ctx context.Context, key string, now, since time.Time) error
	ClearFailures(ctx context.Context, key string) error
}

// Brute-force limits: after MaxFailures wrong passwords for one identifier
// within FailureWindow, further attempts for it are refused until the
// window has passed. Unknown identifiers are counted the same way, so a
// refusal says nothing about whether an account exists.
const (
	MaxFailures   = 10
	FailureWindow = 15 * time.Minute
)

// throttleKey keeps identifiers out of the throttle table.
func throttleKey(identifier string) string {
	sum := sha256.Sum256([]byte(identifier))
	return "password:" + hex.EncodeToString(sum[:16])
}

// ErrThrottled marks a login refused for too many failures; the form says
// when to retry.
var ErrThrottled = fmt.Errorf("%w: too many failed attempts", flow.ErrInvalid)

// checkThrottle refuses an identifier with too many recent failures and
// returns how many there were.
func (s *Strategy) checkThrottle(ctx context.Context, f *flow.Flow, key string) (int, error) {
	if s.Throttle == nil {
		return 0, nil
	}
	n, err := s.Throttle.Failures(ctx, key, time.Now().Add(-FailureWindow))
	if err != nil || n < MaxFailures {
		return n, err
	}
	reason := fmt.Sprintf("Too many failed sign-in attempts for this account. Try again in %d minutes, or recover the account.", int(FailureWindow.Minutes()))
	f.UI.AddMessage(text.Generic(reason))
	httpx.Refused(ctx, "throttled")
	return n, ErrThrottled
}

func (s *Strategy) recordFailure(ctx context.Context, key string) error {
	if s.Throttle == nil {
		return nil
	}
	now := time.Now()
	return s.Throttle.RecordFailure(ctx, key, now, now.Add(-FailureWindow))
}
