package httpx

import (
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover turns a panic into a logged 500 instead of a dropped connection.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic while serving request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				WriteError(log, w, r, ErrInternal)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// NotFoundJSON answers unknown routes in the error envelope.
func NotFoundJSON(log *slog.Logger) http.Handler {
	return Handle(log, func(w http.ResponseWriter, r *http.Request) error {
		return ErrNotFound.WithReason("no route for %s %s", r.Method, r.URL.Path)
	})
}
