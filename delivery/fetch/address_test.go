package fetch

import (
	"errors"
	"net/netip"
	"testing"
)

func TestRefused(t *testing.T) {
	tests := []struct {
		addr    string
		refused bool
	}{
		{"0.0.0.0", true},
		{"0.255.255.255", true},
		{"1.0.0.0", false},
		{"9.255.255.255", false},
		{"10.0.0.0", true},
		{"10.255.255.255", true},
		{"11.0.0.0", false},
		{"100.63.255.255", false},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"100.128.0.0", false},
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"169.254.169.254", true}, // cloud metadata
		{"172.15.255.255", false},
		{"172.16.0.0", true},
		{"172.31.255.255", true},
		{"172.32.0.0", false},
		{"192.0.0.8", true},
		{"192.0.2.1", true}, // documentation: refused
		{"192.167.255.255", false},
		{"192.168.0.1", true},
		{"192.169.0.0", false},
		{"198.18.0.1", true},
		{"198.51.100.7", true},
		{"203.0.113.80", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"255.255.255.255", true},
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"::", true},
		{"::1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:8.8.8.8", false},
		{"::10.0.0.1", true},
		{"64:ff9b::10.0.0.1", true},
		{"64:ff9b::8.8.8.8", false},
		{"2002:0a00:0001::1", true}, // 6to4 of 10.0.0.1
		{"2002:0808:0808::1", false},
		{"2001:db8::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"febf:ffff::1", true},
		{"fec0::1", true},
		{"ff02::1", true},
		{"2001:4860:4860::8888", false},
		{"2a00:1450::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			addr := netip.MustParseAddr(tt.addr)
			why := refused(addr)
			if got := why != ""; got != tt.refused {
				t.Errorf("refused(%s) = %q, want refused %v", addr, why, tt.refused)
			}
		})
	}
	if why := refused(netip.Addr{}); why == "" {
		t.Error("the zero Addr is allowed; want refused (fail closed)")
	}
}

func TestCheckAddressMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{checkAddress(netip.MustParseAddrPort("10.0.0.5:80")), "refused to connect to 10.0.0.5:80: a private address"},
		{checkAddress(netip.MustParseAddrPort("[::ffff:169.254.169.254]:80")),
			"refused to connect to [::ffff:169.254.169.254]:80: a link-local address (cloud metadata lives there)"},
		{checkResolved("intranet.test", []netip.Addr{netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("192.168.1.1")}),
			"refused to fetch intranet.test: it resolves to 192.168.1.1, a private address"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if tt.err == nil {
				t.Fatal("no error")
			}
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !errors.Is(tt.err, ErrRefusedAddress) {
				t.Errorf("errors.Is(%v, ErrRefusedAddress) = false", tt.err)
			}
			if got, want := Reason(tt.err), ReasonRefusedAddress; got != want {
				t.Errorf("Reason = %q, want %q", got, want)
			}
		})
	}
	if err := checkAddress(netip.MustParseAddrPort("8.8.8.8:443")); err != nil {
		t.Errorf("8.8.8.8:443: %v, want allowed", err)
	}
}
