package httpx

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// RequestLog writes one line per request and measures it. It is the
// outermost handler of a server, so refusals by CORS, panics turned into
// 500s and unknown routes are logged like everything else.
type RequestLog struct {
	Log *slog.Logger
	// Server names the port ("public" or "admin") in the line.
	Server string
	// ClientAddr returns the client's address; nil means the peer's
	// address (what a proxy in front would hide).
	ClientAddr func(r *http.Request) string
	// Observe, when set, gets every finished request, for metrics.
	Observe func(r *http.Request, route string, status int, d time.Duration)
	// Span, when set, starts a trace span for the request: tracing is
	// off when it is nil, so the hot path pays nothing for it.
	Span func(r *http.Request) (*http.Request, func(route string, status int))
}

// RequestIDHeader carries a request's id in and out: a proxy's id is kept
// so its log and ours can be joined.
const RequestIDHeader = "X-Request-Id"

// entry is what handlers add to the request's line while it is served,
// and the rest of what the layers of a request leave for the layers below
// (the client, an issued anti-CSRF token): one value in the request's
// context, where a context per layer cost an allocation each.
type entry struct {
	id     string
	route  string
	flow   string
	reason string
	err    error

	client    Client // set by WithClient
	hasClient bool
	csrf      string // see SetCSRFIssued

	idHeader [1]string // X-Request-Id's value, set without an allocation
}

type entryKey struct{}

func entryFrom(ctx context.Context) *entry {
	e, _ := ctx.Value(entryKey{}).(*entry)
	return e
}

// RequestID returns the request's id, or "" outside a logged request.
func RequestID(ctx context.Context) string {
	if e := entryFrom(ctx); e != nil {
		return e.id
	}
	return ""
}

// Refused records why a request was refused ("csrf", "throttled",
// "return_to"): a short word chosen by the code, never the client's input.
func Refused(ctx context.Context, reason string) {
	if e := entryFrom(ctx); e != nil {
		e.reason = reason
	}
}

// NoteFlow records the flow a request created or acted on.
func NoteFlow(ctx context.Context, id string) {
	if e := entryFrom(ctx); e != nil && e.flow == "" {
		e.flow = id
	}
}

// noteError hands a failed request's error to its line; it reports false
// outside a logged request, so WriteError logs the error itself.
func noteError(ctx context.Context, err error) bool {
	e := entryFrom(ctx)
	if e == nil {
		return false
	}
	e.err = err
	return true
}

// SetCSRFIssued records the anti-CSRF token the answer to a request sets
// ("" when none yet), so that the handlers after the guard hand out the
// token its cookie carries. It reports false outside a logged request.
func SetCSRFIssued(ctx context.Context, tok string) bool {
	e := entryFrom(ctx)
	if e == nil {
		return false
	}
	e.csrf = tok
	return true
}

// CSRFIssued is the token SetCSRFIssued recorded; ok is false outside a
// logged request.
func CSRFIssued(ctx context.Context) (tok string, ok bool) {
	if e := entryFrom(ctx); e != nil {
		return e.csrf, true
	}
	return "", false
}

// Routes wraps a mux to note the pattern it routed a request by (a
// template such as "GET /identities/{id}", never the path with its ids):
// middleware between the log and the mux may have replaced the request the
// mux saw.
func Routes(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r)
		if e := entryFrom(r.Context()); e != nil {
			e.route = r.Pattern
		}
	})
}

// Wrap returns next with the request log around it.
func (l *RequestLog) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The entry and the recorder are made together, in one allocation.
		both := &struct {
			e   entry
			rec recorder
		}{e: entry{id: requestID(r.Header.Get(RequestIDHeader))}, rec: recorder{ResponseWriter: w, status: http.StatusOK}}
		e, rec := &both.e, &both.rec
		e.idHeader[0] = e.id
		w.Header()[RequestIDHeader] = e.idHeader[:]
		r = r.WithContext(context.WithValue(r.Context(), entryKey{}, e))
		var endSpan func(string, int)
		if l.Span != nil {
			r, endSpan = l.Span(r)
		}
		next.ServeHTTP(rec, r)
		end := time.Now()
		d := end.Sub(start)
		route := e.route
		if route == "" {
			route = "unmatched"
		}
		if l.Observe != nil {
			l.Observe(r, route, rec.status, d)
		}
		if endSpan != nil {
			endSpan(route, rec.status)
		}
		l.write(r, e, route, rec, end, d)
	})
}

func (l *RequestLog) write(r *http.Request, e *entry, route string, rec *recorder, at time.Time, d time.Duration) {
	ctx := r.Context()
	level, msg := slog.LevelInfo, "request"
	canceled := ctx.Err() != nil || errors.Is(e.err, context.Canceled)
	switch {
	case canceled:
		// The client hung up (a closed tab, a load generator stopping):
		// its choice, not a server error.
		msg = "request abandoned by the client"
	case rec.status >= 500:
		level = slog.LevelError
	case e.reason != "":
		msg = "request refused"
	case quiet(route):
		level = slog.LevelDebug
	}
	if !l.Log.Enabled(ctx, level) {
		return
	}
	var buf [12]slog.Attr
	attrs := append(buf[:0],
		slog.String("server", l.Server), slog.String("method", r.Method), slog.String("route", route),
		slog.Int("status", rec.status), slog.Duration("duration", d), slog.Int64("bytes", rec.bytes),
		slog.String("client", l.client(r, e)),
	)
	if e.flow != "" {
		attrs = append(attrs, slog.String("flow", e.flow))
	}
	if e.reason != "" {
		attrs = append(attrs, slog.String("reason", e.reason))
	}
	if e.err != nil && (level == slog.LevelError || canceled) {
		attrs = append(attrs, slog.String("error", e.err.Error()))
	}
	// The record is made here rather than by Logger.LogAttrs, which would
	// look up the caller's program counter (unused: no source is logged),
	// and the request's id goes in with the rest rather than after them by
	// requestAttrs, which would grow the record's attributes a second
	// time. The line is the same.
	h := l.Log.Handler()
	if ra, ok := h.(requestAttrs); ok {
		h, attrs = ra.Handler, ra.appendAttrs(ctx, attrs)
	}
	line := slog.NewRecord(at, level, msg, 0)
	line.AddAttrs(attrs...)
	_ = h.Handle(ctx, line)
}

// client is the address WithClient recorded for the request (the one
// throttling saw), else ClientAddr's, else the peer's.
func (l *RequestLog) client(r *http.Request, e *entry) string {
	if e.hasClient {
		return e.client.Addr
	}
	if l.ClientAddr != nil {
		return l.ClientAddr(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// quiet routes are polled by load balancers and scrapers every few
// seconds; at info they would drown the log.
func quiet(route string) bool {
	return strings.HasSuffix(route, "/health/alive") || strings.HasSuffix(route, "/health/ready") || strings.HasSuffix(route, "/metrics/prometheus")
}

// requestID keeps an incoming id made of safe characters (as load
// balancers send them) and otherwise makes one.
func requestID(in string) string {
	if in != "" && len(in) <= 128 {
		ok := true
		for _, c := range in {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:/+=@", c)) {
				ok = false
				break
			}
		}
		if ok {
			return in
		}
	}
	return newRequestID()
}

// newRequestID is uuid.NewString with one allocation instead of two.
func newRequestID() string {
	var u uuid.UUID
	_, _ = rand.Read(u[:])  // never fails on supported platforms
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// recorder keeps the status and size of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote && code >= 200 {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
