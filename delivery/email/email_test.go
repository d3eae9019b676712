package email_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/email"
)

const (
	username = "outbox@takedown.example"
	password = "correct-horse-battery-staple"
)

// checkReceived asserts that data is removalRequest() as sent from sender.
func checkReceived(t *testing.T, data []byte) {
	t.Helper()
	want := removalRequest()
	got := parse(t, data)
	from, err := got.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "retraits@takedown.example" || from[0].Name != "Autorité de retrait" {
		t.Errorf("From = %v, %v", from, err)
	}
	to, err := got.header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Address != "pdc@hosting-one.test" || to[0].Name != "Point de contact" || to[1].Address != "legal@hosting-one.test" {
		t.Errorf("To = %v, %v", to, err)
	}
	if got.subject != want.Subject {
		t.Errorf("Subject = %q, want %q", got.subject, want.Subject)
	}
	if got, want := got.header.Get("Message-Id"), want.MessageID; got != want {
		t.Errorf("Message-Id = %q, want %q", got, want)
	}
	if got, want := got.header.Get("X-Takedown-Delivery"), "42"; got != want {
		t.Errorf("X-Takedown-Delivery = %q, want %q", got, want)
	}
	if date, err := got.header.Date(); err != nil || !date.Equal(want.Date) {
		t.Errorf("Date = %v, %v; want %v", date, err, want.Date)
	}
	if got, want := lf(got.text), want.Text; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
	if got, want := lf(got.html), want.HTML; got != want {
		t.Errorf("html = %q, want %q", got, want)
	}
	if len(got.attachments) != len(want.Attachments) {
		t.Fatalf("%d attachments, want %d", len(got.attachments), len(want.Attachments))
	}
	for i, a := range want.Attachments {
		g := got.attachments[i]
		if g.filename != a.Name || g.name != a.Name || g.mediaType != a.ContentType || !bytes.Equal(g.data, a.Data) {
			t.Errorf("attachment %d = %q (name %q) %s %q, want %q %s %q", i, g.filename, g.name, g.mediaType, g.data, a.Name, a.ContentType, a.Data)
		}
	}
}

func TestSend(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, tt := range []struct {
		name  string
		relay relayTLS
		cfg   email.Config
	}{
		{"starttls and auth", startTLSRelay, email.Config{Username: username, Password: password, TLSConfig: &tls.Config{RootCAs: pool}}},
		{"starttls by name", startTLSRelay, email.Config{TLS: email.StartTLS, Username: username, Password: password,
			TLSConfig: &tls.Config{RootCAs: pool, ServerName: "relay.test"}, HelloName: "outbox.takedown.example"}},
		{"implicit tls and auth", implicitRelay, email.Config{TLS: email.ImplicitTLS, Username: username, Password: password, TLSConfig: &tls.Config{RootCAs: pool}}},
		{"local relay without tls", plainRelay, email.Config{TLS: email.NoTLS}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &relay{}
			if tt.cfg.Username != "" {
				r.users = map[string]string{username: password}
			}
			startRelay(t, tt.relay, cert, r)
			cfg := tt.cfg
			cfg.Addr, cfg.From = r.addr, sender
			if err := email.Send(context.Background(), cfg, removalRequest()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := r.messages()
			if len(msgs) != 1 {
				t.Fatalf("relay received %d messages, want 1", len(msgs))
			}
			if got, want := msgs[0].from, "retraits@takedown.example"; got != want {
				t.Errorf("MAIL FROM %q, want %q", got, want)
			}
			if got, want := msgs[0].to, []string{"pdc@hosting-one.test", "legal@hosting-one.test"}; !slices.Equal(got, want) {
				t.Errorf("RCPT TO %q, want %q", got, want)
			}
			checkReceived(t, msgs[0].data)
		})
	}
}

