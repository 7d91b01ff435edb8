package httpx

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an HTTP error with a message safe to show and a cause that is
// only logged. It renders as the reference's envelope:
// {"error":{"code","status","reason","message","details"}}.
type Error struct {
	// ID is the later versions' string error id (session_aal2_required…);
	// v0.6.3 clients ignore it.
	ID      string
	Code    int
	Reason  string
	Message string
	Details map[string]any
	Cause   error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s", e.Code, e.Message)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Cause }

// WithReason returns a copy of e with a reason.
func (e *Error) WithReason(format string, args ...any) *Error {
	c := *e
	c.Reason = fmt.Sprintf(format, args...)
	return &c
}

// WithCause returns a copy of e carrying a hidden cause.
func (e *Error) WithCause(err error) *Error {
	c := *e
	c.Cause = err
	return &c
}

// WithID returns a copy of e with the later versions' error id.
func (e *Error) WithID(id string) *Error {
	c := *e
	c.ID = id
	return &c
}

// WithDetail returns a copy of e with one more detail.
func (e *Error) WithDetail(key string, v any) *Error {
	c := *e
	c.Details = map[string]any{}
	for k, vv := range e.Details {
		c.Details[k] = vv
	}
	c.Details[key] = v
	return &c
}

func newError(code int, message string) *Error { return &Error{Code: code, Message: message} }

// The errors handlers start from; messages follow the reference's meaning.
var (
	ErrBadRequest         = newError(http.StatusBadRequest, "The request was malformed or contained invalid parameters")
	ErrUnauthorized       = newError(http.StatusUnauthorized, "The request could not be authorized")
	ErrForbidden          = newError(http.StatusForbidden, "The requested action was forbidden")
	ErrNotFound           = newError(http.StatusNotFound, "The requested resource could not be found")
	ErrMethodNotAllowed   = newError(http.StatusMethodNotAllowed, "The request method is not allowed for this resource")
	ErrConflict           = newError(http.StatusConflict, "The resource could not be created due to a conflict")
	ErrUnprocessable      = newError(http.StatusUnprocessableEntity, "The request was well-formed but was unable to be followed due to semantic errors")
	ErrGone               = newError(http.StatusGone, "The requested resource is no longer available")
	ErrTooLarge           = newError(http.StatusRequestEntityTooLarge, "The request body is too large")
	ErrUnsupportedMedia   = newError(http.StatusUnsupportedMediaType, "The request content type is not supported")
	ErrTooManyRequests    = newError(http.StatusTooManyRequests, "Too many requests; try again later")
	ErrInternal           = newError(http.StatusInternalServerError, "An internal server error occurred, please contact the system administrator")
	ErrServiceUnavailable = newError(http.StatusServiceUnavailable, "The service is temporarily unavailable; try again shortly")
)

// AsError finds the *Error in err, or wraps an unknown error as a 500.
func AsError(err error) *Error {
	var he *Error
	if errors.As(err, &he) {
		return he
	}
	if IsUnavailable(err) {
		return ErrServiceUnavailable.WithCause(err)
	}
	return ErrInternal.WithCause(err)
}

type envelope struct {
	Error body `json:"error"`
	// RedirectBrowserTo repeats details.redirect_browser_to at the top, as
	// the later versions send it.
	RedirectBrowserTo any `json:"redirect_browser_to,omitempty"`
}

type body struct {
	ID      string         `json:"id,omitempty"`
	Code    int            `json:"code"`
	Status  string         `json:"status"`
	Reason  string         `json:"reason,omitempty"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// Envelope is the JSON body of an error, also stored for self-service
// errors.
func (e *Error) Envelope() any {
	return envelope{Error: e.Body(), RedirectBrowserTo: e.Details["redirect_browser_to"]}
}

// Body is the inner object of the envelope.
func (e *Error) Body() body {
	return body{ID: e.ID, Code: e.Code, Status: http.StatusText(e.Code), Reason: e.Reason, Message: e.Message, Details: e.Details}
}
