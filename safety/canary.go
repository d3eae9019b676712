package safety

// The canary knows nothing of how the list is published: it is given each version as plain
// values (its serial, a name it lists, the stop pages' addresses).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
)

// Canary limits.
const (
	// DefaultCanaryTimeout is how long a resolver is given to load a version: NOTIFY and IXFR
	// bring it to Unbound in a fraction of a second, to BIND in a second or so.
	DefaultCanaryTimeout = 30 * time.Second
	// MaxCanaryTimeout bounds the timeout: a check runs until the version is loaded or the
	// timeout, and a later version supersedes it.
	MaxCanaryTimeout = 10 * time.Minute
	// MaxMustNotBlock bounds the names checked with every version (two queries each).
	MaxMustNotBlock = 100
)

// The checks of a canary, as Failure.Check and the label of takedown_canary_failures_total
// name them.
const (
	CheckListed       = "listed"         // a listed name is answered with its stop page
	CheckMustNotBlock = "must_not_block" // a name that must never be blocked is not
)

// CanaryConfig is what a canary checks with.
type CanaryConfig struct {
	// Resolver is the address of a resolver that is a secondary of the blocking zone, such
	// as an Unbound the authority runs as an ISP would.
	Resolver netip.AddrPort
	// MustNotBlock are host names that no version may block, such as a large encyclopedia:
	// listing one by mistake would cut off a site used by everyone.
	MustNotBlock []string
	// Timeout is how long the resolver is given to load a version (DefaultCanaryTimeout if
	// zero).
	Timeout time.Duration
}

// Validate checks the configuration, setting the default timeout.
func (c *CanaryConfig) Validate() error {
	switch {
	case !c.Resolver.IsValid() || c.Resolver.Port() == 0 || c.Resolver.Addr().IsUnspecified():
		return takedown.Invalid("canary.resolver", "is required: the address and port of a resolver that is a secondary of the zone, such as 127.0.0.1:53")
	case len(c.MustNotBlock) > MaxMustNotBlock:
		return takedown.Invalid("canary.must_not_block", "has %d names, more than %d", len(c.MustNotBlock), MaxMustNotBlock)
	case c.Timeout < 0 || c.Timeout > MaxCanaryTimeout:
		return takedown.Invalid("canary.timeout", "must be between 1s and %s", MaxCanaryTimeout)
	case c.Timeout == 0:
		c.Timeout = DefaultCanaryTimeout
	case c.Timeout < time.Second:
		return takedown.Invalid("canary.timeout", "must be between 1s and %s", MaxCanaryTimeout)
	}
	return nil
}

// Version is a published version of the blocking list, as the canary checks it.
type Version struct {
	// Serial is the version's number, the zone's SOA serial.
	Serial uint32
	// Listed is a host name the version blocks, or "" if it blocks none.
	Listed string
	// Stop is the IPv4 address of Listed's stop page, which the resolver must answer.
	Stop netip.Addr
	// New says that the version before did not block Listed: once the resolver answers
	// Listed with its stop page it has loaded this version, and a must-not-block name it then
	// answers with a stop page is blocked by this version. Otherwise the resolver may still
	// hold the one before, and such a name is asked again until the timeout.
	New bool
	// Redirects are the addresses of every stop page, IPv4 and IPv6: an answer with one of
	// them is a block.
	Redirects []netip.Addr
}

// Status is the result of the latest check that ran to its end: the zero Status before the
// first.
type Status struct {
	Serial   uint32    `json:"serial"`
	Time     time.Time `json:"time"` // when the check ended
	OK       bool      `json:"ok"`
	Failures []Failure `json:"failures,omitempty"`
}

// Failure is a check that failed, with what the resolver answered.
type Failure struct {
	Check  string `json:"check"`  // CheckListed or CheckMustNotBlock
	Name   string `json:"name"`   // the name asked
	Answer string `json:"answer"` // the addresses answered, an rcode, or why there was no answer
	Reason string `json:"reason"`
}

// retryInterval is the pause between two questions of a check that waits for the resolver.
const retryInterval = 50 * time.Millisecond

