package httpapi

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// metrics are the API's Prometheus metrics.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer, svc *casework.Service) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "takedown_http_requests_total", Help: "API requests by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "takedown_http_request_duration_seconds", Help: "API request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration, deadlineCollector{svc: svc})
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// deadlineCollector reports the deliveries with a deadline by status when scraped, so that
// an alert can fire on overdue measures.
type deadlineCollector struct{ svc *casework.Service }

var deadlineDesc = prometheus.NewDesc("takedown_deadlines", "Deliveries with a deadline, by status.", []string{"status"}, nil)

func (deadlineCollector) Describe(ch chan<- *prometheus.Desc) { ch <- deadlineDesc }

func (c deadlineCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, err := c.svc.DeadlineCounts(takedown.NewContextWithUser(ctx, casework.Metrics))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(deadlineDesc, err)
		return
	}
	for _, st := range []takedown.DeadlineStatus{takedown.DeadlineRunning, takedown.DeadlinePaused, takedown.DeadlineMet,
		takedown.DeadlineMissed, takedown.DeadlineOverdue, takedown.DeadlineCancelled} {
		ch <- prometheus.MustNewConstMetric(deadlineDesc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}