func TestSendFails(t *testing.T) {
	cert, pool := selfSigned(t)
	_, otherPool := selfSigned(t)
	auth := email.Config{Username: username, Password: password, TLSConfig: &tls.Config{RootCAs: pool}}
	users := map[string]string{username: password}
	for _, tt := range []struct {
		name      string
		relayTLS  relayTLS
		relay     *relay
		cfg       email.Config
		permanent bool
		contains  string
		noAuth    bool // the credentials never reached the relay
	}{
		{name: "no starttls offered", relayTLS: plainRelay, relay: &relay{users: users}, cfg: auth,
			contains: "does not offer STARTTLS", noAuth: true},
		{name: "untrusted certificate", relayTLS: startTLSRelay, relay: &relay{users: users},
			cfg:      email.Config{Username: username, Password: password, TLSConfig: &tls.Config{RootCAs: otherPool}},
			contains: "certificate is not trusted", noAuth: true},
		{name: "untrusted certificate, implicit tls", relayTLS: implicitRelay, relay: &relay{users: users},
			cfg:      email.Config{TLS: email.ImplicitTLS, Username: username, Password: password, TLSConfig: &tls.Config{RootCAs: otherPool}},
			contains: "certificate is not trusted", noAuth: true},
		{name: "wrong password", relayTLS: startTLSRelay, relay: &relay{users: map[string]string{username: "another-password"}}, cfg: auth,
			permanent: true, contains: "535"},
		{name: "recipient rejected", relayTLS: startTLSRelay,
			relay: &relay{users: users, rcptErr: map[string]*smtp.SMTPError{"legal@hosting-one.test": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}}},
			cfg:   auth, permanent: true, contains: `550 "5.1.1 No such user"`},
		{name: "greylisted", relayTLS: startTLSRelay,
			relay: &relay{users: users, rcptErr: map[string]*smtp.SMTPError{"pdc@hosting-one.test": {Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, try again later"}}},
			cfg:   auth, contains: `451 "4.7.1 Greylisted`},
		{name: "message rejected", relayTLS: startTLSRelay,
			relay: &relay{users: users, dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Content rejected"}},
			cfg:   auth, permanent: true, contains: `554 "5.6.0 Content rejected"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := startRelay(t, tt.relayTLS, cert, tt.relay)
			cfg := tt.cfg
			cfg.Addr, cfg.From = r.addr, sender
			err := email.Send(context.Background(), cfg, removalRequest())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			t.Log(err)
			if got := email.Permanent(err); got != tt.permanent {
				t.Errorf("Permanent(%v) = %t, want %t", err, got, tt.permanent)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not say %q", err, tt.contains)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error %q shows the password", err)
			}
			if n := len(r.messages()); n != 0 {
				t.Errorf("relay received %d messages", n)
			}
			if auths, mails := r.counts(); tt.noAuth && (auths != 0 || mails != 0) {
				t.Errorf("relay saw %d AUTH and %d MAIL, want none", auths, mails)
			}
		})
	}
}

func TestSendTimeout(t *testing.T) {
	addr, _ := silentRelay(t)
	cfg := email.Config{Addr: addr, From: sender, TLS: email.NoTLS, Timeout: 200 * time.Millisecond}
	err := email.Send(context.Background(), cfg, removalRequest())
	if err == nil {
		t.Fatal("Send succeeded")
	}
	t.Log(err)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q is not a timeout", err)
	}
	if !strings.Contains(err.Error(), "limit of 200ms passed") {
		t.Errorf("error %q does not say the limit passed", err)
	}
	if email.Permanent(err) {
		t.Errorf("Permanent(%v) = true", err)
	}
}

func TestSendCancelled(t *testing.T) {
	addr, accepted := silentRelay(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-accepted
		cancel()
	}()
	cfg := email.Config{Addr: addr, From: sender, TLS: email.NoTLS, Timeout: time.Hour}
	err := email.Send(ctx, cfg, removalRequest())
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Send = %v, want context.Canceled", err)
	}
	if email.Permanent(err) {
		t.Errorf("Permanent(%v) = true", err)
	}
}

func TestSendInvalid(t *testing.T) {
	r := startRelay(t, plainRelay, tls.Certificate{}, &relay{})
	bad := removalRequest()
	bad.Subject = "Demande\r\nBcc: everyone@elsewhere.test"
	for _, tt := range []struct {
		name string
		cfg  email.Config
		msg  email.Message
	}{
		{"config", email.Config{Addr: r.addr, From: sender, TLS: email.NoTLS, Username: username, Password: password}, removalRequest()},
		{"message", email.Config{Addr: r.addr, From: sender, TLS: email.NoTLS}, bad},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := email.Send(context.Background(), tt.cfg, tt.msg)
			if got, want := takedown.ErrorCode(err), takedown.EINVALID; got != want {
				t.Errorf("Send = %v, want code %s", err, want)
			}
			if !email.Permanent(err) {
				t.Errorf("Permanent(%v) = false", err)
			}
			if _, mails := r.counts(); mails != 0 {
				t.Errorf("relay saw %d MAIL", mails)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ok := email.Config{Addr: "smtp.takedown.example:587", From: sender}
	for _, tt := range []struct {
		name  string
		edit  func(*email.Config)
		field string // "" for valid
	}{
		{"defaults", func(*email.Config) {}, ""},
		{"with credentials", func(c *email.Config) { c.Username, c.Password = username, password }, ""},
		{"implicit tls", func(c *email.Config) { c.TLS, c.Addr = email.ImplicitTLS, "smtp.takedown.example:465" }, ""},
		{"no port", func(c *email.Config) { c.Addr = "smtp.takedown.example" }, "addr"},
		{"no from", func(c *email.Config) { c.From = "" }, "from"},
		{"from with a line break", func(c *email.Config) { c.From = "retraits@takedown.example\r\nBcc: x@y.test" }, "from"},
		{"unknown tls mode", func(c *email.Config) { c.TLS = "ssl" }, "tls"},
		{"credentials in clear", func(c *email.Config) { c.TLS, c.Username, c.Password = email.NoTLS, username, password }, "tls"},
		{"username without password", func(c *email.Config) { c.Username = username }, "username"},
		{"negative timeout", func(c *email.Config) { c.Timeout = -time.Second }, "timeout"},
		{"hello name with a space", func(c *email.Config) { c.HelloName = "outbox takedown" }, "hello_name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if got := takedown.ErrorField(err); got != tt.field || (tt.field != "" && takedown.ErrorCode(err) != takedown.EINVALID) {
				t.Errorf("Validate = %v, want field %q", err, tt.field)
			}
		})
	}
}

func TestPermanent(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("connection refused"), false},
		{takedown.Invalid("to", "needs an address"), true},
		{takedown.Errorf(takedown.EUNAVAILABLE, "later"), false},
		{x509.UnknownAuthorityError{}, false},
	} {
		if got := email.Permanent(tt.err); got != tt.want {
			t.Errorf("Permanent(%v) = %t, want %t", tt.err, got, tt.want)
		}
	}
}
