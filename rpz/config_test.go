package rpz_test

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/rpz"
	"github.com/takedown-project/takedown/safety"
)

const goodConfig = `{
  "zone": "blocklist.rpz.authority.example",
  "nameserver": "ns1.authority.example.",
  "contact": "hostmaster.authority.example.",
  "stop_pages": {
    "": {"a": "203.0.113.80", "aaaa": "2001:db8::80"},
    "csam": {"a": "203.0.113.81", "aaaa": "2001:db8::81"}
  },
  "isps": [
    {"name": "ISP One", "transfer": ["198.51.100.0/28", "2001:db8:1::53"], "notify": ["198.51.100.5:53"],
     "tsig_key": "isp-one.xfr", "tsig_secret": "` + secret + `"},
    {"name": "ISP Two", "transfer": ["192.0.2.53"]}
  ]
}`

// TestParseConfig: the configuration file gives the zone, its stop pages, and each ISP's
// addresses, NOTIFY targets and TSIG key, names made fully qualified.
func TestParseConfig(t *testing.T) {
	cfg, clients, canary, err := rpz.ParseConfig([]byte(goodConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Origin != "blocklist.rpz.authority.example." || cfg.Expire != 30*24*3600 || len(cfg.StopPages) != 2 {
		t.Errorf("config %+v", cfg)
	}
	if canary != nil {
		t.Errorf("a file without a canary section gives the canary %+v", canary)
	}
	if _, mapped, _, err := rpz.ParseConfig([]byte(strings.Replace(goodConfig, `"192.0.2.53"`, `"::ffff:192.0.2.0/120"`, 1))); err != nil || mapped[1].Prefixes[0].String() != "192.0.2.0/24" {
		t.Errorf("an IPv4-mapped prefix: %v, %v; want 192.0.2.0/24, as the addresses it is matched with", mapped, err)
	}
	if len(clients) != 2 || clients[0].Key != "isp-one.xfr." || len(clients[0].Prefixes) != 2 || clients[0].Prefixes[1].Bits() != 128 ||
		len(clients[0].Notify) != 1 || clients[1].Key != "" || clients[1].Prefixes[0].String() != "192.0.2.53/32" {
		t.Errorf("clients %+v", clients)
	}
	if _, err := rpz.NewPrimary(build(t, 1), clients, nil); err != nil {
		t.Errorf("a primary for the clients: %v", err)
	}
}

// TestParseConfigRefusals: whatever is wrong is named.
func TestParseConfigRefusals(t *testing.T) {
	replace := func(old, new string) string { return strings.Replace(goodConfig, old, new, 1) }
	for _, tc := range []struct{ name, config, reason string }{
		{"unknown field", replace(`"zone":`, `"zones": "x", "zone":`), "unknown field"},
		{"no default stop page", replace(`"": {"a"`, `"other": {"a"`), "default stop page"},
		{"an IPv4-only stop page", replace(`, "aaaa": "2001:db8::80"`, ``), "IPv6 address"},
		{"a bad prefix", replace(`"198.51.100.0/28"`, `"198.51.100.0/33"`), "is not an address or a prefix"},
		{"a bad notify", replace(`"198.51.100.5:53"`, `"198.51.100.5"`), "is not an address and port"},
		{"a short secret", replace(secret, "c2hvcnQ="), "32 random bytes"},
		{"a key without secret", replace(`, "tsig_secret": "`+secret+`"`, ``), "go together"},
		{"no ISP", goodConfig[:strings.Index(goodConfig, `"isps": [`)] + `"isps": []}`, "no ISP"},
		{"a short expiry", replace(`"zone":`, `"expire": 3600, "zone":`), "expire"},
		{"not JSON", "zone = x", "is not the zone's configuration"},
		{"a notify without port", replace(`"198.51.100.5:53"`, `"198.51.100.5:0"`), "is not an address and port"},
	} {
		if _, _, _, err := rpz.ParseConfig([]byte(tc.config)); takedown.ErrorCode(err) != takedown.EINVALID || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: ParseConfig = %v, want a refusal saying %q", tc.name, err, tc.reason)
		}
	}
}

// withCanary is the good configuration with a canary section.
func withCanary(section string) string {
	return strings.Replace(goodConfig, `"zone":`, `"canary": `+section+`, "zone":`, 1)
}

// TestParseConfigCanary: the canary section gives the resolver, the names that must never be
// blocked and the timeout, 30 s by default.
func TestParseConfigCanary(t *testing.T) {
	for _, tc := range []struct {
		name, section string
		want          safety.CanaryConfig
	}{
		{"full", `{"resolver": "127.0.0.1:5353", "must_not_block": ["wikipedia.example", "xn--bcher-kva.example"], "timeout": "5s"}`,
			safety.CanaryConfig{Resolver: netip.MustParseAddrPort("127.0.0.1:5353"), MustNotBlock: []string{"wikipedia.example", "xn--bcher-kva.example"}, Timeout: 5 * time.Second}},
		{"defaults", `{"resolver": "[2001:db8::53]:53"}`,
			safety.CanaryConfig{Resolver: netip.MustParseAddrPort("[2001:db8::53]:53"), Timeout: safety.DefaultCanaryTimeout}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, got, err := rpz.ParseConfig([]byte(withCanary(tc.section)))
			if err != nil {
				t.Fatal(err)
			}
			if got.Resolver != tc.want.Resolver || !slices.Equal(got.MustNotBlock, tc.want.MustNotBlock) || got.Timeout != tc.want.Timeout {
				t.Errorf("canary %+v, want %+v", *got, tc.want)
			}
		})
	}
}

