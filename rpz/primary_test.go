package rpz_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/rpz/rpztest"
)

const origin = "blocklist.rpz.takedown.example."

var stop = rpz.Redirect{A: netip.MustParseAddr("192.0.2.80"), AAAA: netip.MustParseAddr("2001:db8::80")}

func testConfig() *rpz.Config {
	c := rpz.DefaultConfig(origin, "ns.takedown.example.", "hostmaster.takedown.example.", stop)
	return &c
}

func build(t testing.TB, serial uint32, entries ...rpz.Entry) *rpz.Zone {
	t.Helper()
	z, err := rpz.Build(testConfig(), serial, entries)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

const (
	keyName = "isp-one.xfr."
	secret  = "c2VjcmV0LW9mLWlzcC1vbmUtZm9yLXRlc3RzLW9ubHk=" // base64 of a test secret
)

// serve starts a primary on a free loopback port and returns it with its address.
func serve(t testing.TB, z *rpz.Zone, clients ...rpz.Client) (*rpz.Primary, string) {
	t.Helper()
	p, err := rpz.NewPrimary(z, clients, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, errc := make(chan string, 1), make(chan error, 1)
	go func() { errc <- p.Serve(ctx, "127.0.0.1:0", func(a string) { addrc <- a }) }()
	select {
	case addr := <-addrc:
		t.Cleanup(func() { cancel(); <-errc })
		return p, addr
	case err := <-errc:
		cancel()
		t.Fatal(err)
	}
	return nil, ""
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// transfer runs an AXFR, or an IXFR from serial, signed with the key if one is given, and
// returns the records received or the error.
func transfer(t testing.TB, addr string, qtype uint16, serial uint32, key, sec string) ([]dns.RR, error) {
	t.Helper()
	m := new(dns.Msg)
	if qtype == dns.TypeIXFR {
		m.SetIxfr(origin, serial, "ns.", "root.")
	} else {
		m.SetAxfr(origin)
	}
	if key == "" {
		return rpztest.Transfer(addr, m, nil)
	}
	m.SetTsig(key, dns.HmacSHA256, 300, time.Now().Unix())
	return rpztest.Transfer(addr, m, map[string]string{key: sec})
}

func names(rrs []dns.RR) string {
	var b strings.Builder
	for _, rr := range rrs {
		fmt.Fprintf(&b, "%s %s\n", rr.Header().Name, dns.TypeToString[rr.Header().Rrtype])
	}
	return b.String()
}

// TestAXFR: the whole zone, SOA first and last, with A and AAAA local data for each name and
// its subtree when listed so, in messages of a few hundred records.
func TestAXFR(t *testing.T) {
	var entries []rpz.Entry
	for i := range 1200 {
		entries = append(entries, rpz.Entry{Name: fmt.Sprintf("n%04d.example", i), Subtree: i == 7})
	}
	_, addr := serve(t, build(t, 3, entries...), rpz.Client{Name: "isp", Prefixes: loopback})
	rrs, err := transfer(t, addr, dns.TypeAXFR, 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 + 1 + 2*1200 + 2; len(rrs) != want {
		t.Fatalf("%d records, want %d", len(rrs), want)
	}
	first, last := rrs[0].(*dns.SOA), rrs[len(rrs)-1].(*dns.SOA)
	if first.Serial != 3 || last.Serial != 3 {
		t.Errorf("SOA serials %d and %d, want 3", first.Serial, last.Serial)
	}
	got := names(rrs[1:8])
	want := "blocklist.rpz.takedown.example. NS\n" +
		"n0000.example.blocklist.rpz.takedown.example. A\nn0000.example.blocklist.rpz.takedown.example. AAAA\n"
	if !strings.HasPrefix(got, want) {
		t.Errorf("first records:\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(names(rrs), "*.n0007.example.blocklist.rpz.takedown.example. AAAA\n") {
		t.Error("the subtree of n0007.example is not listed")
	}
	if a := rrs[2].(*dns.A); !a.A.Equal(stop.A.AsSlice()) || a.Hdr.Ttl != 60 {
		t.Errorf("redirect %v ttl %d, want the stop page %v, 60 s", a.A, a.Hdr.Ttl, stop.A)
	}
}

// TestIXFR: a client at an older serial gets only the changes, in RFC 1995's form; one that
// is up to date gets the SOA alone; one the journal does not reach gets the whole zone.
func TestIXFR(t *testing.T) {
	a := rpz.Entry{Name: "a.example"}
	b := rpz.Entry{Name: "b.example", Category: "x"}
	c := rpz.Entry{Name: "c.example"}
	p, addr := serve(t, build(t, 1, a, b), rpz.Client{Name: "isp", Prefixes: loopback})
	if err := p.Publish(context.Background(), build(t, 2, a, b, c)); err != nil {
		t.Fatal(err)
	}
	if err := p.Publish(context.Background(), build(t, 3, b, c)); err != nil {
		t.Fatal(err)
	}
	rrs, err := transfer(t, addr, dns.TypeIXFR, 1, "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := origin + " SOA\n" + // the current version
		origin + " SOA\n" + origin + " SOA\n" + "c.example." + origin + " A\nc.example." + origin + " AAAA\n" + // 1 → 2: c added
		origin + " SOA\n" + "a.example." + origin + " A\na.example." + origin + " AAAA\n" + origin + " SOA\n" + // 2 → 3: a removed
		origin + " SOA\n"
	if got := names(rrs); got != want {
		t.Errorf("IXFR from 1:\n%s\nwant\n%s", got, want)
	}
	serials := []uint32{}
	for _, rr := range rrs {
		if s, ok := rr.(*dns.SOA); ok {
			serials = append(serials, s.Serial)
		}
	}
	if fmt.Sprint(serials) != "[3 1 2 2 3 3]" {
		t.Errorf("SOA serials %v, want [3 1 2 2 3 3]", serials)
	}

	if rrs, err := transfer(t, addr, dns.TypeIXFR, 3, "", ""); err != nil || len(rrs) != 1 {
		t.Errorf("IXFR when up to date: %d records, %v; want the SOA alone", len(rrs), err)
	}
	if rrs, err := transfer(t, addr, dns.TypeIXFR, 0, "", ""); err != nil || len(rrs) != 2+1+4 {
		t.Errorf("IXFR from a serial the journal lacks: %d records, %v; want the whole zone", len(rrs), err)
	}
	if err := p.Publish(context.Background(), build(t, 3, a)); err == nil {
		t.Error("a version with the same serial was published")
	}
}

// query sends one question over UDP or TCP and returns the answer.
func query(t testing.TB, addr, network string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	resp, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s query: %v", network, err)
	}
	return resp
}

// TestRefusals: transfers over UDP, from unknown addresses, unsigned or wrongly signed by an
// ISP that has a key, questions about other zones and other opcodes are refused; the SOA is
// answered to a known ISP.
func TestRefusals(t *testing.T) {
	_, addr := serve(t, build(t, 5, rpz.Entry{Name: "a.example"}),
		rpz.Client{Name: "signed", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Key: keyName, Secret: secret},
		rpz.Client{Name: "by-address", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")}})

	if _, err := transfer(t, addr, dns.TypeAXFR, 0, keyName, secret); err != nil {
		t.Errorf("signed AXFR: %v", err)
	}
	if _, err := transfer(t, addr, dns.TypeAXFR, 0, "", ""); err == nil {
		t.Error("an unsigned AXFR from the address of an ISP with a key was served")
	}
	if _, err := transfer(t, addr, dns.TypeAXFR, 0, keyName, "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldC13cm9uZw=="); err == nil {
		t.Error("an AXFR signed with a forged secret was served")
	}
	if _, err := transfer(t, addr, dns.TypeAXFR, 0, "other.xfr.", secret); err == nil {
		t.Error("an AXFR signed with an unknown key was served")
	}

	axfr := new(dns.Msg)
	axfr.SetAxfr(origin)
	axfr.SetTsig(keyName, dns.HmacSHA256, 300, time.Now().Unix())
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second, TsigSecret: map[string]string{keyName: secret}}
	if resp, _, err := c.Exchange(axfr, addr); err != nil || resp.Rcode != dns.RcodeRefused {
		t.Errorf("AXFR over UDP: %v, %v; want REFUSED", resp, err)
	}
	ixfr := new(dns.Msg)
	ixfr.SetIxfr(origin, 1, "ns.", "root.")
	ixfr.SetTsig(keyName, dns.HmacSHA256, 300, time.Now().Unix())
	if resp, _, err := c.Exchange(ixfr, addr); err != nil || len(resp.Answer) != 1 || resp.Answer[0].(*dns.SOA).Serial != 5 {
		t.Errorf("IXFR over UDP: %v, %v; want the current SOA alone (ask over TCP)", resp, err)
	}

	soa := new(dns.Msg)
	soa.SetQuestion(origin, dns.TypeSOA)
	soa.SetTsig(keyName, dns.HmacSHA256, 300, time.Now().Unix())
	if resp, _, err := c.Exchange(soa, addr); err != nil || resp.Rcode != dns.RcodeSuccess || len(resp.Answer) != 1 || !resp.Authoritative {
		t.Errorf("SOA query: %v, %v", resp, err)
	}
	for name, m := range map[string]*dns.Msg{
		"another zone":   new(dns.Msg).SetQuestion("example.com.", dns.TypeSOA),
		"a listed name":  new(dns.Msg).SetQuestion("a.example."+origin, dns.TypeA),
		"an update":      new(dns.Msg).SetUpdate(origin),
		"two questions":  {Question: []dns.Question{{Name: origin, Qtype: dns.TypeSOA, Qclass: dns.ClassINET}, {Name: origin, Qtype: dns.TypeNS, Qclass: dns.ClassINET}}},
		"unsigned query": new(dns.Msg).SetQuestion(origin, dns.TypeSOA),
	} {
		if resp := query(t, addr, "udp", m); resp.Rcode == dns.RcodeSuccess {
			t.Errorf("%s: answered %s", name, dns.RcodeToString[resp.Rcode])
		}
	}
}

// TestNotify: publishing a version sends an unsigned NOTIFY with the new SOA to the ISP's
// resolvers, which acknowledge it.
func TestNotify(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	notified := make(chan *dns.Msg, 1)
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		w.WriteMsg(m)
		notified <- r
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	to := netip.MustParseAddrPort(pc.LocalAddr().String())
	p, _ := serve(t, build(t, 1), rpz.Client{Name: "isp", Prefixes: loopback, Notify: []netip.AddrPort{to}})
	if err := p.Publish(context.Background(), build(t, 2, rpz.Entry{Name: "a.example"})); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-notified:
		if r.Opcode != dns.OpcodeNotify || r.Question[0].Name != origin || r.IsTsig() != nil || r.Answer[0].(*dns.SOA).Serial != 2 {
			t.Errorf("NOTIFY %v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no NOTIFY")
	}
}

// TestAXFROfLongNames: records are packed into messages by their size, so that a zone of
// long names still goes out in messages under 64 KB.
func TestAXFROfLongNames(t *testing.T) {
	var entries []rpz.Entry
	for i := range 2000 {
		entries = append(entries, rpz.Entry{Name: fmt.Sprintf("%sn%04d.example", strings.Repeat("long-label.", 17), i), Subtree: true})
	}
	_, addr := serve(t, build(t, 1, entries...), rpz.Client{Name: "isp", Prefixes: loopback})
	rrs, err := transfer(t, addr, dns.TypeAXFR, 0, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 + 1 + 4*2000; len(rrs) != want {
		t.Errorf("%d records, want %d", len(rrs), want)
	}
}

// gauge returns the value of a gauge on reg, with the label isp if given.
func gauge(t *testing.T, reg *prometheus.Registry, name, isp string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if isp == "" || len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == isp {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no gauge %s{isp=%q}", name, isp)
	return 0
}

// counter returns the value of a counter on reg with the labels isp and kind (0 if none).
func counter(t *testing.T, reg *prometheus.Registry, name, isp, kind string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if f.GetName() == name && labels["isp"] == isp && labels["kind"] == kind {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestMetrics: the served serial, and the serial each ISP last transferred, are metrics, so
// that an ISP whose resolvers stop following can be alerted on.
func TestMetrics(t *testing.T) {
	p, addr := serve(t, build(t, 4, rpz.Entry{Name: "a.example"}), rpz.Client{Name: "isp", Prefixes: loopback})
	reg := prometheus.NewRegistry()
	p.Register(reg)
	if s, isp := gauge(t, reg, "takedown_zone_serial", ""), gauge(t, reg, "takedown_zone_isp_serial", "isp"); s != 4 || isp != 0 {
		t.Errorf("before a transfer: serial %v, the ISP's %v; want 4 and 0", s, isp)
	}
	if _, err := transfer(t, addr, dns.TypeAXFR, 0, "", ""); err != nil {
		t.Fatal(err)
	}
	// The server counts the transfer once it has sent it, maybe after the client has read it.
	for deadline := time.Now().Add(10 * time.Second); gauge(t, reg, "takedown_zone_isp_serial", "isp") != 4; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("after a transfer, the ISP's serial is not 4")
		}
	}
}

// TestSharedAddress: two ISPs behind one address, one with a key and one without, are each
// admitted, whatever their order in the configuration; a transfer signed with another
// algorithm than hmac-sha256 is refused.
func TestSharedAddress(t *testing.T) {
	shared := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	_, addr := serve(t, build(t, 1, rpz.Entry{Name: "a.example"}),
		rpz.Client{Name: "signed", Prefixes: shared, Key: keyName, Secret: secret},
		rpz.Client{Name: "unsigned", Prefixes: shared})
	if _, err := transfer(t, addr, dns.TypeAXFR, 0, "", ""); err != nil {
		t.Errorf("unsigned, for the ISP without a key: %v", err)
	}
	if _, err := transfer(t, addr, dns.TypeAXFR, 0, keyName, secret); err != nil {
		t.Errorf("signed, for the ISP with the key: %v", err)
	}
	m := new(dns.Msg)
	m.SetAxfr(origin)
	m.SetTsig(keyName, dns.HmacSHA1, 300, time.Now().Unix())
	if _, err := rpztest.Transfer(addr, m, map[string]string{keyName: secret}); err == nil {
		t.Error("a transfer signed with hmac-sha1 was served")
	}
}
