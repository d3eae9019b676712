package rpz

import (
	"net/netip"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the primary's Prometheus metrics: what it serves, and how far each ISP's
// resolvers have followed it.
type metrics struct {
	serial    prometheus.Gauge
	names     prometheus.Gauge
	rejected  prometheus.Gauge
	ispSerial *prometheus.GaugeVec
	transfers *prometheus.CounterVec
	refused   prometheus.Counter
	notifyErr *prometheus.CounterVec
	polled    *prometheus.GaugeVec
}

// Register registers the primary's metrics on reg; call it before serving. Alert when an
// ISP's takedown_zone_isp_serial stays below takedown_zone_serial: its resolvers do not
// follow the list.
func (p *Primary) Register(reg prometheus.Registerer) {
	m := &metrics{
		serial: prometheus.NewGauge(prometheus.GaugeOpts{Name: "takedown_zone_serial", Help: "The blocking zone's serial being served: the blocking list's version."}),
		names:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "takedown_zone_names", Help: "Names listed in the blocking zone being served."}),
		rejected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "takedown_zone_rejected_names",
			Help: "Names on the blocking list that the zone being served leaves out (the log says why): alert on any."}),
		ispSerial: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "takedown_zone_isp_serial",
			Help: "The serial each ISP's resolvers last transferred (0 before their first transfer)."}, []string{"isp"}),
		transfers: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_zone_transfers_total",
			Help: "Transfers served, by ISP and kind (axfr, ixfr, up-to-date)."}, []string{"isp", "kind"}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{Name: "takedown_zone_refused_total",
			Help: "DNS requests refused: unknown addresses, missing or wrong TSIG, other zones or opcodes."}),
		notifyErr: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_zone_notify_failures_total",
			Help: "NOTIFYs that no resolver of the ISP acknowledged after every retry."}, []string{"isp"}),
		polled: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "takedown_isp_resolver_serial",
			Help: "The serial each resolver of each ISP last answered in the zone's SOA (absent until it answers)."}, []string{"isp", "resolver"}),
	}
	reg.MustRegister(m.serial, m.names, m.rejected, m.ispSerial, m.transfers, m.refused, m.notifyErr, m.polled)
	for _, c := range p.clients {
		m.ispSerial.WithLabelValues(c.Name)
	}
	p.metrics = m
	m.published(p.Zone())
}

func (m *metrics) published(z *Zone) {
	if m != nil {
		m.serial.Set(float64(z.serial))
		m.names.Set(float64(z.Len()))
		m.rejected.Set(float64(len(z.rejected)))
	}
}

// transferred records the serial an ISP's resolver has: the one it was sent, or, with no
// kind, the one its IXFR request says it holds.
func (m *metrics) transferred(client, kind string, serial uint32) {
	if m != nil {
		if kind != "" {
			m.transfers.WithLabelValues(client, kind).Inc()
		}
		m.ispSerial.WithLabelValues(client).Set(float64(serial))
	}
}

// resolverSerial records the serial a resolver of an ISP answered.
func (m *metrics) resolverSerial(client string, resolver netip.AddrPort, serial uint32) {
	if m != nil {
		m.polled.WithLabelValues(client, resolver.String()).Set(float64(serial))
	}
}

func (m *metrics) refusal() {
	if m != nil {
		m.refused.Inc()
	}
}

func (m *metrics) notifyFailed(client string) {
	if m != nil {
		m.notifyErr.WithLabelValues(client).Inc()
	}
}
