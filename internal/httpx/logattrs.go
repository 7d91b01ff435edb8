package httpx

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/trace"
)

// RequestAttrs wraps a log handler so that every line logged with a
// request's context names the request's id: one grep finds what a request
// did, and the id the client got back leads to it.
func RequestAttrs(h slog.Handler) slog.Handler {
	if _, ok := h.(requestAttrs); ok {
		return h
	}
	return requestAttrs{h}
}

type requestAttrs struct{ slog.Handler }

func (h requestAttrs) Handle(ctx context.Context, r slog.Record) error {
	var buf [2]slog.Attr
	if as := h.appendAttrs(ctx, buf[:0]); len(as) > 0 {
		r.AddAttrs(as...)
	}
	return h.Handler.Handle(ctx, r)
}

// appendAttrs appends what Handle adds to a line: the request's id and the
// sampled trace's.
func (requestAttrs) appendAttrs(ctx context.Context, as []slog.Attr) []slog.Attr {
	if id := RequestID(ctx); id != "" {
		as = append(as, slog.String("request_id", id))
	}
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
		as = append(as, slog.String("trace_id", sc.TraceID().String()))
	}
	return as
}

func (h requestAttrs) WithAttrs(as []slog.Attr) slog.Handler {
	return requestAttrs{h.Handler.WithAttrs(as)}
}

func (h requestAttrs) WithGroup(name string) slog.Handler {
	return requestAttrs{h.Handler.WithGroup(name)}
}
