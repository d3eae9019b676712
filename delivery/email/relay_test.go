package email_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// relay is a real SMTP server (go-smtp) on 127.0.0.1 that plays the authority's relay: it
// records what it receives and answers as told.
type relay struct {
	addr string

	// users are the accounts; when set, MAIL needs AUTH first.
	users map[string]string
	// rcptErr is the answer to RCPT TO for an address; dataErr the answer to the message.
	rcptErr map[string]*smtp.SMTPError
	dataErr *smtp.SMTPError

	mu       sync.Mutex
	auths    int // AUTH attempts
	mails    int // MAIL commands
	received []received
}

// received is one message the relay accepted.
type received struct {
	from string
	to   []string
	data []byte
}

// relayTLS is how a test relay speaks TLS.
type relayTLS int

const (
	plainRelay    relayTLS = iota // no STARTTLS offered
	startTLSRelay                 // STARTTLS offered
	implicitRelay                 // TLS from the first byte
)

// startRelay starts a relay with the given certificate (unused for plainRelay).
func startRelay(t *testing.T, mode relayTLS, cert tls.Certificate, r *relay) *relay {
	t.Helper()
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	s.Domain = "relay.test"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = discardLogger{}
	var l net.Listener
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	switch mode {
	case startTLSRelay:
		s.TLSConfig = tc
	case implicitRelay:
		s.TLSConfig = tc
		l = tls.NewListener(l, tc)
	}
	r.addr = l.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("relay: %v", err)
		}
	}()
	t.Cleanup(func() {
		// Close the listener too: Close alone misses one that Serve has not taken yet.
		l.Close()
		s.Close()
		<-done
	})
	return r
}

// messages returns what the relay accepted.
func (r *relay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.received...)
}

// counts returns the AUTH attempts and MAIL commands seen.
func (r *relay) counts() (auths, mails int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.auths, r.mails
}

// relaySession is one SMTP session with the relay.
type relaySession struct {
	r      *relay
	authed bool
	from   string
	to     []string
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *relaySession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.r.mu.Lock()
		s.r.auths++
		want, ok := s.r.users[username]
		s.r.mu.Unlock()
		if !ok || password != want || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.mails++
	if len(s.r.users) > 0 && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.r.rcptErr[to]; err != nil {
		return err
	}
	s.to = append(s.to, to)
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.r.dataErr != nil {
		return s.r.dataErr
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.received = append(s.r.received, received{from: s.from, to: s.to, data: data})
	return nil
}

func (s *relaySession) Reset() { s.from, s.to = "", nil }

func (s *relaySession) Logout() error { return nil }

// discardLogger silences the relay's own error log (a client that hangs up is not news).
type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// selfSigned returns a certificate for 127.0.0.1 and relay.test, and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "relay.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"relay.test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// silentRelay accepts connections and never answers. Each accepted connection is reported
// on the returned channel.
func silentRelay(t *testing.T) (addr string, accepted <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 16)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	})
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), ch
}
