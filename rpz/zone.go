// Package rpz serves the blocking list as a DNS Response Policy Zone (draft-vixie-dnsop-dns-rpz)
// that the ISPs' own resolvers (BIND, Unbound, PowerDNS Recursor, or a secondary in front of
// Knot Resolver) pull as secondaries: a primary answering AXFR and IXFR over TCP, with TSIG
// per ISP, transfer ACLs by address, and NOTIFY on every published version.
//
// A listed name is a QNAME trigger answered with local data, the A and AAAA records of the stop
// page of its offence category: RESOLVERS.md (in the project's shared notes) explains why not
// a CNAME. A name listed with its subtree gets a second trigger, "*.name".
package rpz

import (
	"cmp"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
	"github.com/takedown-project/takedown/safety"
)

// Entry is one listed host name.
type Entry struct {
	// Name is a host name in lower-case letters, digits and hyphens (an IDN in its xn--
	// A-label form), without a final dot.
	Name string
	// Subtree lists every name under Name too.
	Subtree bool
	// Category is the offence category, which chooses the stop page.
	Category string
}

// Redirect is where a listed name is sent: the addresses of a stop page.
type Redirect struct {
	A    netip.Addr // an IPv4 address
	AAAA netip.Addr // an IPv6 address
}

// Config describes the zone.
type Config struct {
	// Origin is the zone's name, such as "blocklist.rpz.takedown.example.".
	Origin string
	// Nameserver is the primary's name (the SOA's MNAME and the NS record).
	Nameserver string
	// Contact is the responsible mailbox as a domain name (SOA RNAME), such as
	// "hostmaster.takedown.example.".
	Contact string
	// TTL of the policy records: short, so that a lifting reaches users quickly.
	TTL uint32
	// Refresh, Retry, Expire and Minimum are the SOA timers. Expire must be long: a
	// secondary that cannot reach the primary for that long drops the zone, and with it
	// every block.
	Refresh, Retry, Expire, Minimum uint32
	// StopPages are the stop pages by offence category; the one of category "" is used for
	// any other.
	StopPages map[string]Redirect
}

// DefaultConfig returns a configuration with the timers the package recommends: records of
// 60 s, a refresh every 5 minutes (NOTIFY makes it faster), and an expiry of 30 days.
func DefaultConfig(origin, nameserver, contact string, stop Redirect) Config {
	return Config{Origin: origin, Nameserver: nameserver, Contact: contact, TTL: 60,
		Refresh: 300, Retry: 60, Expire: 30 * 24 * 3600, Minimum: 60,
		StopPages: map[string]Redirect{"": stop}}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	for _, f := range []struct{ field, name string }{{"origin", c.Origin}, {"nameserver", c.Nameserver}, {"contact", c.Contact}} {
		if _, ok := dns.IsDomainName(f.name); !ok || !dns.IsFqdn(f.name) {
			return takedown.Invalid(f.field, "%q is not a fully qualified domain name (it ends with a dot)", f.name)
		}
	}
	switch {
	case c.TTL == 0 || c.TTL > 86400:
		return takedown.Invalid("ttl", "must be between 1 s and a day")
	case c.Refresh == 0 || c.Retry == 0 || c.Minimum == 0:
		return takedown.Invalid("soa", "the refresh, retry and minimum timers must not be zero")
	case c.Expire < 7*24*3600:
		return takedown.Invalid("expire", "is %d s: under a week, an outage of the primary would silently lift every block at the ISPs", c.Expire)
	}
	if _, ok := c.StopPages[""]; !ok {
		return takedown.Invalid("stop_pages", "need a default stop page (category \"\")")
	}
	for category, r := range c.StopPages {
		if !r.A.Is4() || !r.AAAA.Is6() || r.AAAA.Is4In6() {
			return takedown.Invalid("stop_pages", "the stop page of %q needs an IPv4 and an IPv6 address: with A alone, AAAA queries get an empty answer", category)
		}
	}
	return nil
}

// redirect returns the stop page of a category.
func (c *Config) redirect(category string) Redirect {
	if r, ok := c.StopPages[category]; ok {
		return r
	}
	return c.StopPages[""]
}

// Zone is one published version of the zone: immutable, its entries sorted by name.
type Zone struct {
	cfg      *Config
	serial   uint32
	entries  []Entry
	rejected []rejection // the entries left out, and why
	// history is, for a zone Load made, the differences of the versions before it that the
	// store holds, for the primary's journal.
	history []change
}

// rejection is an entry the zone left out, and why. It stays on the list: each later version
// leaves it out again, and says so, until a version removes it.
type rejection struct {
	entry Entry
	err   error
}

// Build makes the zone of a version from its entries, which it sorts. An entry the zone
// cannot carry (a name not in canonical form, listed twice, or too long with the zone's
// origin) is left out, and Rejected says why: one bad entry must not hold back the rest of the
// list. The error is about the configuration. The serial must grow with every version.
func Build(cfg *Config, serial uint32, entries []Entry) (*Zone, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b Entry) int { return cmp.Compare(a.Name, b.Name) })
	z := &Zone{cfg: cfg, serial: serial, entries: make([]Entry, 0, len(sorted))}
	for i, e := range sorted {
		err := cfg.carries(e.Name)
		if err == nil && i > 0 && sorted[i-1].Name == e.Name {
			err = takedown.Invalid("name", "%s is listed twice", e.Name)
		}
		if err != nil {
			z.rejected = append(z.rejected, rejection{e, err})
			continue
		}
		z.entries = append(z.entries, e)
	}
	return z, nil
}

