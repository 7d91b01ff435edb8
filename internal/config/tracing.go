package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Tracing sends OpenTelemetry traces. The reference's provider key and
// service name are kept; its jaeger and zipkin providers have no
// maintained OpenTelemetry exporter (both receive OTLP instead), so the
// provider Latchkey adds is otlp, with the keys later versions of the
// reference use (server_url, insecure, sampling.sampling_ratio) plus
// protocol and headers.
type Tracing struct {
	Provider    string           `yaml:"provider"`
	ServiceName string           `yaml:"service_name"`
	Providers   TracingProviders `yaml:"providers"`
}

type TracingProviders struct {
	OTLP OTLP `yaml:"otlp"`
}

// OTLP is where the OTLP exporter sends spans.
type OTLP struct {
	// ServerURL is host:port, or a URL (http:// meaning insecure).
	ServerURL string            `yaml:"server_url"`
	Protocol  string            `yaml:"protocol"` // http (default) or grpc
	Insecure  bool              `yaml:"insecure"`
	Headers   map[string]string `yaml:"headers"`
	Sampling  Sampling          `yaml:"sampling"`
}

type Sampling struct {
	// SamplingRatio is the share of new traces kept (default 1); a trace
	// started by a caller keeps the caller's decision.
	SamplingRatio *float64 `yaml:"sampling_ratio"`
}

// On reports whether traces are exported.
func (t Tracing) On() bool { return t.Provider == "otlp" }

// withoutExporter are the reference's providers Latchkey cannot send to.
var withoutExporter = map[string]string{
	"jaeger":      "Jaeger receives OTLP (ports 4317 and 4318)",
	"zipkin":      "Zipkin receives OTLP through an OpenTelemetry Collector",
	"datadog":     "the Datadog Agent receives OTLP",
	"elastic-apm": "Elastic APM receives OTLP",
}

func (t *Tracing) applyDefaults() []string {
	def(&t.ServiceName, "Latchkey")
	o := &t.Providers.OTLP
	def(&o.Protocol, "http")
	if o.ServerURL == "" {
		o.ServerURL = "localhost:4318"
		if o.Protocol == "grpc" {
			o.ServerURL = "localhost:4317"
		}
	}
	if o.Sampling.SamplingRatio == nil {
		one := 1.0
		o.Sampling.SamplingRatio = &one
	}
	if hint, ok := withoutExporter[t.Provider]; ok {
		return []string{fmt.Sprintf("tracing.provider %q has no effect and tracing is off: it has no maintained OpenTelemetry exporter; %s: set tracing.provider: otlp and tracing.providers.otlp.server_url", t.Provider, hint)}
	}
	return nil
}

func (t Tracing) validate(p *problems) {
	if _, ok := withoutExporter[t.Provider]; !ok && t.Provider != "" && t.Provider != "otlp" {
		p.add("tracing.provider", "%q is not otlp (or one of the reference's providers)", t.Provider)
	}
	o := t.Providers.OTLP
	if o.Protocol != "http" && o.Protocol != "grpc" {
		p.add("tracing.providers.otlp.protocol", "%q is not http or grpc", o.Protocol)
	}
	if strings.Contains(o.ServerURL, "://") {
		if u, err := url.Parse(o.ServerURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add("tracing.providers.otlp.server_url", "%q is not host:port or an http(s) URL", o.ServerURL)
		}
	} else if !strings.Contains(o.ServerURL, ":") {
		p.add("tracing.providers.otlp.server_url", "%q is not host:port (such as localhost:4318) or an http(s) URL", o.ServerURL)
	}
	if r := *o.Sampling.SamplingRatio; r < 0 || r > 1 {
		p.add("tracing.providers.otlp.sampling.sampling_ratio", "%v is not between 0 and 1", r)
	}
}
