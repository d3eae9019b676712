// Package fetch makes the requests takedown sends to addresses it is given by others: the
// compliance checks that fetch a reported URL after its removal deadline, the queries to a
// search engine's dereferencing API, and the webhooks posted to operators' endpoints. Such
// URLs come from reports and from operators' configuration, so a URL, or a redirect, could
// point at the authority's own network; the client NewClient returns cannot be turned
// against it (server-side request forgery).
//
// The guard is in the dialer: every connection is checked on the address it actually
// connects to, after DNS resolution, so a name that resolves to 10.0.0.5, a name whose
// answer changes between two lookups (DNS rebinding) and a redirect to 169.254.169.254 are
// all refused alike, with an error that names the address (RefusedError). Refused are
// loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10, where cloud
// metadata lives), unspecified, "this network" (0.0.0.0/8), CGNAT (100.64/10), multicast,
// broadcast and reserved (240/4), benchmarking (198.18/15), and the documentation ranges
// (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32), which are never routed on the
// Internet and so are refused too; IPv4-mapped IPv6 addresses are judged as the IPv4 address
// they map, NAT64 and 6to4 addresses on the IPv4 address they carry.
//
// The client keeps no cookies, sends an honest User-Agent that says who is checking, strips
// credentials (Authorization, Cookie, user:password@) from every redirect, follows at most
// Config.MaxRedirects redirects and only to http and https, verifies TLS certificates
// (a certificate error is an error, never skipped), and caps what it reads of a body.
//
// With a forward proxy (Config.Proxy), every connection goes to the proxy, which is trusted
// configuration and may be on a private address. The dialer then cannot see where the
// proxy connects, so the target's host name is resolved before each request (and each
// redirect) and refused if any of its addresses is refused. That check can be raced by DNS
// rebinding between takedown's lookup and the proxy's: the proxy must enforce the same
// egress policy itself.
//
// Check and SearchCheck judge what they see; docs/compliance-checks.md sets out the rules.
package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// Config says how outbound requests are made. Default returns the production values; start
// from it and change what differs.
type Config struct {
	// Timeout bounds the whole request, body included, so that a server that trickles bytes
	// cannot hold a worker.
	Timeout time.Duration
	// MaxBytes caps what is read of a body: enough for any page to be digested, not enough
	// for a server to fill the authority's memory.
	MaxBytes int64
	// UserAgent says who is asking, so that an operator who sees the check in its logs knows
	// it is the authority and where to read about it.
	UserAgent string
	// Proxy, if set, is a forward proxy (http://host:port) every request goes through; nil
	// connects directly. See the package documentation for what it changes.
	Proxy *url.URL
	// AllowPrivate turns the address guard off. It is for tests, whose servers listen on
	// 127.0.0.1; never set it in production.
	AllowPrivate bool
	// AllowLoopback lets loopback addresses through the guard, and nothing else: for a demo
	// whose operators' endpoints run on the same machine.
	AllowLoopback bool
	// MaxRedirects is how many redirects are followed before giving up; 0 follows none.
	MaxRedirects int
	// TLSConfig, if set, is used for TLS (tests pass their own RootCAs); nil means the
	// system's roots. It may not skip verification.
	TLSConfig *tls.Config
}

// Default returns the production configuration.
func Default() Config {
	return Config{
		Timeout:      10 * time.Second,
		MaxBytes:     10 << 20,
		UserAgent:    "takedown-compliance-check/1 (+https://takedown.example/about-checks)",
		MaxRedirects: 5,
	}
}

// Validate reports the first thing wrong with c, so that a bad configuration fails at start
// and not on the first check.
func (c Config) Validate() error {
	switch {
	case c.Timeout <= 0:
		return fmt.Errorf("fetch: config: timeout must be positive, got %v", c.Timeout)
	case c.MaxBytes <= 0:
		return fmt.Errorf("fetch: config: max bytes must be positive, got %d", c.MaxBytes)
	case c.UserAgent == "":
		return errors.New("fetch: config: user agent must not be empty: operators must see who is checking")
	case c.MaxRedirects < 0:
		return fmt.Errorf("fetch: config: max redirects must not be negative, got %d", c.MaxRedirects)
	case c.TLSConfig != nil && c.TLSConfig.InsecureSkipVerify:
		return errors.New("fetch: config: TLS verification may not be skipped")
	}
	if p := c.Proxy; p != nil {
		if p.Scheme != "http" && p.Scheme != "https" || p.Hostname() == "" {
			return fmt.Errorf("fetch: config: proxy must be an http:// or https:// URL with a host, got %q", p.Redacted())
		}
	}
	return nil
}

// NewClient returns the guarded client for c. A zero Timeout, MaxBytes or UserAgent takes
// its Default value, so that a forgotten field never means "no timeout"; c should otherwise
// be valid (Validate).
func NewClient(c Config) *http.Client {
	return newClient(c, seams{})
}

// seams lets tests run the real client with no network at all: the fuzz test resolves no
// name and connects nowhere, after the address guard has had its say.
type seams struct {
	resolver *net.Resolver
	control  func(network, address string, conn syscall.RawConn) error
}

