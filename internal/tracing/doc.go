// Package tracing sends OpenTelemetry traces (tracing.* keys): it builds
// the tracer provider and its OTLP exporter, and gives the request log a
// span per request and the store an instrumented database driver. With
// tracing off it gives nothing, so the hot paths run as without it.
package tracing
