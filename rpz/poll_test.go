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

	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/rpz/rpztest"
)

// TestPollSerials: the serial each real resolver (Unbound and BIND, secondaries of the zone)
// answers in the zone's SOA is reported and in takedown_isp_resolver_serial, and follows a new
// version; a resolver that does not answer is logged once, at debug level, however often it
// is asked.
func TestPollSerials(t *testing.T) {
	for _, kind := range []string{"unbound", "bind"} {
		t.Run(kind, func(t *testing.T) {
			primaryAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
			resolverPort := freePort(t)
			resolverAddr := netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", resolverPort))
			silent := netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", freePort(t)))
			client := rpz.Client{Name: "isp-unbound", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Notify: []netip.AddrPort{resolverAddr}}
			if kind == "bind" {
				client = rpz.Client{Name: "isp-bind", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, Key: keyName, Secret: secret, Notify: []netip.AddrPort{resolverAddr}}
			}
			clients := []rpz.Client{client, {Name: "isp-silent", Prefixes: []netip.Prefix{netip.MustParsePrefix("192.0.2.53/32")}, Notify: []netip.AddrPort{silent}}}
			var logs rpztest.Buffer
			p, err := rpz.NewPrimary(build(t, 1, rpz.Entry{Name: "blocked.example"}), clients, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			if err != nil {
				t.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			p.Register(reg)
			ctx, cancel := context.WithCancel(context.Background())
			errc, ready := make(chan error, 1), make(chan struct{})
			go func() { errc <- p.Serve(ctx, primaryAddr, func(string) { close(ready) }) }()
			t.Cleanup(func() { cancel(); <-errc })
			<-ready
			if kind == "unbound" {
				startUnbound(t, primaryAddr, resolverPort)
			} else {
				startBIND(t, primaryAddr, resolverPort, keyName, secret)
			}

			type report struct {
				client   string
				resolver netip.AddrPort
				serial   uint32
			}
			reports := make(chan report, 100)
			polled := make(chan struct{})
			go func() {
				defer close(polled)
				p.PollSerials(ctx, 50*time.Millisecond, func(c rpz.Client, resolver netip.AddrPort, serial uint32) {
					select {
					case reports <- report{c.Name, resolver, serial}:
					case <-ctx.Done():
					}
				})
			}()
			t.Cleanup(func() { cancel(); <-polled })
			await := func(serial uint32) {
				t.Helper()
				for timeout := time.After(30 * time.Second); ; {
					select {
					case r := <-reports:
						if r.client != client.Name || r.resolver != resolverAddr {
							t.Fatalf("a report of %s at %s; only %s at %s answers", r.client, r.resolver, client.Name, resolverAddr)
						}
						if r.serial == serial {
							return
						}
					case <-timeout:
						t.Fatalf("%s did not report serial %d in 30 s", client.Name, serial)
					}
				}
			}
			await(1)
			if err := p.Publish(ctx, build(t, 2, rpz.Entry{Name: "new.example"})); err != nil {
				t.Fatal(err)
			}
			await(2)
			if got := metric(t, reg, "takedown_isp_resolver_serial", "isp="+client.Name, "resolver="+resolverAddr.String()); got != 2 {
				t.Errorf("takedown_isp_resolver_serial of %s = %v, want 2", client.Name, got)
			}
			if got := metric(t, reg, "takedown_isp_resolver_serial", "isp=isp-silent"); got != -1 {
				t.Errorf("takedown_isp_resolver_serial of the resolver that does not answer = %v, want none", got)
			}
			if got := strings.Count(logs.String(), `does not tell its serial" client=isp-silent`); got != 1 {
				t.Errorf("the resolver that does not answer was logged %d times, want once:\n%s", got, logs.String())
			}
		})
	}
}
