// Package metrics counts requests per route and status and times them, and
// serves them with process metrics at /metrics/prometheus.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry per app, so tests can build many apps.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	series   sync.Map // seriesKey -> *series

	hooksOnce    sync.Once
	hookLatency  *prometheus.HistogramVec
	hookFailures *prometheus.CounterVec
}

type seriesKey struct {
	server, route, method string
	status                int
}

// series are one route's counter and histogram, looked up once: resolving
// label values on every request showed in whoami's profile.
type series struct {
	count   prometheus.Counter
	latency prometheus.Observer
}

func (m *Metrics) seriesFor(k seriesKey) *series {
	if s, ok := m.series.Load(k); ok {
		return s.(*series)
	}
	s := &series{
		count:   m.requests.WithLabelValues(k.server, k.route, k.method, strconv.Itoa(k.status)),
		latency: m.latency.WithLabelValues(k.server, k.route, k.method),
	}
	actual, _ := m.series.LoadOrStore(k, s)
	return actual.(*series)
}

// New creates the registry with Go and process collectors.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "latchkey_http_requests_total", Help: "HTTP requests by server, route and status.",
	}, []string{"server", "route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "latchkey_http_request_duration_seconds", Help: "HTTP request latency by server and route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"server", "route", "method"})
	m.reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Observer returns the function the request log calls with every finished
// request of a server. The route label is the mux pattern, never the raw
// path, so ids do not explode the label set.
func (m *Metrics) Observer(server string) func(r *http.Request, route string, status int, d time.Duration) {
	return func(r *http.Request, route string, status int, d time.Duration) {
		s := m.seriesFor(seriesKey{server: server, route: route, method: methodLabel(r.Method), status: status})
		s.count.Inc()
		s.latency.Observe(d.Seconds())
	}
}

// methodLabel bounds the method label: clients choose the method, and each
// new value would be a new series kept forever.
func methodLabel(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return m
	}
	return "other"
}
