package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// TLSMode is how the session with the relay is protected.
type TLSMode string

// The TLS modes.
const (
	// StartTLS upgrades a plain connection (port 587) and fails if the relay does not offer
	// it: a relay that stops offering it may be under a downgrade attack.
	StartTLS TLSMode = "starttls"
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS TLSMode = "tls"
	// NoTLS is for a relay on the same host or in tests; credentials are refused with it.
	NoTLS TLSMode = "none"
)

// Defaults.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultHelloName = "localhost"
)

// Config is the authority's SMTP relay.
type Config struct {
	// Addr is the relay's host:port.
	Addr string
	// Username and Password are optional; with them, Send authenticates with AUTH PLAIN,
	// only ever over TLS.
	Username, Password string
	// From is the authority's sending address, as in "Autorité <retraits@takedown.example>".
	From string
	// TLS is StartTLS when empty.
	TLS TLSMode
	// TLSConfig is optional, e.g. to trust a private CA; its ServerName defaults to the host
	// of Addr.
	TLSConfig *tls.Config
	// Timeout bounds the whole session, from dialling to the relay's answer to the message;
	// DefaultTimeout when zero.
	Timeout time.Duration
	// HelloName is the name given in EHLO; DefaultHelloName when empty.
	HelloName string
}

// Validate checks the configuration. Its errors are EINVALID, which Permanent reports as
// permanent: no retry fixes a configuration.
func (c Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || host == "" || port == "" {
		return takedown.Invalid("addr", "%q is not host:port", c.Addr)
	}
	if _, err := parseAddress("from", c.From); err != nil {
		return err
	}
	switch c.TLS {
	case "", StartTLS, ImplicitTLS, NoTLS:
	default:
		return takedown.Invalid("tls", "%q is not starttls, tls or none", c.TLS)
	}
	if (c.Username == "") != (c.Password == "") {
		return takedown.Invalid("username", "a username and a password go together")
	}
	if c.Username != "" && c.TLS == NoTLS {
		return takedown.Invalid("tls", "is none: the relay's password would be sent in clear")
	}
	if c.Timeout < 0 {
		return takedown.Invalid("timeout", "is negative")
	}
	if strings.ContainsFunc(c.HelloName, func(r rune) bool { return r <= ' ' || r > '~' }) {
		return takedown.Invalid("hello_name", "%q is not a host name", c.HelloName)
	}
	return nil
}

