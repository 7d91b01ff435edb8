package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// throttled is registered on first use, so this file needs no edit of New.
var throttledOnce sync.Map // *Metrics -> *prometheus.CounterVec

func (m *Metrics) throttledVec() *prometheus.CounterVec {
	if v, ok := throttledOnce.Load(m); ok {
		return v.(*prometheus.CounterVec)
	}
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "latchkey_throttled_attempts_total", Help: "Attempts refused by the brute-force protection, by flow.",
	}, []string{"flow"})
	if actual, loaded := throttledOnce.LoadOrStore(m, v); loaded {
		return actual.(*prometheus.CounterVec)
	}
	m.reg.MustRegister(v)
	return v
}

// Throttled counts one refused attempt of a flow (login, registration,
// recovery, verification).
func (m *Metrics) Throttled(flow string) { m.throttledVec().WithLabelValues(flow).Inc() }

// ThrottleFlows makes the throttled series of these flows exist at zero.
func (m *Metrics) ThrottleFlows(flows ...string) {
	for _, f := range flows {
		m.throttledVec().WithLabelValues(f)
	}
}

// ActiveSessions exposes latchkey_active_sessions, read from the database
// at each scrape (bounded by a timeout), so every instance reports the
// same shared number.
func (m *Metrics) ActiveSessions(count func(ctx context.Context) (int, error)) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "latchkey_active_sessions", Help: "Sessions that are active and not expired, across all instances.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