// carries returns why the zone cannot list a name, or nil if it can.
func (cfg *Config) carries(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if n := len(name) + 3 + len(cfg.Origin); n > 254 { // the longest owner is "*." + name + "." + origin
		return takedown.Invalid("name", "%s is too long to list in the zone %s (%d bytes with it, at most 254)", name, cfg.Origin, n)
	}
	return nil
}

// Rejected returns why each entry left out of the zone was.
func (z *Zone) Rejected() []error {
	errs := make([]error, len(z.rejected))
	for i, r := range z.rejected {
		errs[i] = r.err
	}
	return errs
}

// CheckName checks that a name is one the zone can list: a host name in the canonical form of
// canon.Host (lower case, an IDN in its xn-- A-label form, no final dot, not an IP address),
// which is the form casework gives a blocking measure's targets.
func CheckName(name string) error {
	h, err := canon.Host(name)
	if err != nil {
		return takedown.Invalid("name", "%v", err)
	}
	if h != name {
		return takedown.Invalid("name", "%q is not in canonical form, which is %s", name, h)
	}
	return nil
}

// Lookup returns the entry that blocks a host name: the name's own, or that of a parent
// listed with its subtree.
func (z *Zone) Lookup(host string) (Entry, bool) {
	for name := host; name != ""; {
		i, found := slices.BinarySearchFunc(z.entries, name, func(e Entry, n string) int { return cmp.Compare(e.Name, n) })
		if found && (name == host || z.entries[i].Subtree) {
			return z.entries[i], true
		}
		_, name, _ = strings.Cut(name, ".")
	}
	return Entry{}, false
}

// Serial returns the version's SOA serial.
func (z *Zone) Serial() uint32 { return z.serial }

// Len returns the number of listed names.
func (z *Zone) Len() int { return len(z.entries) }

// Canary returns the version as a canary checks it: a name it lists, one new in it if fresh
// (as OnPublish gives them) has any, and every stop page's addresses.
func (z *Zone) Canary(fresh []Entry) safety.Version {
	v := safety.Version{Serial: z.serial}
	for _, r := range z.cfg.StopPages {
		v.Redirects = append(v.Redirects, r.A, r.AAAA)
	}
	slices.SortFunc(v.Redirects, netip.Addr.Compare)
	v.Redirects = slices.Compact(v.Redirects)
	listed := fresh
	v.New = len(fresh) > 0
	if !v.New {
		listed = z.entries
	}
	if len(listed) > 0 {
		v.Listed, v.Stop = listed[0].Name, z.cfg.redirect(listed[0].Category).A
	}
	return v
}

// SOA returns the zone's SOA record.
func (z *Zone) SOA() *dns.SOA {
	c := z.cfg
	return &dns.SOA{Hdr: dns.RR_Header{Name: c.Origin, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: c.Minimum},
		Ns: c.Nameserver, Mbox: c.Contact, Serial: z.serial, Refresh: c.Refresh, Retry: c.Retry, Expire: c.Expire, Minttl: c.Minimum}
}

// ns returns the zone's NS record, which every zone needs.
func (z *Zone) ns() *dns.NS {
	return &dns.NS{Hdr: dns.RR_Header{Name: z.cfg.Origin, Rrtype: dns.TypeNS, Class: dns.ClassINET, Ttl: z.cfg.Minimum}, Ns: z.cfg.Nameserver}
}

// size is the number of records an entry has in the zone: A and AAAA, and the same for its
// subtree.
func (e Entry) size() int {
	if e.Subtree {
		return 4
	}
	return 2
}

// records returns the policy records of an entry: A and AAAA local data for its name, and for
// its subtree.
func (z *Zone) records(e Entry) []dns.RR {
	r := z.cfg.redirect(e.Category)
	owner := e.Name + "." + z.cfg.Origin
	rrs := make([]dns.RR, 0, 4)
	for _, o := range []string{owner, "*." + owner} {
		rrs = append(rrs,
			&dns.A{Hdr: dns.RR_Header{Name: o, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: z.cfg.TTL}, A: r.A.AsSlice()},
			&dns.AAAA{Hdr: dns.RR_Header{Name: o, Rrtype: dns.TypeAAAA, Class: dns.ClassINET, Ttl: z.cfg.TTL}, AAAA: r.AAAA.AsSlice()})
		if !e.Subtree {
			break
		}
	}
	return rrs
}

// Records returns every record of the zone but the SOA, in order: the NS, then each entry's,
// made as they are read.
func (z *Zone) Records() iter.Seq[dns.RR] {
	return func(yield func(dns.RR) bool) {
		if !yield(z.ns()) {
			return
		}
		for _, e := range z.entries {
			for _, rr := range z.records(e) {
				if !yield(rr) {
					return
				}
			}
		}
	}
}

// diff returns what changed from the entries of old to those of z: the entries removed and
// those added. An entry whose subtree or category changed is both.
func diff(old, z *Zone) (removed, added []Entry) {
	i, j := 0, 0
	for i < len(old.entries) || j < len(z.entries) {
		switch {
		case j == len(z.entries) || i < len(old.entries) && old.entries[i].Name < z.entries[j].Name:
			removed = append(removed, old.entries[i])
			i++
		case i == len(old.entries) || z.entries[j].Name < old.entries[i].Name:
			added = append(added, z.entries[j])
			j++
		default:
			if old.entries[i] != z.entries[j] {
				removed, added = append(removed, old.entries[i]), append(added, z.entries[j])
			}
			i, j = i+1, j+1
		}
	}
	return removed, added
}

// String describes the zone for logs.
func (z *Zone) String() string {
	return fmt.Sprintf("%s serial %d (%d names)", z.cfg.Origin, z.serial, len(z.entries))
}