// withDefaults fills the defaults in.
func (c Config) withDefaults() Config {
	if c.TLS == "" {
		c.TLS = StartTLS
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HelloName == "" {
		c.HelloName = DefaultHelloName
	}
	return c
}

// tlsConfig returns the TLS configuration for host.
func (c Config) tlsConfig(host string) *tls.Config {
	var tc *tls.Config
	if c.TLSConfig != nil {
		tc = c.TLSConfig.Clone()
	} else {
		tc = &tls.Config{}
	}
	if tc.ServerName == "" {
		tc.ServerName = host
	}
	return tc
}

// Send sends m through the relay: it is delivered when Send returns nil, which is when the
// relay has accepted the message after DATA. If any recipient is refused, nothing is sent,
// so that a retry sends the same message to the same recipients. The session ends when ctx
// does or when c.Timeout passes, whichever is first.
//
// Permanent tells whether an error is worth retrying.
func Send(ctx context.Context, c Config, m Message) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("email: config: %w", err)
	}
	c = c.withDefaults()
	sender, err := parseAddress("from", c.From)
	if err != nil {
		return fmt.Errorf("email: config: %w", err)
	}
	data, rcpts, err := m.build(c.From)
	if err != nil {
		return fmt.Errorf("email: message: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	host, _, _ := net.SplitHostPort(c.Addr)

	sctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	deadline, _ := sctx.Deadline()
	s := &session{cfg: c, ctx: ctx, deadline: deadline}

	conn, err := s.dial(sctx, host)
	if err != nil {
		return s.fail("connect", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return s.fail("connect", err)
	}
	// A cancelled ctx ends a read or write in progress at once.
	stop := context.AfterFunc(sctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	client, err := smtp.NewClient(conn, host)
	if err != nil {
		return s.fail("read the greeting", err)
	}
	defer client.Close()
	if err := client.Hello(c.HelloName); err != nil {
		return s.fail("ehlo", err)
	}
	if c.TLS == StartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return s.fail("starttls", errors.New("the relay does not offer STARTTLS, which the configuration requires (nothing was sent)"))
		}
		if err := client.StartTLS(c.tlsConfig(host)); err != nil {
			return s.fail("starttls", tlsError(err))
		}
	}
	if c.Username != "" {
		if ok, mechs := client.Extension("AUTH"); !ok || !hasMechanism(mechs, "PLAIN") {
			return s.fail("auth", fmt.Errorf("the relay does not offer AUTH PLAIN (it offers %q)", mechs))
		}
		if err := client.Auth(smtp.PlainAuth("", c.Username, c.Password, host)); err != nil {
			return s.fail("auth as "+c.Username, err)
		}
	}
	if err := client.Mail(sender.Address); err != nil {
		return s.fail("mail from "+sender.Address, err)
	}
	for _, rcpt := range rcpts {
		if err := client.Rcpt(rcpt); err != nil {
			client.Reset()
			return s.fail("rcpt to "+rcpt, err)
		}
	}
	w, err := client.Data()
	if err != nil {
		return s.fail("data", err)
	}
	if _, err := w.Write(data); err != nil {
		return s.fail("data", err)
	}
	if err := w.Close(); err != nil {
		return s.fail("data", err)
	}
	// The relay has the message; a failed QUIT changes nothing.
	client.Quit()
	return nil
}

// session is what one Send needs to describe its failures.
type session struct {
	cfg      Config
	ctx      context.Context // the caller's
	deadline time.Time
}

// dial connects to the relay, in TLS for ImplicitTLS.
func (s *session) dial(ctx context.Context, host string) (net.Conn, error) {
	if s.cfg.TLS == ImplicitTLS {
		d := &tls.Dialer{Config: s.cfg.tlsConfig(host)}
		conn, err := d.DialContext(ctx, "tcp", s.cfg.Addr)
		if err != nil {
			return nil, tlsError(err)
		}
		return conn, nil
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.cfg.Addr)
}

// fail describes a failed step, saying whether the session ran out of time or was cancelled.
func (s *session) fail(step string, err error) error {
	switch {
	case s.ctx.Err() != nil:
		err = fmt.Errorf("%w (%w)", err, s.ctx.Err())
	case !time.Now().Before(s.deadline):
		err = fmt.Errorf("%w (the session's limit of %s passed: %w)", err, s.cfg.Timeout, context.DeadlineExceeded)
	}
	return fmt.Errorf("email: %s: %s: %w", s.cfg.Addr, step, err)
}

// tlsError adds to a certificate error what to check. It stays temporary: a relay's
// certificate is fixed by its administrators, and the delivery should then go out.
func tlsError(err error) error {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return fmt.Errorf("the relay's certificate is not trusted (check the relay and TLSConfig.RootCAs): %w", err)
	}
	return err
}

// hasMechanism reports whether the AUTH extension's parameters name mech.
func hasMechanism(params, mech string) bool {
	for _, m := range strings.Fields(params) {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

// Permanent reports whether retrying err later cannot help: the relay answered 5xx (an
// unknown recipient, failed authentication, a rejected message), or the configuration or the
// message is invalid. Everything else is temporary: a connection that failed or timed out, a
// 4xx answer (greylisting, a full queue), a relay without STARTTLS and a TLS handshake that
// failed, even on an untrusted certificate. A certificate will not fix itself in a minute,
// but a relay's administrators fix it, and the delivery should then go out; the error says
// what to check, and the caller's attempt limit bounds the retries.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	if e, ok := errors.AsType[*takedown.Error](err); ok {
		return e.Code == takedown.EINVALID
	}
	if e, ok := errors.AsType[*textproto.Error](err); ok {
		return e.Code >= 500 && e.Code < 600
	}
	return false
}