func newClient(c Config, s seams) *http.Client {
	d := Default()
	if c.Timeout <= 0 {
		c.Timeout = d.Timeout
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = d.MaxBytes
	}
	if c.UserAgent == "" {
		c.UserAgent = d.UserAgent
	}
	resolver := s.resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	guarded := &net.Dialer{
		Timeout:  c.Timeout,
		Resolver: resolver,
		Control: func(network, address string, conn syscall.RawConn) error {
			if !c.AllowPrivate {
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return &RefusedError{Addr: address, Why: "not an IP address"}
				}
				if err := checkAddress(ap); err != nil && !(c.AllowLoopback && ap.Addr().Unmap().IsLoopback()) {
					return err
				}
			}
			if s.control != nil {
				return s.control(network, address, conn)
			}
			return nil
		},
	}
	dial := guarded.DialContext
	var proxy func(*http.Request) (*url.URL, error)
	if c.Proxy != nil {
		proxy = http.ProxyURL(c.Proxy)
		proxyAddr := hostPort(c.Proxy)
		trusted := &net.Dialer{Timeout: c.Timeout, Resolver: resolver}
		dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr == proxyAddr {
				return trusted.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		}
	}
	var tlsConfig *tls.Config
	if c.TLSConfig != nil {
		tlsConfig = c.TLSConfig.Clone()
	} else {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig.InsecureSkipVerify = false
	t := &http.Transport{
		Proxy:                 proxy, // never the environment's: it would bypass the guard's view
		DialContext:           dial,
		TLSClientConfig:       tlsConfig,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   c.Timeout,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // the bytes read and digested are the bytes served
	}
	return &http.Client{
		Transport:     &transport{config: c, base: t, resolver: resolver},
		Timeout:       c.Timeout,
		CheckRedirect: checkRedirect(c.MaxRedirects),
		// Jar is nil: no cookie set by one server is ever sent back.
	}
}

// hostPort is the address http.Transport dials for a proxy URL.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// checkRedirect stops after max redirects and at any that is not http or https, and strips
// credentials: the first request's headers are the caller's business, a redirect's target
// is not someone the caller chose.
func checkRedirect(max int) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > max {
			return fmt.Errorf("fetch: %w: stopped after %d", ErrTooManyRedirects, max)
		}
		if err := checkURL(req.URL); err != nil {
			return fmt.Errorf("fetch: redirect: %w", err)
		}
		req.URL.User = nil
		req.Header.Del("Authorization")
		req.Header.Del("Proxy-Authorization")
		req.Header.Del("Cookie")
		return nil
	}
}

// checkURL returns an error wrapping ErrBadURL if u is not an absolute http or https URL
// with a host that can be resolved. The resolver answers "no such host" for a malformed name
// or an onion service without asking anyone, and Check would take that for a site that is
// gone.
func checkURL(u *url.URL) error {
	host := u.Hostname()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q is not http or https", ErrBadURL, u.Scheme)
	case host == "":
		return fmt.Errorf("%w: no host", ErrBadURL)
	case strings.HasSuffix(strings.ToLower(strings.TrimSuffix(host, ".")), ".onion"):
		return fmt.Errorf("%w: an onion service is reached only through Tor", ErrBadURL)
	}
	if _, err := netip.ParseAddr(host); err != nil && !hostName(host) {
		return fmt.Errorf("%w: %q is not a host name", ErrBadURL, host)
	}
	return nil
}

// hostName reports whether s is a name the resolver will look up: net's own rule (RFC 1035
// labels of letters, digits, hyphens and underscores, not all digits) for an ASCII name. A
// name with other characters is left to the transport, which writes it in IDNA form.
func hostName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	nonNumeric := false
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			switch c := label[i]; {
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == '-':
				nonNumeric = true
			case '0' <= c && c <= '9':
			default:
				return false
			}
		}
	}
	return nonNumeric
}

// transport sets the User-Agent, checks the target when a proxy hides it from the dialer,
// and caps response bodies.
type transport struct {
	config   Config
	base     *http.Transport
	resolver *net.Resolver
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		closeBody(req)
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if t.config.Proxy != nil && !t.config.AllowPrivate {
		if err := t.checkTarget(req.Context(), req.URL.Hostname()); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	req = req.Clone(req.Context())
	req.Header.Set("User-Agent", t.config.UserAgent)
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{body: resp.Body, left: t.config.MaxBytes}
	return resp, nil
}

// checkTarget resolves host and refuses it if any of its addresses is refused.
func (t *transport) checkTarget(ctx context.Context, host string) error {
	if a, err := netip.ParseAddr(host); err == nil {
		return checkResolved(host, []netip.Addr{a})
	}
	addrs, err := t.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("fetch: resolve %s: %w", host, err)
	}
	return checkResolved(host, addrs)
}

// closeBody closes a request body RoundTrip will not send, as the RoundTripper contract
// requires.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// cappedBody ends a body after MaxBytes, with ErrBodyTooLarge if there was more.
type cappedBody struct {
	body io.ReadCloser
	left int64
}

// Read implements io.Reader.
func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := io.ReadFull(b.body, one[:])
		if n > 0 {
			return 0, fmt.Errorf("fetch: %w", ErrBodyTooLarge)
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close implements io.Closer.
func (b *cappedBody) Close() error { return b.body.Close() }