// Canary checks, through a resolver that is a secondary of the blocking zone, that each
// version blocks a name it lists and none of the names that must never be blocked. A failure
// is logged as an error, counted in takedown_canary_failures_total{check}, and shown by
// Status.
type Canary struct {
	cfg     CanaryConfig
	clock   takedown.Clock
	log     *slog.Logger
	metrics canaryMetrics

	mu      sync.Mutex
	status  Status
	running uint64             // the number of the latest check started
	cancel  context.CancelFunc // that check's
}

// canaryMetrics are the canary's Prometheus metrics.
type canaryMetrics struct {
	failures *prometheus.CounterVec
	ok       prometheus.Gauge
	lastRun  prometheus.Gauge
	serial   prometheus.Gauge
}

// NewCanary returns a canary, its metrics registered on reg.
func NewCanary(cfg CanaryConfig, clock takedown.Clock, log *slog.Logger, reg prometheus.Registerer) (*Canary, error) {
	cfg.MustNotBlock = slices.Clone(cfg.MustNotBlock)
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := canaryMetrics{
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_canary_failures_total",
			Help: "Canary checks failed, by check: listed (a listed name not blocked by the resolver), must_not_block (a name that must never be blocked, blocked)."}, []string{"check"}),
		ok: prometheus.NewGauge(prometheus.GaugeOpts{Name: "takedown_canary_ok",
			Help: "1 if the canary's latest check passed, 0 if it failed or none has ended yet."}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Name: "takedown_canary_last_run_timestamp_seconds",
			Help: "When the canary's latest check ended, in seconds since the epoch."}),
		serial: prometheus.NewGauge(prometheus.GaugeOpts{Name: "takedown_canary_serial",
			Help: "The serial of the version the canary's latest check was about."}),
	}
	reg.MustRegister(m.failures, m.ok, m.lastRun, m.serial)
	m.failures.WithLabelValues(CheckListed)
	m.failures.WithLabelValues(CheckMustNotBlock)
	return &Canary{cfg: cfg, clock: clock, log: log, metrics: m}, nil
}

// Check checks a version in the background, until ctx is done, and returns at once: the
// publication of a version does not wait for its check. A check still running is superseded,
// and its result dropped: only the latest version matters.
func (c *Canary) Check(ctx context.Context, v Version) {
	ctx, cancel := context.WithCancel(ctx)
	c.mu.Lock()
	if c.cancel != nil {
		c.cancel()
	}
	c.running++
	n := c.running
	c.cancel = cancel
	c.mu.Unlock()
	go func() {
		defer cancel()
		failures := c.run(ctx, v)
		if ctx.Err() != nil {
			return // superseded, or stopped
		}
		c.done(n, v, failures)
	}()
}

// Status returns the result of the latest check that ran to its end.
func (c *Canary) Status() Status {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.status
	s.Failures = slices.Clone(s.Failures)
	return s
}

// done records the result of check n, unless a later one has started meanwhile.
func (c *Canary) done(n uint64, v Version, failures []Failure) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n != c.running {
		return
	}
	now := c.clock.Now()
	c.status = Status{Serial: v.Serial, Time: now, OK: len(failures) == 0, Failures: failures}
	c.metrics.serial.Set(float64(v.Serial))
	c.metrics.lastRun.Set(float64(now.UnixNano()) / 1e9)
	if len(failures) == 0 {
		c.metrics.ok.Set(1)
		c.log.Info("safety: canary passed", "serial", v.Serial, "resolver", c.cfg.Resolver.String(), "must_not_block", len(c.cfg.MustNotBlock))
		return
	}
	c.metrics.ok.Set(0)
	for _, f := range failures {
		c.metrics.failures.WithLabelValues(f.Check).Inc()
		c.log.Error("safety: canary failed: "+f.Reason, "check", f.Check, "name", f.Name, "serial", v.Serial, "answer", f.Answer, "resolver", c.cfg.Resolver.String())
	}
}

