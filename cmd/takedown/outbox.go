package main

import (
	"flag"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery"
	"github.com/takedown-project/takedown/delivery/email"
)

// outboxConfig is how serve sends deliveries: the public address in what it sends, the SMTP
// relay, the outbound proxy, and how long it retries.
type outboxConfig struct {
	PublicURL        string
	SMTP             string
	SMTPFrom         string
	SMTPUser         string
	SMTPPasswordFile string
	SMTPTLS          string
	Proxy            string
	GiveUp           time.Duration
	Lease            time.Duration
	AllowPrivate     bool
	// AllowLoopback lets webhooks and checks reach this machine only (the demo, not a flag).
	AllowLoopback bool
}

func (c *outboxConfig) register(fs *flag.FlagSet, e *env) {
	fs.StringVar(&c.PublicURL, "public-url", e.getenv("TAKEDOWN_PUBLIC_URL"),
		"the address operators reach this server at, for the links in forms, webhooks and e-mails (default: http:// and the --http address) [TAKEDOWN_PUBLIC_URL]")
	fs.StringVar(&c.SMTP, "smtp", e.getenv("TAKEDOWN_SMTP"),
		"the SMTP relay deliveries are e-mailed through, as host:port; without it e-mails fail with an alert [TAKEDOWN_SMTP]")
	fs.StringVar(&c.SMTPFrom, "smtp-from", e.getenv("TAKEDOWN_SMTP_FROM"), "the authority's sending address [TAKEDOWN_SMTP_FROM]")
	fs.StringVar(&c.SMTPUser, "smtp-user", e.getenv("TAKEDOWN_SMTP_USER"), "the relay's user name, if it needs one [TAKEDOWN_SMTP_USER]")
	fs.StringVar(&c.SMTPPasswordFile, "smtp-password-file", e.getenv("TAKEDOWN_SMTP_PASSWORD_FILE"),
		"file holding the relay's password [TAKEDOWN_SMTP_PASSWORD_FILE]")
	fs.StringVar(&c.SMTPTLS, "smtp-tls", e.envOr("TAKEDOWN_SMTP_TLS", string(email.StartTLS)),
		"starttls (required, port 587), tls (port 465), or none (a relay on this host only) [TAKEDOWN_SMTP_TLS]")
	fs.StringVar(&c.Proxy, "outbound-proxy", e.getenv("TAKEDOWN_OUTBOUND_PROXY"),
		"forward proxy for webhooks and compliance checks, as http://host:port [TAKEDOWN_OUTBOUND_PROXY]")
	giveUp, _ := time.ParseDuration(e.envOr("TAKEDOWN_DELIVERY_GIVE_UP", casework.DefaultOutbox().GiveUp.String()))
	fs.DurationVar(&c.GiveUp, "delivery-give-up", giveUp,
		"how long a delivery that cannot be sent is retried before it is marked failed, with an alert [TAKEDOWN_DELIVERY_GIVE_UP]")
	lease, _ := time.ParseDuration(e.envOr("TAKEDOWN_DELIVERY_LEASE", casework.DefaultOutbox().Lease.String()))
	fs.DurationVar(&c.Lease, "delivery-lease", lease,
		"how long an attempt holds its delivery: one whose server died mid-attempt is sent again, under the same id, after it [TAKEDOWN_DELIVERY_LEASE]")
	fs.BoolVar(&c.AllowPrivate, "allow-private-endpoints", e.getenv("TAKEDOWN_ALLOW_PRIVATE_ENDPOINTS") == "1",
		"let webhooks (also over http://) and compliance checks reach loopback and private addresses: for tests only [TAKEDOWN_ALLOW_PRIVATE_ENDPOINTS=1]")
}

// outbox returns the outbox's rules and the worker's configuration; httpAddr is the
// address the server listens on, the default public address.
func (c *outboxConfig) outbox(httpAddr string) (casework.OutboxConfig, delivery.Config, error) {
	rules := casework.DefaultOutbox()
	if c.GiveUp != 0 {
		rules.GiveUp = c.GiveUp
	}
	if c.Lease != 0 {
		rules.Lease = c.Lease
	}
	if err := rules.Validate(); err != nil {
		return rules, delivery.Config{}, takedown.Invalid("delivery-give-up", "%s (and --delivery-lease must be positive)", takedown.ErrorMessage(err))
	}
	cfg := delivery.DefaultConfig()
	cfg.BaseURL = strings.TrimSuffix(c.PublicURL, "/")
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + httpAddr
	} else if err := checkWebURL("public-url", cfg.BaseURL); err != nil {
		return rules, cfg, err
	}
	cfg.Fetch.AllowPrivate, cfg.Fetch.AllowLoopback = c.AllowPrivate, c.AllowLoopback
	if c.Proxy != "" {
		u, err := url.Parse(c.Proxy)
		if err != nil {
			return rules, cfg, takedown.Invalid("outbound-proxy", "%v", err)
		}
		cfg.Fetch.Proxy = u
	}
	if c.SMTP != "" {
		m := &email.Config{Addr: c.SMTP, From: c.SMTPFrom, Username: c.SMTPUser, TLS: email.TLSMode(c.SMTPTLS)}
		if c.SMTPPasswordFile != "" {
			b, err := os.ReadFile(c.SMTPPasswordFile)
			if err != nil {
				return rules, cfg, takedown.Invalid("smtp-password-file", "%v", err)
			}
			m.Password = strings.TrimSpace(string(b))
		}
		cfg.Mail = m
	}
	if err := cfg.Validate(); err != nil { // the relay's settings or the proxy's
		return rules, cfg, takedown.Invalid("smtp", "%v", err)
	}
	return rules, cfg, nil
}

// checkWebURL refuses a flag's value that is not an absolute http or https address.
func checkWebURL(flag, value string) error {
	if u, err := url.Parse(value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return takedown.Invalid(flag, "%q is not an http or https address", value)
	}
	return nil
}
