package rpz_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/rpz/rpztest"
)

// The resolvers of these tests answer from local data only: the names below, in the zone
// "example.", so that a name that is not blocked gets its own address, with no recursion to
// the internet.
var localNames = map[string]string{
	"ok.example.":      "192.0.2.10",
	"blocked.example.": "192.0.2.66",
	"new.example.":     "192.0.2.67",
	"x.sub.example.":   "192.0.2.68",
}

// freePort returns a port free for UDP and TCP on loopback.
func freePort(t *testing.T) int {
	t.Helper()
	port, err := rpztest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// resolver is a real resolver process, a secondary of the zone.
type resolver struct{ *rpztest.Process }

// started skips the test if the server is not installed, and stops it when the test ends.
func started(t *testing.T, p *rpztest.Process, err error) *resolver {
	t.Helper()
	if errors.Is(err, rpztest.ErrMissing) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("%s output:\n%s", p.Name, p.Output())
		}
	})
	return &resolver{p}
}

// startUnbound runs Unbound on port, a secondary of the zone at primary, admitted by its
// address.
func startUnbound(t *testing.T, primary string, port int) *resolver {
	dir := t.TempDir()
	zone, err := rpztest.LocalZone(dir, localNames)
	if err != nil {
		t.Fatal(err)
	}
	p, err := rpztest.Unbound(dir, primary, origin, port, zone)
	return started(t, p, err)
}

// startBIND runs BIND on port, a secondary of the zone at primary, transferring from
// 127.0.0.2 with the TSIG key.
func startBIND(t *testing.T, primary string, port int, key, sec string) *resolver {
	dir := t.TempDir()
	zone, err := rpztest.LocalZone(dir, localNames)
	if err != nil {
		t.Fatal(err)
	}
	p, err := rpztest.BIND(dir, primary, origin, port, key, sec, zone)
	return started(t, p, err)
}

// ask queries the resolver.
func (r *resolver) ask(name string, qtype uint16) string { return rpztest.Ask(r.Addr, name, qtype) }

// await polls until the resolver answers name with want, and returns how long it took.
func (r *resolver) await(t *testing.T, name string, qtype uint16, want string) time.Duration {
	t.Helper()
	start := time.Now()
	var got string
	for time.Since(start) < 30*time.Second {
		if got = r.ask(name, qtype); got == want {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %s %s answered %q after 30 s, want %q", r.Name, name, dns.TypeToString[qtype], got, want)
	return 0
}

// TestResolvers: real Unbound and BIND resolvers, secondaries of the primary (BIND with TSIG,
// Unbound by address), answer a listed name and its subtree with the stop page, leave other
// names alone, take a change through NOTIFY and IXFR, and restore a lifted name.
func TestResolvers(t *testing.T) {
	for _, kind := range []string{"unbound", "bind"} {
		t.Run(kind, func(t *testing.T) {
			z1 := build(t, 1, rpz.Entry{Name: "blocked.example"}, rpz.Entry{Name: "sub.example", Subtree: true})
			// The primary starts first, on a port chosen here, and notifies the resolver
			// on the port it will be given.
			port := freePort(t)
			primaryAddr := fmt.Sprintf("127.0.0.1:%d", port)
			resolverPort := freePort(t)
			notify := []netip.AddrPort{netip.MustParseAddrPort(fmt.Sprintf("127.0.0.1:%d", resolverPort))}
			clients := []rpz.Client{
				{Name: "isp-unbound", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
				{Name: "isp-bind", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, Key: keyName, Secret: secret},
			}
			if kind == "unbound" {
				clients[0].Notify = notify
			} else {
				clients[1].Notify = notify
			}
			p, err := rpz.NewPrimary(z1, clients, nil)
			if err != nil {
				t.Fatal(err)
			}
			reg := prometheus.NewRegistry()
			p.Register(reg)
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			ready := make(chan struct{})
			go func() { errc <- p.Serve(ctx, primaryAddr, func(string) { close(ready) }) }()
			t.Cleanup(func() { cancel(); <-errc })
			<-ready

			var r *resolver
			if kind == "unbound" {
				r = startUnbound(t, primaryAddr, resolverPort)
			} else {
				r = startBIND(t, primaryAddr, resolverPort, keyName, secret)
			}
			stopA, stopAAAA := stop.A.String(), stop.AAAA.String()
			r.await(t, "blocked.example.", dns.TypeA, stopA)
			r.await(t, "blocked.example.", dns.TypeAAAA, stopAAAA)
			r.await(t, "x.sub.example.", dns.TypeA, stopA)
			if got := r.ask("ok.example.", dns.TypeA); got != localNames["ok.example."] {
				t.Errorf("ok.example., not listed: %q, want its own address", got)
			}
			if got := r.ask("new.example.", dns.TypeA); got != localNames["new.example."] {
				t.Errorf("new.example., not yet listed: %q", got)
			}

			z2 := build(t, 2, rpz.Entry{Name: "new.example"}, rpz.Entry{Name: "sub.example", Subtree: true})
			if err := p.Publish(context.Background(), z2); err != nil {
				t.Fatal(err)
			}
			took := r.await(t, "new.example.", dns.TypeA, stopA)
			r.await(t, "blocked.example.", dns.TypeA, localNames["blocked.example."]) // lifted
			t.Logf("%s: the change reached the resolver in %v", r.Name, took.Round(time.Millisecond))
			for deadline := time.Now().Add(10 * time.Second); counter(t, reg, "takedown_zone_transfers_total", "isp-"+kind, "ixfr") < 1; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) { // counted once sent, maybe after the resolver applied it
					t.Fatalf("no IXFR served to isp-%s: the change did not come by IXFR", kind)
				}
			}
		})
	}
}

// TestBINDWithAForgedKey: a real BIND whose key has the right name but another secret is
// refused the zone, and blocks nothing.
func TestBINDWithAForgedKey(t *testing.T) {
	var logs rpztest.Buffer
	clients := []rpz.Client{{Name: "isp-bind", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}, Key: keyName, Secret: secret}}
	p, err := rpz.NewPrimary(build(t, 1, rpz.Entry{Name: "blocked.example"}), clients, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	primaryAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	errc, ready := make(chan error, 1), make(chan struct{})
	go func() { errc <- p.Serve(ctx, primaryAddr, func(string) { close(ready) }) }()
	t.Cleanup(func() { cancel(); <-errc })
	<-ready
	r := startBIND(t, primaryAddr, freePort(t), keyName, "Zm9yZ2VkLXNlY3JldC1mb3JnZWQtc2VjcmV0LWZvcmdlZA==")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "client=isp-bind reason=\"TSIG") {
		if time.Now().After(deadline) {
			t.Fatalf("no TSIG refusal logged in 30 s; the primary's log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := r.ask("blocked.example.", dns.TypeA); got != localNames["blocked.example."] {
		t.Errorf("blocked.example. through a BIND with a forged key: %q, want its own address", got)
	}
	if strings.Contains(logs.String(), "rpz: transfer ") {
		t.Errorf("a transfer was served:\n%s", logs.String())
	}
}