// TestParseConfigCanaryRefusals: whatever is wrong in the canary section is named.
func TestParseConfigCanaryRefusals(t *testing.T) {
	many := make([]string, safety.MaxMustNotBlock+1)
	for i := range many {
		many[i] = fmt.Sprintf(`"n%d.example"`, i)
	}
	for _, tc := range []struct{ name, section, reason string }{
		{"no resolver", `{"must_not_block": ["wikipedia.example"]}`, "canary.resolver"},
		{"a resolver without port", `{"resolver": "127.0.0.1"}`, "canary.resolver"},
		{"a resolver by name", `{"resolver": "resolver.example:53"}`, "canary.resolver"},
		{"an unspecified resolver", `{"resolver": "0.0.0.0:53"}`, "canary.resolver"},
		{"an unknown field", `{"resolver": "127.0.0.1:53", "names": []}`, "unknown field"},
		{"a name in capitals", `{"resolver": "127.0.0.1:53", "must_not_block": ["Wikipedia.example"]}`, "canary.must_not_block[0]"},
		{"a name with a final dot", `{"resolver": "127.0.0.1:53", "must_not_block": ["ok.example", "wikipedia.example."]}`, "canary.must_not_block[1]"},
		{"an address", `{"resolver": "127.0.0.1:53", "must_not_block": ["192.0.2.1"]}`, "canary.must_not_block[0]"},
		{"a name twice", `{"resolver": "127.0.0.1:53", "must_not_block": ["ok.example", "ok.example"]}`, "given twice"},
		{"too many names", `{"resolver": "127.0.0.1:53", "must_not_block": [` + strings.Join(many, ",") + `]}`, "more than"},
		{"not a duration", `{"resolver": "127.0.0.1:53", "timeout": "30"}`, "canary.timeout"},
		{"a negative timeout", `{"resolver": "127.0.0.1:53", "timeout": "-1s"}`, "canary.timeout"},
		{"a short timeout", `{"resolver": "127.0.0.1:53", "timeout": "10ms"}`, "canary.timeout"},
		{"a long timeout", `{"resolver": "127.0.0.1:53", "timeout": "1h"}`, "canary.timeout"},
	} {
		if _, _, _, err := rpz.ParseConfig([]byte(withCanary(tc.section))); takedown.ErrorCode(err) != takedown.EINVALID || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: ParseConfig = %v, want a refusal saying %q", tc.name, err, tc.reason)
		}
	}
}

// TestLoadConfigMode: the file holds secrets, so one readable by others is refused.
func TestLoadConfigMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dns.json")
	if err := os.WriteFile(path, []byte(goodConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := rpz.LoadConfig(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a file readable by others: %v", err)
	}
	os.Chmod(path, 0o600)
	if _, _, _, err := rpz.LoadConfig(path); err != nil {
		t.Error(err)
	}
}
