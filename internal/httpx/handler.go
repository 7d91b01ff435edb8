package httpx

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
)

// HandlerFunc is an HTTP handler that returns its error instead of writing
// it, so that one place decides how errors look and what gets logged.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts a HandlerFunc, rendering a returned error as JSON.
func Handle(log *slog.Logger, h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(log, w, r, err)
		}
	})
}

// WriteError renders err in the reference's envelope. Causes of server
// errors are logged; clients only see the safe message.
func WriteError(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	he := AsError(err)
	if he.Code >= 500 {
		LogFailure(log, r, err)
	} else if he.Cause != nil {
		log.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", he.Code, "error", he.Cause.Error())
	}
	h := w.Header()
	h["Content-Type"] = jsonType
	NoStore(h)
	h["X-Content-Type-Options"] = noSniff
	if he.Code == http.StatusServiceUnavailable {
		h.Set("Retry-After", RetryAfter)
	}
	w.WriteHeader(he.Code)
	_ = json.NewEncoder(w).Encode(he.Envelope())
}

// RetryAfter is the Retry-After of every 503, in seconds: about as long as
// a database takes to restart or fail over, so a client's retry is likely
// to find it back.
const RetryAfter = "2"

// LogFailure records a server error. Inside the request log it goes on the
// request's one line (which also tells a client's hang-up from a server
// error); elsewhere it is logged on its own.
func LogFailure(log *slog.Logger, r *http.Request, err error) {
	ctx := r.Context()
	if noteError(ctx, err) {
		return
	}
	level := slog.LevelError
	if ctx.Err() != nil {
		level = slog.LevelInfo
	}
	log.Log(ctx, level, "request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
}

// buffers are reused by WriteJSON: whoami writes one body per request, and
// a fresh buffer each time was a good part of its garbage.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps one huge answer from pinning its buffer forever.
const maxPooledBuffer = 64 << 10

// WriteJSON writes v as a JSON body with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	defer func() {
		if b.Cap() <= maxPooledBuffer {
			buffers.Put(b)
		}
	}()
	if err := json.NewEncoder(b).Encode(v); err != nil {
		return err
	}
	return WriteEncoded(w, status, b.Bytes())
}

// EncodeJSON is the body WriteJSON would write for v, for an answer kept
// to be sent again with WriteEncoded.
func EncodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteEncoded writes a body EncodeJSON made, with WriteJSON's headers.
func WriteEncoded(w http.ResponseWriter, status int, body []byte) error {
	return WriteAnswer(w, status, body, []string{strconv.Itoa(len(body))})
}

// WriteAnswer is WriteEncoded for a body kept with its Content-Length
// value (the whoami cache's), which it assigns and does not change.
func WriteAnswer(w http.ResponseWriter, status int, body []byte, contentLength []string) error {
	h := w.Header()
	h["Content-Type"] = jsonUTF8
	h["X-Content-Type-Options"] = noSniff
	h["Content-Length"] = contentLength
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
