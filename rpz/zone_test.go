package rpz_test

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/rpz"
)

// TestCheckName: what cannot be listed is refused with a reason that says why; a name not in
// canonical form is refused with its canonical form, which is what casework lists.
func TestCheckName(t *testing.T) {
	for _, name := range []string{"example.test", "xn--bcher-kva.example", "a-b.c1.example", "0day.example", "under_score.example"} {
		if err := rpz.CheckName(name); err != nil {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
	for _, tc := range []struct{ name, reason string }{
		{"", "empty"},
		{"https://bad.example/page", "whole address"},
		{"bad.example/page", "without a path"},
		{"192.0.2.1", "IP address"},
		{"2001:db8::1", "IP address"},
		{"1.2.3", "IP address (1.2.0.3)"},
		{"Bad.Example", "canonical form, which is bad.example"},
		{"bücher.example", "canonical form, which is xn--bcher-kva.example"},
		{"bad.example.", "canonical form, which is bad.example"},
		{"*.example.test", "not allowed"},
		{"a..example", "empty part"},
		{strings.Repeat("a", 64) + ".example", "of 64 characters"},
		{strings.Repeat("abcdefghi.", 26) + "example", "at most 253"},
	} {
		err := rpz.CheckName(tc.name)
		if takedown.ErrorCode(err) != takedown.EINVALID || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("CheckName(%q) = %v, want a refusal saying %q", tc.name, err, tc.reason)
		}
	}
}

// TestBuild: a zone leaves out, and says why, a name listed twice, one too long for its
// origin and one not in canonical form, and keeps the rest; it refuses a configuration that
// would block badly: no IPv6 stop page, or an expiry short enough that an outage of the
// primary lifts every block.
func TestBuild(t *testing.T) {
	long := strings.Repeat("abcdefghi.", 22) + "example" // 227 bytes: a host name, too long with the origin
	z, err := rpz.Build(testConfig(), 1, []rpz.Entry{{Name: "a.example"}, {Name: "a.example", Subtree: true}, {Name: long}, {Name: "B.example"}, {Name: "c.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := fmt.Sprint(z.Rejected()); z.Len() != 2 || !strings.Contains(r, "listed twice") || !strings.Contains(r, "too long to list") || !strings.Contains(r, "canonical form") {
		t.Errorf("%d names listed, rejected: %s; want a.example and c.example, and why the others were left out", z.Len(), r)
	}
	for name, edit := range map[string]func(c *rpz.Config){
		"no IPv6 stop page": func(c *rpz.Config) { c.StopPages[""] = rpz.Redirect{A: stop.A} },
		"no default":        func(c *rpz.Config) { c.StopPages = map[string]rpz.Redirect{"terrorism": stop} },
		"short expiry":      func(c *rpz.Config) { c.Expire = 3600 },
		"origin not a FQDN": func(c *rpz.Config) { c.Origin = "blocklist.rpz" },
		"zero TTL":          func(c *rpz.Config) { c.TTL = 0 },
		"IPv4 in IPv6 stop": func(c *rpz.Config) {
			c.StopPages[""] = rpz.Redirect{A: stop.A, AAAA: netip.MustParseAddr("::ffff:192.0.2.1")}
		},
		"contact not a name": func(c *rpz.Config) { c.Contact = "hostmaster@takedown.example" },
	} {
		c := testConfig()
		edit(c)
		if _, err := rpz.Build(c, 1, nil); takedown.ErrorCode(err) != takedown.EINVALID {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
}

// TestStopPageByCategory: a name is redirected to the stop page of its offence category, or
// to the default one.
func TestStopPageByCategory(t *testing.T) {
	c := testConfig()
	csam := rpz.Redirect{A: netip.MustParseAddr("192.0.2.81"), AAAA: netip.MustParseAddr("2001:db8::81")}
	c.StopPages["csam"] = csam
	z, err := rpz.Build(c, 1, []rpz.Entry{{Name: "a.example", Category: "csam"}, {Name: "b.example", Category: "terrorism"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]net.IP{}
	for rr := range z.Records() {
		if a, ok := rr.(*dns.A); ok {
			got[a.Hdr.Name] = a.A
		}
	}
	if !got["a.example."+origin].Equal(csam.A.AsSlice()) || !got["b.example."+origin].Equal(stop.A.AsSlice()) {
		t.Errorf("redirects %v", got)
	}
}

// TestLookup: a host is blocked by its own entry, or by a parent's listed with its subtree.
func TestLookup(t *testing.T) {
	z := build(t, 1, rpz.Entry{Name: "a.example", Category: "csam"}, rpz.Entry{Name: "b.example", Subtree: true, Category: "terrorism-apology"})
	for host, want := range map[string]string{
		"a.example": "csam", "x.a.example": "", "b.example": "terrorism-apology", "x.y.b.example": "terrorism-apology", "example": "", "c.example": "",
	} {
		e, ok := z.Lookup(host)
		if ok != (want != "") || e.Category != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %q", host, e, ok, want)
		}
	}
}
