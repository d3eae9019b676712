package delivery_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery"
	"github.com/takedown-project/takedown/delivery/email"
	"github.com/takedown-project/takedown/delivery/webhook"
	"github.com/takedown-project/takedown/internal/storetest"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/vault"
)

// start is a Monday morning in Paris.
var start = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// authority is a small authority on a real SQLite file, with a host that receives webhooks.
type authority struct {
	t       *testing.T
	dir     string
	clock   *takedown.SimClock
	db      *storetest.Store
	svc     *casework.Service
	officer *takedown.User
	super   *takedown.User
	host    *takedown.Operator
	desk    *takedown.User // the host's user
	secret  string
	cases   int
}

func newAuthority(t *testing.T, channels takedown.DeliveryChannels) *authority {
	t.Helper()
	a := &authority{t: t, dir: t.TempDir(), clock: takedown.NewSimClock(start, nil)}
	a.open()
	local := takedown.NewContextWithUser(context.Background(), casework.LocalAdmin)
	user := func(ctx context.Context, name string, role takedown.Role, op int64) *takedown.User {
		u, _, err := a.svc.CreateUser(ctx, takedown.UserInput{Name: name, Role: role, OperatorID: op})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	admin := user(local, "Admin One", takedown.RoleAdmin, 0)
	a.officer = user(local, "Officer Alpha", takedown.RoleOfficer, 0)
	a.super = user(local, "Supervisor Charlie", takedown.RoleSupervisor, 0)
	ctx := takedown.NewContextWithUser(context.Background(), admin)
	var err error
	a.host, err = a.svc.CreateOperator(ctx, takedown.OperatorInput{Name: "Video Host", Kind: takedown.KindHost,
		Contact: "abuse@video.host.example", Languages: []string{"fr"}, Domains: []string{"video.host.test", "localhost"}, Channels: &channels})
	if err != nil {
		t.Fatal(err)
	}
	a.desk = user(ctx, "Video Host desk", takedown.RoleOperator, a.host.ID)
	if channels.Webhook != "" {
		made, err := a.svc.CreateWebhookSecret(ctx, a.host.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.secret = made.Secret
	}
	return a
}

// open opens (or reopens, as a restarted server would) the store and the service.
func (a *authority) open() {
	a.t.Helper()
	if a.db == nil {
		a.db = storetest.Open(a.t, a.clock)
	} else {
		a.db.Reopen(a.t)
	}
	db := a.db
	v, err := vault.Load(filepath.Join(a.dir, "vault.key"))
	if err != nil {
		a.t.Fatal(err)
	}
	a.svc = casework.New(db, procedure.Default(), v)
}

func (a *authority) as(u *takedown.User) context.Context {
	return takedown.NewContextWithUser(context.Background(), u)
}

// removalRequest reports a URL, has it qualified and approved, and sends the host a removal
// request; it returns the delivery of the action.
func (a *authority) removalRequest() *takedown.Delivery {
	a.t.Helper()
	a.cases++
	return a.removalRequestOf("https://video.host.test/v/" + strings.Repeat("x", a.cases))
}

// removalRequestOf is removalRequest of a URL.
func (a *authority) removalRequestOf(url string) *takedown.Delivery {
	a.t.Helper()
	r, err := a.svc.SubmitReport(context.Background(), takedown.ReportInput{
		URLs:    []string{url},
		Offence: "terrorism-apology", Description: "A video praising an attack.", GoodFaith: true})
	if err != nil {
		a.t.Fatal(err)
	}
	id := r.URLs[0].CaseID
	if _, err := a.svc.Accept(a.as(a.officer), id); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.svc.Qualify(a.as(a.officer), id, takedown.QualificationInput{Offence: "terrorism-apology",
		Elements: map[string]any{"predicate_act": "The attack of 1 January 2026 on the Example Square, qualified as terrorist.",
			"predicate_act_is_terrorist": true, "public_character": true, "characterisation": "apology"},
		Reasons: "The video glorifies the authors of the attack."}); err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.svc.Approve(a.as(a.super), id); err != nil {
		a.t.Fatal(err)
	}
	m, err := a.svc.IssueMeasure(a.as(a.officer), id, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: a.host.ID})
	if err != nil {
		a.t.Fatal(err)
	}
	ds, _, err := a.svc.Deliveries(a.as(a.officer), takedown.DeliveryFilter{MeasureID: m.ID, OperatorID: a.host.ID})
	if err != nil || len(ds) != 1 {
		a.t.Fatalf("deliveries of measure %d: %v %v", m.ID, ds, err)
	}
	return ds[0]
}

func (a *authority) delivery(id int64) *takedown.Delivery {
	a.t.Helper()
	d, _, err := a.svc.Notice(a.as(a.officer), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return d
}

func (a *authority) transmissions(deliveryID int64) []*takedown.Transmission {
	a.t.Helper()
	list, _, err := a.svc.Transmissions(a.as(a.officer), takedown.TransmissionFilter{DeliveryID: deliveryID})
	if err != nil {
		a.t.Fatal(err)
	}
	return list
}

// worker returns a delivery worker allowed to reach loopback receivers.
func (a *authority) worker(mutate func(*delivery.Config)) *delivery.Worker {
	cfg := delivery.DefaultConfig()
	cfg.Fetch.AllowPrivate = true
	cfg.Fetch.Timeout, cfg.HookTimeout = 2*time.Second, 2*time.Second
	cfg.BaseURL = "https://takedown.authority.example"
	cfg.Clock = a.clock
	if mutate != nil {
		mutate(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		a.t.Fatal(err)
	}
	return delivery.New(a.svc, cfg, slog.New(slog.DiscardHandler), nil)
}

func pass(t *testing.T, w *delivery.Worker) int {
	t.Helper()
	n, err := w.Pass(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// receiver is an operator's webhook endpoint that verifies every request with the Standard
// Webhooks project's own library, answers as told, and processes each message id once.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	wh     *standardwebhooks.Webhook
	mu     sync.Mutex
	answer func(n int) int // the status of the n-th request (from 1)
	block  chan struct{}   // when set, requests wait on it (a slow receiver)
	calls  int
	ids    []string
	seen   map[string]bool
	bodies [][]byte
}

func newReceiver(t *testing.T, secret string, answer func(n int) int) *receiver {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	r := &receiver{t: t, wh: wh, answer: answer, seen: map[string]bool{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if ua := req.UserAgent(); ua != webhook.UserAgent {
		r.t.Errorf("webhook sent with User-Agent %q, want %q", ua, webhook.UserAgent)
	}
	if err := r.wh.Verify(body, req.Header); err != nil {
		r.t.Errorf("the independent verifier refused the webhook: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	r.calls++
	n, block := r.calls, r.block
	id := req.Header.Get("webhook-id")
	r.ids = append(r.ids, id)
	r.mu.Unlock()
	if block != nil {
		<-block
	}
	status := r.answer(n)
	if status/100 == 2 {
		r.mu.Lock()
		if !r.seen[id] {
			r.seen[id] = true
			r.bodies = append(r.bodies, body)
		}
		r.mu.Unlock()
	}
	w.WriteHeader(status)
}

func (r *receiver) processed() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies
}

// TestWebhookIsTheReceipt delivers a removal request to a real receiver that verifies the
// signature independently; its 2xx is the receipt that starts the 24 hours, and the payload
// carries the official form.
func TestWebhookIsTheReceipt(t *testing.T) {
	a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
	rcv := newReceiver(t, a.secret, func(int) int { return http.StatusNoContent })
	a.setWebhook(rcv.srv.URL + "/takedown")
	d := a.removalRequest()
	if d.Deadline != takedown.DeadlineAwaitingReceipt {
		t.Fatalf("before the webhook: %s", d.Deadline)
	}
	w := a.worker(nil)
	if n := pass(t, w); n != 1 {
		t.Fatalf("first pass handled %d, want the webhook", n)
	}
	d = a.delivery(d.ID)
	if d.ReceivedVia != takedown.ViaWebhook || d.DeadlineAt == nil || !d.DeadlineAt.Equal(d.AcknowledgedAt.Add(24*time.Hour)) {
		t.Fatalf("after the webhook: via %q, received %v, deadline %v", d.ReceivedVia, d.AcknowledgedAt, d.DeadlineAt)
	}
	bodies := rcv.processed()
	if len(bodies) != 1 {
		t.Fatalf("receiver processed %d messages", len(bodies))
	}
	var p struct {
		Type string `json:"type"`
		Data struct {
			Delivery takedown.Delivery `json:"delivery"`
			Form     map[string]any    `json:"form"`
			Links    map[string]string `json:"links"`
		} `json:"data"`
	}
	if err := json.Unmarshal(bodies[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "delivery.action" || p.Data.Delivery.ID != d.ID || p.Data.Form["reference"] == nil ||
		!strings.HasSuffix(p.Data.Links["answer"], "/answer") {
		t.Errorf("payload: %s", bodies[0])
	}
	if n := pass(t, w); n != 0 {
		t.Errorf("a pass after the receipt handled %d", n)
	}
}

func (a *authority) setWebhook(url string) {
	a.t.Helper()
	admin := a.as(&takedown.User{ID: 1, Role: takedown.RoleAdmin, Name: "Admin One"})
	if _, err := a.svc.UpdateOperator(admin, a.host.ID, takedown.OperatorUpdate{Channels: &takedown.ChannelsUpdate{Webhook: &url}}); err != nil {
		a.t.Fatal(err)
	}
}

// TestReceiverFailsThenRecovers: a receiver that answers 503 twice, then times out, then
// takes the delivery; every attempt carries the same webhook-id, the waits double, and the
// receiver processes the message once.
func TestReceiverFailsThenRecovers(t *testing.T) {
	a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
	rcv := newReceiver(t, a.secret, func(n int) int {
		if n <= 3 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	a.setWebhook(rcv.srv.URL)
	d := a.removalRequest()
	w := a.worker(func(c *delivery.Config) { c.HookTimeout = 300 * time.Millisecond })
	waits := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}
	for i, wait := range waits {
		if i == 2 { // the third attempt times out
			rcv.mu.Lock()
			rcv.block = make(chan struct{})
			rcv.mu.Unlock()
		}
		pass(t, w)
		if i == 2 {
			close(rcv.block)
			rcv.mu.Lock()
			rcv.block = nil
			rcv.mu.Unlock()
		}
		m := a.transmissions(d.ID)[0]
		if m.State != takedown.TransmissionPending || !m.NextAttemptAt.Equal(a.clock.Now().Add(wait)) {
			t.Fatalf("after attempt %d: %s, next in %s (%s), want %s", i+1, m.State, m.NextAttemptAt.Sub(a.clock.Now()), m.LastError, wait)
		}
		if i < 2 && m.LastStatus != 503 || i == 2 && !strings.Contains(m.LastError, "timeout") {
			t.Errorf("attempt %d recorded %d %q", i+1, m.LastStatus, m.LastError)
		}
		if n := pass(t, w); n != 0 {
			t.Fatalf("retried before the wait: %d", n)
		}
		a.clock.Advance(wait)
	}
	pass(t, w)
	m := a.transmissions(d.ID)[0]
	if m.State != takedown.TransmissionAccepted || m.Attempts != 4 {
		t.Fatalf("finally: %s after %d attempts", m.State, m.Attempts)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for _, id := range rcv.ids {
		if id != m.MessageID {
			t.Errorf("an attempt carried webhook-id %q, want %q every time", id, m.MessageID)
		}
	}
	if len(rcv.bodies) != 1 {
		t.Errorf("processed %d times, want once", len(rcv.bodies))
	}
}

// TestRestartWithDeliveriesInFlight: a worker that dies mid-attempt (the attempt was made,
// its outcome never recorded) leaves the transmission leased; after a restart it is sent
// again once the lease ends, with the same webhook-id, so the receiver processes it once; a
// transmission the receiver acknowledged is never sent again.
func TestRestartWithDeliveriesInFlight(t *testing.T) {
	a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
	rcv := newReceiver(t, a.secret, func(int) int { return http.StatusAccepted })
	a.setWebhook(rcv.srv.URL)
	done := a.removalRequest()
	pass(t, a.worker(nil)) // acknowledged
	inFlight := a.removalRequest()

	// The worker claims, the receiver takes the message, and the process dies before it
	// records the outcome.
	out, err := a.svc.ClaimTransmissions(context.Background(), 10)
	if err != nil || len(out) != 1 {
		t.Fatalf("claimed %d (%v)", len(out), err)
	}
	body, err := delivery.Payload(out[0], "https://takedown.authority.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", rcv.srv.URL, bytes.NewReader(body))
	sig, err := rcv.wh.Sign(out[0].Transmission.MessageID, time.Now(), body) // what the dead worker sent
	if err != nil {
		t.Fatal(err)
	}
	req.Header = http.Header{"webhook-id": {out[0].Transmission.MessageID},
		"webhook-timestamp": {strconv.FormatInt(time.Now().Unix(), 10)}, "webhook-signature": {sig}, "User-Agent": {webhook.UserAgent}}
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("the in-flight attempt: %v %v", resp, err)
	}
	a.open() // restart

	w := a.worker(nil)
	if n := pass(t, w); n != 0 {
		t.Fatalf("sent %d during the lease of the dead worker", n)
	}
	a.clock.Advance(casework.DefaultOutbox().Lease)
	if n := pass(t, w); n != 1 {
		t.Fatalf("after the lease: %d sent, want the in-flight one only", n)
	}
	if got := a.transmissions(inFlight.ID)[0]; got.State != takedown.TransmissionAccepted || got.Attempts != 2 {
		t.Fatalf("in-flight transmission: %s after %d attempts", got.State, got.Attempts)
	}
	if got := a.transmissions(done.ID)[0]; got.Attempts != 1 {
		t.Errorf("the acknowledged transmission was sent %d times", got.Attempts)
	}
	if n := len(rcv.processed()); n != 2 {
		t.Errorf("the receiver processed %d messages, want 2 (one per delivery)", n)
	}
	if d := a.delivery(inFlight.ID); d.ReceivedVia != takedown.ViaWebhook {
		t.Errorf("in-flight delivery received via %q", d.ReceivedVia)
	}
}

// TestBadReceivers: an endpoint that refuses for good (410) fails at once with its alert; a
// TLS endpoint whose certificate is not trusted is retried with a TLS reason; an endpoint on
// a private address is refused by the production client before anything is sent.
func TestBadReceivers(t *testing.T) {
	t.Run("gone", func(t *testing.T) {
		a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
		rcv := newReceiver(t, a.secret, func(int) int { return http.StatusGone })
		a.setWebhook(rcv.srv.URL)
		d := a.removalRequest()
		pass(t, a.worker(nil))
		if m := a.transmissions(d.ID)[0]; m.State != takedown.TransmissionFailed || m.LastStatus != 410 {
			t.Fatalf("410: %s %d %q", m.State, m.LastStatus, m.LastError)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("a request got through") }))
		defer srv.Close()
		a.setWebhook(srv.URL)
		d := a.removalRequest()
		pass(t, a.worker(nil))
		if m := a.transmissions(d.ID)[0]; m.State != takedown.TransmissionPending || !strings.Contains(m.LastError, "TLS") {
			t.Fatalf("bad certificate: %s %q", m.State, m.LastError)
		}
	})
	t.Run("private address", func(t *testing.T) {
		a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
		srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("a request reached the private address") }))
		defer srv.Close()
		a.setWebhook(srv.URL)
		d := a.removalRequest()
		pass(t, a.worker(func(c *delivery.Config) { c.Fetch.AllowPrivate = false }))
		m := a.transmissions(d.ID)[0]
		if m.State != takedown.TransmissionFailed || !strings.Contains(m.LastError, "refused") {
			t.Fatalf("private address: %s %q, want failed at once: it stays refused", m.State, m.LastError)
		}
	})
	t.Run("http in production", func(t *testing.T) {
		a := newAuthority(t, takedown.DeliveryChannels{Webhook: "http://placeholder.invalid/"})
		a.setWebhook("http://hooks.operator.example/takedown")
		d := a.removalRequest()
		pass(t, a.worker(func(c *delivery.Config) { c.Fetch.AllowPrivate = false }))
		if m := a.transmissions(d.ID)[0]; m.State != takedown.TransmissionFailed || !strings.Contains(m.LastError, "https://") {
			t.Fatalf("http endpoint: %s %q", m.State, m.LastError)
		}
	})
}

// mailbox is a real SMTP server (go-smtp) on loopback that plays the authority's relay.
type mailbox struct {
	addr string
	mu   sync.Mutex
	got  [][]byte
	to   [][]string
}

type mailSession struct {
	m  *mailbox
	to []string
}

func (s *mailSession) AuthPlain(string, string) error            { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = append(s.to, to); return nil }
func (s *mailSession) Reset()                                    { s.to = nil }
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.got, s.m.to = append(s.m.got, b), append(s.m.to, s.to)
	return nil
}

func newMailbox(t *testing.T) *mailbox {
	t.Helper()
	m := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }))
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = l.Addr().String()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Error(err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	return m
}

// TestEmailDelivery sends a removal request through a real SMTP server: multipart text and
// HTML in the operator's language (French), the form as PDF and the payload as JSON
// attached, a Message-ID that is the transmission's idempotency key. The relay's acceptance
// is not a receipt: the deadline waits for the operator's acknowledgement.
func TestEmailDelivery(t *testing.T) {
	mb := newMailbox(t)
	a := newAuthority(t, takedown.DeliveryChannels{Email: true})
	d := a.removalRequest()
	w := a.worker(func(c *delivery.Config) {
		c.Mail = &email.Config{Addr: mb.addr, From: "retraits@authority.example", TLS: email.NoTLS, Timeout: 5 * time.Second}
	})
	pass(t, w)
	m := a.transmissions(d.ID)[0]
	if m.State != takedown.TransmissionAccepted {
		t.Fatalf("e-mail: %s %q", m.State, m.LastError)
	}
	if got := a.delivery(d.ID); got.AcknowledgedAt != nil || got.Deadline != takedown.DeadlineAwaitingReceipt {
		t.Errorf("the relay's acceptance was taken for a receipt: %v %s", got.AcknowledgedAt, got.Deadline)
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	if len(mb.got) != 1 || len(mb.to[0]) != 1 || mb.to[0][0] != "abuse@video.host.example" {
		t.Fatalf("relay received %d messages to %v", len(mb.got), mb.to)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(mb.got[0]))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if !strings.Contains(subject, "TD-2026-") || !strings.Contains(strings.ToLower(subject), "retrait") {
		t.Errorf("subject %q, want the French title and the reference", subject)
	}
	if id := msg.Header.Get("Message-Id"); !strings.Contains(id, m.MessageID) {
		t.Errorf("Message-Id %q, want the transmission's %q", id, m.MessageID)
	}
	parts := map[string][]byte{}
	collectParts(t, msg.Header.Get("Content-Type"), msg.Body, parts)
	for _, want := range []string{"text/plain", "text/html", "application/pdf", "application/json"} {
		if len(parts[want]) == 0 {
			t.Errorf("no %s part (have %v)", want, keys(parts))
		}
	}
	if !bytes.HasPrefix(parts["application/pdf"], []byte("%PDF-")) {
		t.Error("the PDF attachment is not a PDF")
	}
	if !strings.Contains(string(parts["text/html"]), "https://video.host.test/v/x") {
		t.Error("the HTML part lacks the URL to remove")
	}
}

// collectParts walks a MIME tree and keeps each leaf's decoded body by media type.
func collectParts(t *testing.T, contentType string, body io.Reader, out map[string][]byte) {
	t.Helper()
	media, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(media, "multipart/") {
		b, _ := io.ReadAll(body)
		out[media] = b
		return
	}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable; base64 is decoded below
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		var leaf io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			leaf = base64.NewDecoder(base64.StdEncoding, p) // it skips the line breaks
		}
		collectParts(t, p.Header.Get("Content-Type"), leaf, out)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestNoRelay: without an SMTP relay, an operator's e-mail fails at once, with the alert.
func TestNoRelay(t *testing.T) {
	a := newAuthority(t, takedown.DeliveryChannels{Email: true})
	d := a.removalRequest()
	pass(t, a.worker(nil))
	if m := a.transmissions(d.ID)[0]; m.State != takedown.TransmissionFailed || !strings.Contains(m.LastError, "SMTP relay") {
		t.Fatalf("no relay: %s %q", m.State, m.LastError)
	}
}

// TestComplianceCheck: once the deadline of a removal has passed, the worker fetches its URL
// — here a real server on loopback that still serves the content, then answers 404 — and the
// removal is verified when the content is gone.
func TestComplianceCheck(t *testing.T) {
	var gone atomic.Bool
	var agents sync.Map
	content := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agents.Store(r.UserAgent(), true)
		if gone.Load() {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("synthetic video page"))
	}))
	defer content.Close()
	a := newAuthority(t, takedown.DeliveryChannels{})
	url := strings.Replace(content.URL, "127.0.0.1", "localhost", 1) + "/v/check"
	d := a.removalRequestOf(url)
	if _, err := a.svc.Answer(a.as(a.desk), d.ID, takedown.AnswerInput{Kind: takedown.AnswerAcknowledge}); err != nil {
		t.Fatal(err)
	}
	w := a.worker(nil)
	if n := pass(t, w); n != 0 {
		t.Fatalf("checked %d before the deadline", n)
	}
	a.clock.Advance(24*time.Hour + time.Minute)
	pass(t, w)
	checks, err := a.svc.ComplianceChecks(a.as(a.officer), d.ID)
	if err != nil || len(checks) != 1 || checks[0].Outcome != takedown.CheckPresent || checks[0].Status != 200 ||
		!strings.HasPrefix(checks[0].Digest, "sha256:") {
		t.Fatalf("first check: %+v %v", checks, err)
	}
	gone.Store(true)
	a.clock.Advance(casework.DefaultOutbox().CheckInterval)
	pass(t, w)
	if got := a.delivery(d.ID); got.VerifiedAt == nil {
		t.Fatalf("not verified after a 404: %+v", got)
	}
	checks, _ = a.svc.ComplianceChecks(a.as(a.officer), d.ID)
	if len(checks) != 2 || checks[1].Outcome != takedown.CheckGone || checks[1].Status != 404 {
		t.Fatalf("second check: %+v", checks[1])
	}
	agents.Range(func(k, _ any) bool {
		if !strings.Contains(k.(string), "takedown") {
			t.Errorf("the check did not say who it is: User-Agent %q", k)
		}
		return true
	})
}
