package httpapi

import (
	"context"
	"crypto/subtle"
	"net/http"
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
	reg.MustRegister(m.requests, m.duration, gaugeCollector{svc: svc})
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// gaugeCollector reports, when scraped, the deliveries by deadline status (an alert on the
// overdue ones) and the lists past their re-check date.
type gaugeCollector struct{ svc *casework.Service }

var (
	deadlineDesc = prometheus.NewDesc("takedown_deadlines", "Deliveries with a deadline, by status.", []string{"status"}, nil)
	recheckDesc  = prometheus.NewDesc("takedown_rechecks_due", "Blocking and dereferencing lists in force past their re-check date.", nil, nil)
	logSizeDesc  = prometheus.NewDesc("takedown_log_size", "Events in the audit log.", nil, nil)
	publishDesc  = prometheus.NewDesc("takedown_log_published_size", "Size of the latest published checkpoint of the audit log; "+
		"alert when it stays below takedown_log_size.", nil, nil)
	signedDesc = prometheus.NewDesc("takedown_log_checkpoint_timestamp_seconds", "When the latest published checkpoint was signed.", nil, nil)
)

func (gaugeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- deadlineDesc
	ch <- recheckDesc
	ch <- logSizeDesc
	ch <- publishDesc
	ch <- signedDesc
}

func (c gaugeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	g, err := c.svc.Gauges(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(deadlineDesc, err)
		return
	}
	for _, st := range takedown.DeadlineStatuses {
		if st != takedown.DeadlineNone {
			ch <- prometheus.MustNewConstMetric(deadlineDesc, prometheus.GaugeValue, float64(g.Deadlines[st]), string(st))
		}
	}
	ch <- prometheus.MustNewConstMetric(recheckDesc, prometheus.GaugeValue, float64(g.RechecksDue))
	ch <- prometheus.MustNewConstMetric(logSizeDesc, prometheus.GaugeValue, float64(g.LogSize))
	ch <- prometheus.MustNewConstMetric(publishDesc, prometheus.GaugeValue, float64(g.Published))
	if !g.SignedAt.IsZero() {
		ch <- prometheus.MustNewConstMetric(signedDesc, prometheus.GaugeValue, float64(g.SignedAt.Unix()))
	}
}

// metricsHandler serves the metrics to a scraper holding the metrics token only: the counts
// are not for the public, and each scrape reads the database.
func (s *Server) metricsHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.MetricsToken == "" {
			writeProblem(w, takedown.Errorf(takedown.ENOTFOUND, "metrics are off: start the server with --metrics-token-file"))
			return
		}
		token, _ := bearer(r.Header.Get("Authorization"))
		if subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.MetricsToken)) != 1 {
			writeProblem(w, takedown.Errorf(takedown.EUNAUTHORIZED, "scrape /metrics with the metrics token: Authorization: Bearer <token>"))
			return
		}
		h.ServeHTTP(w, r)
	})
}
