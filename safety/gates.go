// Package safety holds the gates a blocking list passes before a version is published, so
// that the incidents of the past (google.fr, Wikipedia and ovh.com sent to the stop page in
// 2016; the whole of t.me listed for half a day in 2023) cannot happen again quietly:
//
//   - the never-block list: major services, public bodies and infrastructure, whose names
//     only two supervisors together can list;
//   - shared hosts: a public suffix (from the public suffix list), a platform in the operator
//     registry, or a configured link shortener or blog host, whose names belong to
//     many unrelated users: the measure must name the offending host, or two supervisors
//     override;
//   - the size of a version: one that adds or removes too many entries at once waits for a
//     second supervisor's approval;
//   - after a version is published, the canary: a real resolver that is a secondary of the
//     zone must redirect a name the version lists and must not redirect the names it is told
//     never to see blocked; a failure is an error in the log and in the metrics.
//
// The gates only judge; package casework applies them, records each objection and override in
// the log, and refuses or holds what they object to.
package safety

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/canon"
)

// Config is the gates' configuration.
type Config struct {
	// NeverBlock are names that are never listed without two supervisors' override, nor any
	// name under them, nor a subtree holding them.
	NeverBlock []Name `json:"never_block"`
	// SharedHosts are names whose names and paths belong to many unrelated users, beyond the
	// public suffix list and the operator registry.
	SharedHosts []Name `json:"shared_hosts"`
	// A version that adds or removes more than MaxChanges entries, or more than ShareFloor
	// entries and more than MaxShare of the list's entries, waits for a second approval.
	MaxChanges int     `json:"max_changes"`
	MaxShare   float64 `json:"max_share"`
	ShareFloor int     `json:"share_floor"`
}

// Name is a protected name and why it is protected.
type Name struct {
	Name string `json:"name"`
	Why  string `json:"why"`
}

// Limits on the configuration.
const (
	maxConfigFile = 4 << 20
	maxNames      = 100_000
)

//go:embed default.json
var defaultConfig []byte

// Default returns the configuration that ships with takedown: major services, public bodies,
// infrastructure, link shorteners and shared hosts; at most 100 changes, or a fifth of a list
// of more than 10 changes, at once.
func Default() *Config {
	c, err := Parse(defaultConfig)
	if err != nil {
		panic("safety: the default configuration is invalid: " + err.Error())
	}
	return c
}

// Load reads a configuration file (JSON, in the form of Default's, which docs/blocking.md
// describes).
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, takedown.Invalid("safety", "%v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, takedown.Invalid("safety", "%v", err)
	}
	if len(b) > maxConfigFile {
		return nil, takedown.Invalid("safety", "%s is larger than %d bytes", path, maxConfigFile)
	}
	return Parse(b)
}

// Parse parses a configuration strictly: an unknown field, a name that is not a canonical
// host name, a protected name without its reason, or a limit out of range is an error.
func Parse(b []byte) (*Config, error) {
	var c Config
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return nil, takedown.Invalid("safety", "is not the safety gates' configuration: %v", err)
	}
	if d.More() {
		return nil, takedown.Invalid("safety", "has more than one JSON value")
	}
	if len(c.NeverBlock)+len(c.SharedHosts) > maxNames {
		return nil, takedown.Invalid("safety", "has more than %d names", maxNames)
	}
	for field, names := range map[string][]Name{"never_block": c.NeverBlock, "shared_hosts": c.SharedHosts} {
		for i, n := range names {
			f := takedown.IndexField(field, i)
			if h, err := canon.Host(n.Name); err != nil || h != n.Name {
				return nil, takedown.Invalid(f, "%q is not a host name in canonical form (lower case, A-labels, no final dot)", n.Name)
			}
			if strings.TrimSpace(n.Why) == "" {
				return nil, takedown.Invalid(f, "%s needs its reason (why), which the officers will read", n.Name)
			}
		}
	}
	switch {
	case c.MaxChanges < 1:
		return nil, takedown.Invalid("max_changes", "must be at least 1")
	case c.MaxShare <= 0 || c.MaxShare > 1:
		return nil, takedown.Invalid("max_share", "must be a share of the list, above 0 and at most 1")
	case c.ShareFloor < 0:
		return nil, takedown.Invalid("share_floor", "must not be negative")
	}
	return &c, nil
}

// Names returns the objections to listing the target host names, with their subtrees when
// subtree is set. Platforms are the domains of the platforms in the operator registry, with
// the operator's name.
func (c *Config) Names(targets []string, subtree bool, platforms map[string]string) []takedown.Objection {
	var out []takedown.Objection
	for _, t := range targets {
		for _, n := range c.NeverBlock {
			if why := covers(t, subtree, n.Name); why != "" {
				out = append(out, takedown.Objection{Gate: takedown.GateNeverBlock, Target: t,
					Reason: fmt.Sprintf("%s %s %s, on the never-block list: %s", t, why, n.Name, n.Why)})
				break
			}
		}
		if o, ok := c.shared(t, subtree, platforms); ok {
			out = append(out, o)
		}
	}
	return out
}

// shared returns the objection to listing a shared host, if t is one or, with its subtree,
// holds one.
func (c *Config) shared(t string, subtree bool, platforms map[string]string) (takedown.Objection, bool) {
	o := takedown.Objection{Gate: takedown.GateSharedHost, Target: t}
	if suffix, icann := publicsuffix.PublicSuffix(t); suffix == t {
		kind := "a public suffix (a domain under which unrelated people register or publish their own names)"
		if icann {
			kind = "a public suffix (a top-level or registry domain)"
		}
		o.Reason = fmt.Sprintf("%s is %s: list the offending host name under it instead", t, kind)
		return o, true
	}
	for _, n := range c.SharedHosts {
		if t == n.Name || subtree && under(n.Name, t) {
			o.Reason = fmt.Sprintf("%s is a shared host: %s. DNS cannot block one user's page on it: list the offending host name under it, or ask the host for removal", n.Name, n.Why)
			return o, true
		}
	}
	for domain, operator := range platforms {
		if t == domain || subtree && under(domain, t) {
			o.Reason = fmt.Sprintf("%s is a domain of %s, a platform in the operator registry, where many unrelated users publish: list the offending host name under it, or send a removal request or order to %s", domain, operator, operator)
			return o, true
		}
	}
	return o, false
}

// covers says how listing t (with its subtree) would block the protected name p: "" if not.
func covers(t string, subtree bool, p string) string {
	switch {
	case t == p:
		return "is"
	case under(t, p):
		return "is under"
	case subtree && under(p, t):
		return "with its subtree would block"
	}
	return ""
}

// under reports whether name is a proper subdomain of parent.
func under(name, parent string) bool { return strings.HasSuffix(name, "."+parent) }

// Size returns the objection to a version that adds or removes changes entries of a list that
// had size entries, if it is too large; nil if not.
func (c *Config) Size(changes, size int) *takedown.Objection {
	share := float64(changes) / float64(max(size, 1))
	if changes <= c.MaxChanges && (changes <= c.ShareFloor || share <= c.MaxShare) {
		return nil
	}
	return &takedown.Objection{Gate: takedown.GateDiffSize, Reason: fmt.Sprintf(
		"the version changes %d entries of a list of %d (at most %d at once, or %.0f%% of the list beyond %d, without a second approval)",
		changes, size, c.MaxChanges, c.MaxShare*100, c.ShareFloor)}
}
