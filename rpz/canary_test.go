package rpz_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/rpz/rpztest"
	"github.com/takedown-project/takedown/safety"
)

// withUnbound serves z from a primary that notifies a real Unbound, its secondary, and
// returns them once Unbound has loaded z.
func withUnbound(t *testing.T, z *rpz.Zone) (*rpz.Primary, *resolver) {
	t.Helper()
	primaryAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	resolverPort := freePort(t)
	clients := []rpz.Client{{Name: "isp-unbound", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		Notify: []netip.AddrPort{netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", resolverPort))}}}
	p, err := rpz.NewPrimary(z, clients, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc, ready := make(chan error, 1), make(chan struct{})
	go func() { errc <- p.Serve(ctx, primaryAddr, func(string) { close(ready) }) }()
	t.Cleanup(func() { cancel(); <-errc })
	<-ready
	r := startUnbound(t, primaryAddr, resolverPort)
	if _, err := rpztest.WaitSOA(r.Addr, origin, z.Serial(), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return p, r
}

// metric returns the value of a gauge or counter of reg with the labels given as
// name=value, or -1 if there is none.
func metric(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			has := map[string]string{}
			for _, l := range m.GetLabel() {
				has[l.GetName()] = l.GetValue()
			}
			for _, l := range labels {
				k, v, _ := strings.Cut(l, "=")
				if has[k] != v {
					continue metrics
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

// awaitCheck waits until the canary has checked the version of serial, and returns the
// result.
func awaitCheck(t *testing.T, c *safety.Canary, serial uint32) safety.Status {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if s := c.Status(); s.Serial == serial {
			return s
		}
	}
	t.Fatalf("the canary did not check serial %d in a minute; its status: %+v", serial, c.Status())
	return safety.Status{}
}

// TestCanaryThroughUnbound: a canary asking a real Unbound, a secondary of the zone, after
// each publication passes when the version blocks what it lists and nothing that must not be
// blocked; fails, with a metric, its status and an error in the log, when a version lists a
// name that must never be blocked; and passes again once a version lifts it.
func TestCanaryThroughUnbound(t *testing.T) {
	blocked, added := rpz.Entry{Name: "blocked.example"}, rpz.Entry{Name: "new.example"}
	p, r := withUnbound(t, build(t, 1, blocked))
	var logs rpztest.Buffer
	reg := prometheus.NewRegistry()
	cfg := safety.CanaryConfig{Resolver: netip.MustParseAddrPort(r.Addr), MustNotBlock: []string{"ok.example"}}
	c, err := safety.NewCanary(cfg, takedown.SystemClock{}, slog.New(slog.NewTextHandler(&logs, nil)), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	p.OnPublish(func(z *rpz.Zone, fresh []rpz.Entry) { c.Check(ctx, z.Canary(fresh)) })
	publish := func(z *rpz.Zone) safety.Status {
		t.Helper()
		if err := p.Publish(ctx, z); err != nil {
			t.Fatal(err)
		}
		return awaitCheck(t, c, z.Serial())
	}

	if s := publish(build(t, 2, blocked, added)); !s.OK || len(s.Failures) != 0 {
		t.Errorf("a version adding new.example: %+v, want a pass", s)
	}
	if got := metric(t, reg, "takedown_canary_ok"); got != 1 {
		t.Errorf("takedown_canary_ok = %v after a pass, want 1", got)
	}

	s := publish(build(t, 3, blocked, added, rpz.Entry{Name: "ok.example"}))
	if s.OK || len(s.Failures) != 1 {
		t.Fatalf("a version listing ok.example, which must not be blocked: %+v, want one failure", s)
	}
	f := s.Failures[0]
	if f.Check != safety.CheckMustNotBlock || f.Name != "ok.example" || !strings.Contains(f.Answer, stop.A.String()) {
		t.Errorf("the failure %+v, want ok.example answered with the stop page %s", f, stop.A)
	}
	for _, m := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"takedown_canary_ok", nil, 0},
		{"takedown_canary_serial", nil, 3},
		{"takedown_canary_failures_total", []string{"check=must_not_block"}, 1},
		{"takedown_canary_failures_total", []string{"check=listed"}, 0},
	} {
		if got := metric(t, reg, m.name, m.labels...); got != m.want {
			t.Errorf("%s%v = %v, want %v", m.name, m.labels, got, m.want)
		}
	}
	if got := metric(t, reg, "takedown_canary_last_run_timestamp_seconds"); got < float64(s.Time.Unix()) {
		t.Errorf("takedown_canary_last_run_timestamp_seconds = %v, before the check ended at %v", got, s.Time)
	}
	var line string
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, "level=ERROR") {
			line = l
		}
	}
	for _, want := range []string{"name=ok.example", "serial=3", stop.A.String()} {
		if !strings.Contains(line, want) {
			t.Errorf("the error logged, %q, does not say %q; the log:\n%s", line, want, logs.String())
		}
	}

	// The version that lifts it adds no name: the canary cannot tell when Unbound has it,
	// and asks again until ok.example is no longer blocked.
	if s := publish(build(t, 4, blocked, added)); !s.OK {
		t.Errorf("the version lifting ok.example: %+v, want a pass", s)
	}
	if got := metric(t, reg, "takedown_canary_failures_total", "check=must_not_block"); got != 1 {
		t.Errorf("takedown_canary_failures_total{check=must_not_block} = %v after a pass, want still 1", got)
	}
}

// TestZoneCanary: the version a canary checks names a name new in it if there is one, or else
// any listed name, with its stop page, and every stop page's addresses.
func TestZoneCanary(t *testing.T) {
	cfg := testConfig()
	other := rpz.Redirect{A: netip.MustParseAddr("192.0.2.81"), AAAA: netip.MustParseAddr("2001:db8::81")}
	cfg.StopPages["csam"] = other
	z, err := rpz.Build(cfg, 7, []rpz.Entry{{Name: "a.example"}, {Name: "b.example", Category: "csam"}})
	if err != nil {
		t.Fatal(err)
	}
	both := []netip.Addr{stop.A, other.A, stop.AAAA, other.AAAA}
	for _, tc := range []struct {
		name  string
		zone  *rpz.Zone
		fresh []rpz.Entry
		want  safety.Version
	}{
		{"a new name", z, []rpz.Entry{{Name: "b.example", Category: "csam"}},
			safety.Version{Serial: 7, Listed: "b.example", Stop: other.A, New: true, Redirects: both}},
		{"no new name", z, nil, safety.Version{Serial: 7, Listed: "a.example", Stop: stop.A, Redirects: both}},
		{"an empty zone", build(t, 8), nil, safety.Version{Serial: 8, Redirects: []netip.Addr{stop.A, stop.AAAA}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.zone.Canary(tc.fresh); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("Canary = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestOnPublish: the function set is given each version published, with the entries whose
// names it blocks and the one before did not.
func TestOnPublish(t *testing.T) {
	p, _ := serve(t, build(t, 1, rpz.Entry{Name: "a.example"}, rpz.Entry{Name: "sub.example", Subtree: true}), rpz.Client{Name: "isp", Prefixes: loopback})
	type call struct {
		serial uint32
		fresh  []rpz.Entry
	}
	calls := make(chan call, 1)
	p.OnPublish(func(z *rpz.Zone, fresh []rpz.Entry) { calls <- call{z.Serial(), fresh} })
	z2 := build(t, 2, rpz.Entry{Name: "a.example", Category: "other"}, rpz.Entry{Name: "b.example"},
		rpz.Entry{Name: "sub.example", Subtree: true}, rpz.Entry{Name: "x.sub.example"})
	if err := p.Publish(context.Background(), z2); err != nil {
		t.Fatal(err)
	}
	got := <-calls
	// a.example changed category and x.sub.example was blocked by its parent: neither is new.
	if want := []rpz.Entry{{Name: "b.example"}}; got.serial != 2 || fmt.Sprint(got.fresh) != fmt.Sprint(want) {
		t.Errorf("OnPublish got serial %d and %v, want 2 and %v", got.serial, got.fresh, want)
	}
}