// run checks a version: first that the resolver answers the listed name with its stop page,
// asking again until it has loaded the version or the timeout, then that it answers no
// must-not-block name with a stop page. It returns the checks that failed.
func (c *Canary) run(ctx context.Context, v Version) []Failure {
	deadline := time.Now().Add(c.cfg.Timeout)
	var failures []Failure
	loaded := false
	if v.Listed != "" {
		var answer string
		loaded = await(ctx, deadline, func() bool {
			var addrs []netip.Addr
			addrs, answer = c.ask(ctx, v.Listed, dns.TypeA)
			return slices.Contains(addrs, v.Stop)
		})
		if !loaded {
			failures = append(failures, Failure{Check: CheckListed, Name: v.Listed, Answer: answer,
				Reason: fmt.Sprintf("a listed name is not answered with its stop page %s within %s", v.Stop, c.cfg.Timeout)})
		}
		loaded = loaded && v.New
	}
	pending := map[string]string{} // the must-not-block names not yet cleared, with their answer
	for _, name := range c.cfg.MustNotBlock {
		pending[name] = ""
	}
	await(ctx, deadline, func() bool {
		for name := range pending {
			if cleared, answer := c.notBlocked(ctx, name, v.Redirects); cleared {
				delete(pending, name)
			} else {
				pending[name] = answer
			}
		}
		return len(pending) == 0 || loaded
	})
	for _, name := range c.cfg.MustNotBlock {
		answer, failed := pending[name]
		switch {
		case !failed:
		case strings.HasPrefix(answer, "error: "):
			failures = append(failures, Failure{Check: CheckMustNotBlock, Name: name, Answer: answer,
				Reason: "the resolver did not answer a must-not-block name"})
		default:
			failures = append(failures, Failure{Check: CheckMustNotBlock, Name: name, Answer: answer,
				Reason: "a name that must never be blocked is answered with a stop page"})
		}
	}
	return failures
}

// await calls done until it returns true, pausing between calls, until the deadline or ctx
// is done, and returns whether done did. It calls done at least once, so that a check that
// comes after a timeout still asks once.
func await(ctx context.Context, deadline time.Time, done func() bool) bool {
	for {
		if done() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(retryInterval):
		}
	}
}

// notBlocked asks for a name's A and AAAA records, and says whether neither is answered with
// a stop page's address, with the answer otherwise.
func (c *Canary) notBlocked(ctx context.Context, name string, redirects []netip.Addr) (bool, string) {
	var answers []string
	blocked, unanswered := false, false
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		addrs, text := c.ask(ctx, name, qtype)
		answers = append(answers, dns.TypeToString[qtype]+": "+text)
		unanswered = unanswered || strings.HasPrefix(text, "error: ")
		for _, a := range addrs {
			blocked = blocked || slices.Contains(redirects, a)
		}
	}
	answer := strings.Join(answers, "; ")
	if !blocked && unanswered {
		answer = "error: " + answer
	}
	return !blocked && !unanswered, answer
}

// queryTimeout bounds one question to the resolver.
const queryTimeout = 2 * time.Second

// ask asks the resolver for a name's records of a type (with recursion, as a user's device
// would), and returns the addresses answered, with the answer as text: the addresses, the
// rcode if it is not NOERROR, or "error: " and why nothing was answered.
func (c *Canary) ask(ctx context.Context, name string, qtype uint16) ([]netip.Addr, string) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	cl := &dns.Client{Net: "udp", Timeout: queryTimeout}
	resp, _, err := cl.ExchangeContext(ctx, m, c.cfg.Resolver.String())
	if err != nil {
		return nil, "error: " + queryError(err)
	}
	if resp.Rcode != dns.RcodeSuccess {
		return nil, dns.RcodeToString[resp.Rcode]
	}
	var addrs []netip.Addr
	var text []string
	for _, rr := range resp.Answer {
		var a netip.Addr
		var ok bool
		switch rr := rr.(type) {
		case *dns.A:
			a, ok = netip.AddrFromSlice(rr.A.To4())
		case *dns.AAAA:
			a, ok = netip.AddrFromSlice(rr.AAAA)
		}
		if !ok {
			continue
		}
		addrs = append(addrs, a)
		text = append(text, a.String())
	}
	if len(text) == 0 {
		return nil, "no address"
	}
	return addrs, strings.Join(text, " ")
}

// queryError says why a question got no answer, without the ephemeral port that the error's
// text holds, so that the same cause reads the same each time.
func queryError(err error) string {
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "no answer in time"
	case errors.As(err, &op) && op.Err != nil:
		return op.Err.Error()
	default:
		return err.Error()
	}
}
