package metrics

import (
	"context"
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// WatchDB exports the pool's statistics (open, in use, idle connections,
// waits and their duration) as go_sql_* with db_name.
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// QueueStats reads the mail queue: how many messages wait and since when.
type QueueStats func(ctx context.Context) (waiting int, oldest time.Time, err error)

// WatchCourier exports the mail queue's depth and the age of its oldest
// unsent message, read from the database at each scrape: the queue is
// shared by every instance, so each reports the same numbers.
func (m *Metrics) WatchCourier(stats QueueStats) {
	m.reg.MustRegister(&queueCollector{stats: stats, now: time.Now})
}

var (
	queueDepth = prometheus.NewDesc("latchkey_courier_queue_messages", "Messages waiting to be sent (not abandoned).", nil, nil)
	queueAge   = prometheus.NewDesc("latchkey_courier_oldest_unsent_age_seconds", "Age of the oldest message waiting to be sent; 0 when none waits.", nil, nil)
	queueUp    = prometheus.NewDesc("latchkey_courier_queue_readable", "1 when the queue could be read at this scrape, else 0.", nil, nil)
)

type queueCollector struct {
	stats QueueStats
	now   func() time.Time
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepth
	ch <- queueAge
	ch <- queueUp
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, oldest, err := c.stats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 0)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(0, c.now().Sub(oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(queueDepth, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(queueAge, prometheus.GaugeValue, age)
}

// HookObserver returns what a web hook calls after each call: its latency
// and, when it failed, one more failure, by the hook's configuration key.
func (m *Metrics) HookObserver(hook string) func(d time.Duration, err error) {
	m.hooksOnce.Do(func() {
		m.hookLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "latchkey_web_hook_duration_seconds", Help: "Web hook call latency by hook.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"hook"})
		m.hookFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latchkey_web_hook_failures_total", Help: "Web hook calls that failed (transport error or an error status), by hook.",
		}, []string{"hook"})
		m.reg.MustRegister(m.hookLatency, m.hookFailures)
	})
	lat, fail := m.hookLatency.WithLabelValues(hook), m.hookFailures.WithLabelValues(hook)
	return func(d time.Duration, err error) {
		lat.Observe(d.Seconds())
		if err != nil {
			fail.Inc()
		}
	}
}
