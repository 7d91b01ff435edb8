package store

import (
	"errors"
	"sync/atomic"
)

var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a unique constraint refused the write.
	ErrConflict = errors.New("store: conflict")
	// ErrUnavailable means the database cannot serve just now (not
	// reachable, restarting, out of connections, a lock not granted in
	// time): the same request later may well succeed, so clients get 503.
	ErrUnavailable = errors.New("store: database unavailable")
)

var errorMap atomic.Pointer[func(error) error]

// RegisterErrorMap installs the driver-error map IsUnavailable consults
// for errors nobody mapped on their way up. The package that links the
// drivers (sqldb) registers it, so that this package, and the HTTP layer
// asking it, need none of them.
func RegisterErrorMap(m func(error) error) { errorMap.Store(&m) }

// IsUnavailable reports whether err means the database is unavailable.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	if m := errorMap.Load(); m != nil {
		return errors.Is((*m)(err), ErrUnavailable)
	}
	return false
}
