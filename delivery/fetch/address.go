package fetch

import "net/netip"

// refusedRange is a block of addresses no outbound request may reach, with the words that
// say why in an error.
type refusedRange struct {
	prefix netip.Prefix
	why    string
}

// refusedRanges are the addresses the guarded dialer refuses. They are the authority's own
// networks or could be (private, CGNAT, link-local where cloud metadata lives), addresses
// that mean "this host" or "everyone" (loopback, unspecified, broadcast, multicast), and
// blocks never routed on the Internet (documentation, benchmarking, reserved): a content
// URL or an operator's endpoint that points there is an attack or a mistake, never a
// place takedown has business with. IPv4-mapped IPv6 addresses are unmapped before the
// check; NAT64 and 6to4 addresses are checked on the IPv4 address they carry.
var refusedRanges = func() []refusedRange {
	table := []struct{ prefix, why string }{
		{"0.0.0.0/8", "a \"this network\" address"},
		{"10.0.0.0/8", "a private address"},
		{"100.64.0.0/10", "a shared (CGNAT) address"},
		{"127.0.0.0/8", "a loopback address"},
		{"169.254.0.0/16", "a link-local address (cloud metadata lives there)"},
		{"172.16.0.0/12", "a private address"},
		{"192.0.0.0/24", "an IETF protocol address"},
		{"192.0.2.0/24", "a documentation address"},
		{"192.168.0.0/16", "a private address"},
		{"198.18.0.0/15", "a benchmarking address"},
		{"198.51.100.0/24", "a documentation address"},
		{"203.0.113.0/24", "a documentation address"},
		{"224.0.0.0/4", "a multicast address"},
		{"240.0.0.0/4", "a reserved or broadcast address"},
		{"::/128", "an unspecified address"},
		{"::1/128", "a loopback address"},
		{"::/96", "an IPv4-compatible address (deprecated)"},
		{"64:ff9b:1::/48", "a local-use NAT64 address"},
		{"100::/64", "a discard-only address"},
		{"2001:db8::/32", "a documentation address"},
		{"fc00::/7", "a private (unique local) address"},
		{"fe80::/10", "a link-local address"},
		{"fec0::/10", "a site-local address (deprecated)"},
		{"ff00::/8", "a multicast address"},
	}
	ranges := make([]refusedRange, len(table))
	for i, r := range table {
		ranges[i] = refusedRange{netip.MustParsePrefix(r.prefix), r.why}
	}
	return ranges
}()

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// refused says why addr may not be reached, or "" if it may. An invalid address is refused:
// the check fails closed.
func refused(addr netip.Addr) string {
	if !addr.IsValid() {
		return "not an IP address"
	}
	addr = addr.WithZone("").Unmap()
	for _, r := range refusedRanges {
		if r.prefix.Contains(addr) {
			return r.why
		}
	}
	// An IPv6 address that carries an IPv4 one reaches that address through a gateway.
	if nat64.Contains(addr) || sixToFour.Contains(addr) {
		b := addr.As16()
		var v4 [4]byte
		if nat64.Contains(addr) {
			copy(v4[:], b[12:16])
		} else {
			copy(v4[:], b[2:6])
		}
		if why := refused(netip.AddrFrom4(v4)); why != "" {
			return why + " behind a NAT64 or 6to4 address"
		}
	}
	return ""
}

// checkAddress returns a *RefusedError if the connection to addr must not be made.
func checkAddress(addr netip.AddrPort) error {
	if why := refused(addr.Addr()); why != "" {
		return &RefusedError{Addr: addr.String(), Why: why}
	}
	return nil
}

// checkResolved returns a *RefusedError if host, resolved to addrs, has any address that must
// not be reached: with a proxy, takedown cannot see which address the proxy will use.
func checkResolved(host string, addrs []netip.Addr) error {
	for _, a := range addrs {
		if why := refused(a); why != "" {
			return &RefusedError{Host: host, Addr: a.WithZone("").Unmap().String(), Why: why}
		}
	}
	if len(addrs) == 0 {
		return &RefusedError{Host: host, Why: "no address"}
	}
	return nil
}
