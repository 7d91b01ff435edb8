package tracing

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/XSAM/otelsql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/latchkey/latchkey/internal/config"
)

// instrumentation names Latchkey's own spans.
const instrumentation = "github.com/latchkey/latchkey"

// Tracing is the process's tracer provider, or nothing when off.
type Tracing struct {
	provider trace.TracerProvider
	on       bool
	shutdown func(context.Context) error
}

// Propagator reads and writes the W3C traceparent and tracestate headers.
var Propagator = propagation.TraceContext{}

// Off is tracing turned off: a tracer that records nothing.
func Off() *Tracing {
	return &Tracing{provider: noop.NewTracerProvider(), shutdown: func(context.Context) error { return nil }}
}

// With uses a provider the caller owns (tests pass one that records in
// memory).
func With(p trace.TracerProvider) *Tracing {
	return &Tracing{provider: p, on: true, shutdown: func(context.Context) error { return nil }}
}

// New builds tracing from the configuration: an OTLP exporter over HTTP or
// gRPC, batching spans, sampling new traces at the configured ratio.
func New(ctx context.Context, c config.Tracing, version string) (*Tracing, error) {
	if !c.On() {
		return Off(), nil
	}
	exp, err := exporter(ctx, c.Providers.OTLP)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", c.ServiceName), attribute.String("service.version", version))
	ratio := 1.0
	if r := c.Providers.OTLP.Sampling.SamplingRatio; r != nil {
		ratio = *r
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp), sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	return &Tracing{provider: tp, on: true, shutdown: tp.Shutdown}, nil
}

func exporter(ctx context.Context, o config.OTLP) (sdktrace.SpanExporter, error) {
	withURL := strings.Contains(o.ServerURL, "://")
	if o.Protocol == "grpc" {
		opts := []otlptracegrpc.Option{otlptracegrpc.WithHeaders(o.Headers)}
		if withURL {
			opts = append(opts, otlptracegrpc.WithEndpointURL(o.ServerURL))
		} else {
			opts = append(opts, otlptracegrpc.WithEndpoint(o.ServerURL))
		}
		if o.Insecure {
			opts = append(opts, otlptracegrpc.WithInsecure())
		}
		return otlptracegrpc.New(ctx, opts...)
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithHeaders(o.Headers)}
	if withURL {
		// A bare collector URL means its standard traces path.
		u, err := url.Parse(o.ServerURL)
		if err != nil {
			return nil, err
		}
		if u.Path == "" || u.Path == "/" {
			u.Path = "/v1/traces"
		}
		opts = append(opts, otlptracehttp.WithEndpointURL(u.String()))
	} else {
		opts = append(opts, otlptracehttp.WithEndpoint(o.ServerURL))
	}
	if o.Insecure {
		opts = append(opts, otlptracehttp.WithInsecure())
	}
	return otlptracehttp.New(ctx, opts...)
}

// On reports whether spans are recorded.
func (t *Tracing) On() bool { return t.on }

// Tracer is the tracer for Latchkey's own spans (hashing, hooks, mail).
func (t *Tracing) Tracer() trace.Tracer { return t.provider.Tracer(instrumentation) }

// Shutdown sends the spans still buffered.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Requests returns the request log's span hook for a server, or nil when
// tracing is off. A span continues the caller's trace (traceparent), is
// named by the route pattern, and carries the method, route and status:
// never the path, query, headers or body.
func (t *Tracing) Requests(server string) func(r *http.Request) (*http.Request, func(route string, status int)) {
	if !t.on {
		return nil
	}
	tracer := t.provider.Tracer(instrumentation + "/http")
	return func(r *http.Request) (*http.Request, func(string, int)) {
		ctx := Propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("latchkey.server", server)))
		return r.WithContext(ctx), func(route string, status int) {
			span.SetName(route)
			span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", status))
			if status >= 500 {
				span.SetStatus(codes.Error, "")
			}
			span.End()
		}
	}
}

// OpenDB returns an opener of database pools that traces every query (its
// SQL text, never its arguments), or nil when tracing is off.
func (t *Tracing) OpenDB(dialect string) func(driverName, dsn string) (*sql.DB, error) {
	if !t.on {
		return nil
	}
	opts := []otelsql.Option{
		otelsql.WithTracerProvider(t.provider),
		otelsql.WithAttributes(attribute.String("db.system.name", dialect)),
		otelsql.WithSpanOptions(otelsql.SpanOptions{
			OmitConnResetSession: true, OmitRows: true, DisableErrSkip: true,
			// MariaDB quotes the duplicate value in its error text.
			RecordError: func(error) bool { return dialect != "mysql" },
		}),
	}
	return func(driverName, dsn string) (*sql.DB, error) { return otelsql.Open(driverName, dsn, opts...) }
}
