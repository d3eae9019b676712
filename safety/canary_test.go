package safety_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/rpz/rpztest"
	"github.com/takedown-project/takedown/safety"
)

// The end-to-end test of the canary, through a real Unbound that is a secondary of the
// zone's primary, is rpz's TestCanaryThroughUnbound.

// TestCanaryConfig: the timeout defaults to 30 s; a missing resolver, too many names or a
// timeout out of bounds are refused.
func TestCanaryConfig(t *testing.T) {
	resolver := netip.MustParseAddrPort("127.0.0.1:53")
	c := safety.CanaryConfig{Resolver: resolver}
	if err := c.Validate(); err != nil || c.Timeout != safety.DefaultCanaryTimeout {
		t.Errorf("Validate = %v, timeout %v; want the default, %v", err, c.Timeout, safety.DefaultCanaryTimeout)
	}
	for _, tc := range []struct {
		name   string
		config safety.CanaryConfig
		field  string
	}{
		{"no resolver", safety.CanaryConfig{}, "canary.resolver"},
		{"no port", safety.CanaryConfig{Resolver: netip.AddrPortFrom(resolver.Addr(), 0)}, "canary.resolver"},
		{"too many names", safety.CanaryConfig{Resolver: resolver, MustNotBlock: make([]string, safety.MaxMustNotBlock+1)}, "canary.must_not_block"},
		{"a short timeout", safety.CanaryConfig{Resolver: resolver, Timeout: time.Millisecond}, "canary.timeout"},
		{"a long timeout", safety.CanaryConfig{Resolver: resolver, Timeout: time.Hour}, "canary.timeout"},
	} {
		if err := tc.config.Validate(); takedown.ErrorCode(err) != takedown.EINVALID || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: Validate = %v, want a refusal of %s", tc.name, err, tc.field)
		}
	}
}

// silentResolver returns a loopback address where nothing listens.
func silentResolver(t *testing.T) netip.AddrPort {
	t.Helper()
	port, err := rpztest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", port))
}

// failures returns the value of takedown_canary_failures_total{check}.
func failures(t *testing.T, reg *prometheus.Registry, check string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			if f.GetName() == "takedown_canary_failures_total" && m.GetLabel()[0].GetValue() == check {
				return m.GetCounter().GetValue()
			}
		}
	}
	t.Fatalf("no takedown_canary_failures_total{check=%q}", check)
	return 0
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

var (
	stopA     = netip.MustParseAddr("192.0.2.80")
	redirects = []netip.Addr{stopA, netip.MustParseAddr("2001:db8::80")}
)

// TestCanaryWithoutResolver: a resolver that does not answer fails both checks, with why, and
// the status reads as JSON.
func TestCanaryWithoutResolver(t *testing.T) {
	var logs rpztest.Buffer
	reg := prometheus.NewRegistry()
	cfg := safety.CanaryConfig{Resolver: silentResolver(t), MustNotBlock: []string{"ok.example"}, Timeout: time.Second}
	c, err := safety.NewCanary(cfg, takedown.SystemClock{}, slog.New(slog.NewTextHandler(&logs, nil)), reg)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Status(); s.Serial != 0 || s.OK || !s.Time.IsZero() {
		t.Errorf("the status before any check: %+v, want the zero Status", s)
	}
	c.Check(t.Context(), safety.Version{Serial: 5, Listed: "blocked.example", Stop: stopA, New: true, Redirects: redirects})
	s := awaitCheck(t, c, 5)
	if s.OK || len(s.Failures) != 2 || s.Failures[0].Check != safety.CheckListed || s.Failures[1].Check != safety.CheckMustNotBlock {
		t.Fatalf("status %+v, want the listed and the must-not-block checks failed", s)
	}
	for _, f := range s.Failures {
		if !strings.HasPrefix(f.Answer, "error: ") {
			t.Errorf("the failure %+v does not say why there was no answer", f)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"serial":5`, `"ok":false`, `"check":"listed","name":"blocked.example"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the status in JSON, %s, does not hold %s", b, want)
		}
	}
	if got := strings.Count(logs.String(), "level=ERROR"); got != 2 {
		t.Errorf("%d errors logged, want 2:\n%s", got, logs.String())
	}
}

// TestCanarySuperseded: a check still running when a new version comes is dropped; only the
// new version's result counts.
func TestCanarySuperseded(t *testing.T) {
	reg := prometheus.NewRegistry()
	c, err := safety.NewCanary(safety.CanaryConfig{Resolver: silentResolver(t), Timeout: time.Second}, takedown.SystemClock{}, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c.Check(ctx, safety.Version{Serial: 1, Listed: "a.example", Stop: stopA, Redirects: redirects})
	c.Check(ctx, safety.Version{Serial: 2, Listed: "b.example", Stop: stopA, Redirects: redirects})
	if s := awaitCheck(t, c, 2); len(s.Failures) != 1 || s.Failures[0].Name != "b.example" {
		t.Errorf("status %+v, want the failure of b.example", s)
	}
	if got := failures(t, reg, safety.CheckListed); got != 1 {
		t.Errorf("%v listed checks failed, want 1: the check of serial 1 was superseded", got)
	}
}
