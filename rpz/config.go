package rpz

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/safety"
)

// maxConfigFile bounds the configuration file: a few hundred ISPs.
const maxConfigFile = 1 << 20

// configFile is the zone's configuration file (docs/blocking.md describes it).
type configFile struct {
	Zone       string              `json:"zone"`
	Nameserver string              `json:"nameserver"`
	Contact    string              `json:"contact"`
	StopPages  map[string]stopPage `json:"stop_pages"`
	TTL        uint32              `json:"ttl"`
	Refresh    uint32              `json:"refresh"`
	Retry      uint32              `json:"retry"`
	Expire     uint32              `json:"expire"`
	Minimum    uint32              `json:"minimum"`
	ISPs       []ispFile           `json:"isps"`
	Canary     *canaryFile         `json:"canary"`
}

type stopPage struct {
	A    string `json:"a"`
	AAAA string `json:"aaaa"`
}

type canaryFile struct {
	Resolver     string   `json:"resolver"`
	MustNotBlock []string `json:"must_not_block"`
	Timeout      string   `json:"timeout"`
}

type ispFile struct {
	Name       string   `json:"name"`
	OperatorID int64    `json:"operator_id"`
	Transfer   []string `json:"transfer"`
	Notify     []string `json:"notify"`
	TSIGKey    string   `json:"tsig_key"`
	TSIGSecret string   `json:"tsig_secret"`
}

