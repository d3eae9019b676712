package rpz_test

import (
	"net"
	"net/netip"
	"testing"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown/rpz"
)

// FuzzCheckName: no name panics, and a name accepted is a domain name that a zone lists.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"a.example", "xn--bcher-kva.example", "192.0.2.1", "https://a.example/x", "a..b", "*.a.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if rpz.CheckName(name) != nil {
			return
		}
		if _, ok := dns.IsDomainName(name + "."); !ok {
			t.Fatalf("accepted %q, which is not a domain name", name)
		}
		z, err := rpz.Build(testConfig(), 1, []rpz.Entry{{Name: name, Subtree: true}})
		if err != nil || len(z.Rejected()) > 0 && len(name)+3+len(origin) <= 254 {
			t.Fatalf("accepted %q, which a zone leaves out: %v %v", name, err, z.Rejected())
		}
	})
}

// recorder is a dns.ResponseWriter that keeps what is written.
type recorder struct {
	remote net.Addr
	signed bool
	msgs   []*dns.Msg
}

func (r *recorder) LocalAddr() net.Addr  { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }
func (r *recorder) RemoteAddr() net.Addr { return r.remote }
func (r *recorder) WriteMsg(m *dns.Msg) error {
	r.msgs = append(r.msgs, m)
	_, err := m.Pack()
	return err
}
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) Close() error                { return nil }
func (r *recorder) TsigTimersOnly(bool)         {}
func (r *recorder) Hijack()                     {}

// TsigStatus fails a signed request, as the server does for a key it does not know.
func (r *recorder) TsigStatus() error {
	if r.signed {
		return dns.ErrSig
	}
	return nil
}

// FuzzServeDNS: whatever message arrives, over UDP or TCP, from a known ISP's address or
// not, the primary answers without panicking, and never hands the zone to an unknown address.
func FuzzServeDNS(f *testing.F) {
	for _, m := range []*dns.Msg{
		new(dns.Msg).SetAxfr(origin),
		new(dns.Msg).SetIxfr(origin, 1, "ns.", "root."),
		new(dns.Msg).SetQuestion(origin, dns.TypeSOA),
		new(dns.Msg).SetNotify(origin),
		new(dns.Msg).SetUpdate(origin),
	} {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true, true)
	}
	z := build(f, 2, rpz.Entry{Name: "a.example", Subtree: true}, rpz.Entry{Name: "b.example"})
	p, err := rpz.NewPrimary(z, []rpz.Client{{Name: "isp", Prefixes: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte, tcp, known bool) {
		m := new(dns.Msg)
		if m.Unpack(b) != nil {
			return // the server drops what does not unpack
		}
		ip := net.IPv4(127, 0, 0, 1)
		if !known {
			ip = net.IPv4(192, 0, 2, 9)
		}
		var remote net.Addr = &net.UDPAddr{IP: ip, Port: 5353}
		if tcp {
			remote = &net.TCPAddr{IP: ip, Port: 5353}
		}
		w := &recorder{remote: remote, signed: m.IsTsig() != nil}
		p.ServeDNS(w, m)
		for _, resp := range w.msgs {
			if (!known || w.signed) && len(resp.Answer) > 0 {
				t.Fatalf("answered %d records to an unknown or unverified client:\n%v", len(resp.Answer), resp)
			}
		}
	})
}
