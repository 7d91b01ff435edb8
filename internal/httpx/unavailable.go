package httpx

import (
	"context"
	"errors"
	"net"

	"github.com/latchkey/latchkey/internal/store"
)

// IsUnavailable reports whether err means a dependency could not serve, so
// the client gets 503 and can retry, never a 401 or an "invalid
// credentials" that would log a user out or mislead them. Database errors
// are the store's driver-error map's to judge; a network error or a
// deadline is a dependency (a web hook, a breach lookup) not reached.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	switch {
	case errors.Is(err, ErrUnavailable),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne),
		store.IsUnavailable(err):
		return true
	}
	return false
}

// ErrUnavailable marks errors that callers know to be transient.
var ErrUnavailable = errors.New("dependency unavailable")