// LoadConfig reads the zone's configuration file: the zone, its stop pages and timers, the
// ISPs whose resolvers may transfer it, and the canary that checks each version, nil if the
// file has none. The file holds the ISPs' TSIG secrets, so it must be readable by its owner
// only.
func LoadConfig(path string) (*Config, []Client, *safety.CanaryConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, takedown.Invalid("dns-config", "%v", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Mode().Perm()&0o077 != 0 {
		return nil, nil, nil, takedown.Invalid("dns-config", "%s is readable by others (mode %o): it holds the ISPs' TSIG secrets; run chmod 600 on it", path, info.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, nil, nil, takedown.Invalid("dns-config", "%v", err)
	}
	if len(b) > maxConfigFile {
		return nil, nil, nil, takedown.Invalid("dns-config", "%s is larger than %d bytes", path, maxConfigFile)
	}
	return ParseConfig(b)
}

// ParseConfig parses the zone's configuration, strictly: an unknown field is an error, as is
// any value the zone could not use.
func ParseConfig(b []byte) (*Config, []Client, *safety.CanaryConfig, error) {
	var cf configFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&cf); err != nil {
		return nil, nil, nil, takedown.Invalid("dns-config", "is not the zone's configuration: %v", err)
	}
	if d.More() {
		return nil, nil, nil, takedown.Invalid("dns-config", "has text after its JSON object")
	}
	c := DefaultConfig(fqdn(cf.Zone), fqdn(cf.Nameserver), fqdn(cf.Contact), Redirect{})
	c.StopPages = map[string]Redirect{}
	for category, sp := range cf.StopPages {
		a, errA := netip.ParseAddr(sp.A)
		aaaa, errAAAA := netip.ParseAddr(sp.AAAA)
		if err := errors.Join(errA, errAAAA); err != nil {
			return nil, nil, nil, takedown.Invalid(fmt.Sprintf("stop_pages[%q]", category), "needs the stop page's IPv4 address (a) and IPv6 address (aaaa): %v", err)
		}
		c.StopPages[category] = Redirect{A: a, AAAA: aaaa}
	}
	for _, t := range []struct {
		v   uint32
		dst *uint32
	}{{cf.TTL, &c.TTL}, {cf.Refresh, &c.Refresh}, {cf.Retry, &c.Retry}, {cf.Expire, &c.Expire}, {cf.Minimum, &c.Minimum}} {
		if t.v != 0 {
			*t.dst = t.v
		}
	}
	if err := c.Validate(); err != nil {
		return nil, nil, nil, err
	}
	var clients []Client
	for i, isp := range cf.ISPs {
		field := fmt.Sprintf("isps[%d]", i)
		cl := Client{Name: strings.TrimSpace(isp.Name), Key: fqdn(isp.TSIGKey), Secret: isp.TSIGSecret, OperatorID: isp.OperatorID}
		if isp.OperatorID < 0 {
			return nil, nil, nil, takedown.Invalid(field+".operator_id", "must be the id of the ISP in the operator registry")
		}
		if cl.Name == "" {
			return nil, nil, nil, takedown.Invalid(field+".name", "is required: the ISP's name, for logs and the deployment status")
		}
		for j, t := range isp.Transfer {
			p, err := parsePrefix(t)
			if err != nil {
				return nil, nil, nil, takedown.Invalid(fmt.Sprintf("%s.transfer[%d]", field, j), "%q is not an address or a prefix such as 198.51.100.0/28", t)
			}
			cl.Prefixes = append(cl.Prefixes, p)
		}
		if len(cl.Prefixes) == 0 {
			return nil, nil, nil, takedown.Invalid(field+".transfer", "is required: the addresses %s's resolvers transfer the zone from", cl.Name)
		}
		for j, n := range isp.Notify {
			ap, err := netip.ParseAddrPort(n)
			if err != nil || ap.Port() == 0 || ap.Addr().IsUnspecified() {
				return nil, nil, nil, takedown.Invalid(fmt.Sprintf("%s.notify[%d]", field, j), "%q is not an address and port such as 198.51.100.5:53", n)
			}
			cl.Notify = append(cl.Notify, ap)
		}
		switch raw, err := base64.StdEncoding.DecodeString(isp.TSIGSecret); {
		case isp.TSIGKey == "" && isp.TSIGSecret == "":
		case isp.TSIGKey == "" || isp.TSIGSecret == "":
			return nil, nil, nil, takedown.Invalid(field+".tsig_key", "and tsig_secret go together: the name of the ISP's hmac-sha256 key and its secret")
		case err != nil || len(raw) < 32:
			return nil, nil, nil, takedown.Invalid(field+".tsig_secret", "must be 32 random bytes or more, in base64 (such as tsig-keygen makes)")
		}
		clients = append(clients, cl)
	}
	if len(clients) == 0 {
		return nil, nil, nil, takedown.Invalid("isps", "lists no ISP: nobody could transfer the zone")
	}
	if cf.Canary == nil {
		return &c, clients, nil, nil
	}
	canary, err := cf.Canary.parse()
	if err != nil {
		return nil, nil, nil, err
	}
	return &c, clients, canary, nil
}

// parse checks the canary section: a resolver's address and port, host names the zone could
// list, and a duration.
func (cf *canaryFile) parse() (*safety.CanaryConfig, error) {
	var c safety.CanaryConfig
	var err error
	if c.Resolver, err = netip.ParseAddrPort(cf.Resolver); err != nil || c.Resolver.Port() == 0 || c.Resolver.Addr().IsUnspecified() {
		return nil, takedown.Invalid("canary.resolver", "%q is not an address and port such as 127.0.0.1:53", cf.Resolver)
	}
	seen := map[string]bool{}
	for i, name := range cf.MustNotBlock {
		field := fmt.Sprintf("canary.must_not_block[%d]", i)
		if err := CheckName(name); err != nil {
			return nil, takedown.Invalid(field, "%v", err)
		}
		if seen[name] {
			return nil, takedown.Invalid(field, "%s is given twice", name)
		}
		seen[name] = true
		c.MustNotBlock = append(c.MustNotBlock, name)
	}
	if cf.Timeout != "" {
		if c.Timeout, err = time.ParseDuration(cf.Timeout); err != nil || c.Timeout <= 0 {
			return nil, takedown.Invalid("canary.timeout", "%q is not a duration such as 30s", cf.Timeout)
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// fqdn adds the final dot a domain name in the file may omit.
func fqdn(name string) string {
	if name == "" {
		return ""
	}
	return dns.Fqdn(strings.ToLower(name))
}

// parsePrefix parses a prefix, or an address as the prefix of that one address.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err == nil && p.Addr().Is4In6() && p.Bits() >= 96 { // the addresses it is matched with are unmapped
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}
