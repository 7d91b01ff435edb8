package httpx

import (
	"context"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"
)

// IsUnavailable reports whether err means a dependency (the database) could
// not be reached, so the client gets 503 and can retry, never a 401 or an
// "invalid credentials" that would log a user out or mislead them.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.As(err, &oe),
		errors.As(err, &ne):
		return true
	}
	return errors.Is(err, ErrUnavailable)
}

// ErrUnavailable marks errors that callers know to be transient.
var ErrUnavailable = errors.New("dependency unavailable")
