// Package delivery sends the outbox: every delivery casework writes is posted to the
// operator's webhook endpoint, signed per the Standard Webhooks specification, and e-mailed
// to its point of contact through the authority's SMTP relay, with retries; after a removal's
// deadline it fetches the targets to check that the content is gone. The rules — when to
// retry, when to give up, what a receipt starts — are casework's; this package does the
// talking.
package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/delivery/email"
	"github.com/takedown-project/takedown/delivery/fetch"
	"github.com/takedown-project/takedown/delivery/forms"
	"github.com/takedown-project/takedown/delivery/webhook"
)

// Config says how the worker talks to the outside.
type Config struct {
	// Poll is how often the outbox is read when nothing wakes the worker, and how often the
	// compliance checks due are looked for.
	Poll time.Duration
	// Batch is how many transmissions one pass claims; Parallel how many are sent at once.
	Batch    int
	Parallel int
	// Fetch configures the clients of webhooks and compliance checks, which refuse private
	// addresses unless told otherwise (tests, a demo on loopback). Webhooks take their own
	// User-Agent and HookTimeout, longer, to let receivers store what they receive.
	Fetch       fetch.Config
	HookTimeout time.Duration
	// Mail is the SMTP relay; nil when the server has none, and e-mails then fail at once.
	Mail *email.Config
	// BaseURL is the server's public address, for the links in what is sent.
	BaseURL string
	// Clock is the service's clock: the time of a webhook's receipt is read from it.
	Clock takedown.Clock
}

// DefaultConfig is the worker's configuration for production, without a mail relay.
func DefaultConfig() Config {
	return Config{Poll: 250 * time.Millisecond, Batch: 200, Parallel: 32, Fetch: fetch.Default(), HookTimeout: webhook.DefaultTimeout,
		BaseURL: "http://localhost:8080", Clock: takedown.SystemClock{}}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Poll <= 0 || c.Batch < 1 || c.Parallel < 1 || c.HookTimeout <= 0 || c.Clock == nil {
		return takedown.Invalid("delivery", "the poll interval, batch, parallelism and webhook timeout must be positive, and a clock given")
	}
	if err := c.Fetch.Validate(); err != nil {
		return fmt.Errorf("delivery: %w", err)
	}
	if c.Mail != nil {
		if err := c.Mail.Validate(); err != nil {
			return fmt.Errorf("delivery: mail relay: %w", err)
		}
	}
	return nil
}

// Worker sends the outbox and runs the compliance checks until its context ends.
type Worker struct {
	svc    *casework.Service
	cfg    Config
	hooks  *http.Client // webhooks
	checks *http.Client // compliance checks
	log    *slog.Logger
	wake   chan struct{}

	sent    *prometheus.CounterVec
	checked *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// New returns a worker; its metrics are registered on reg when it is not nil.
func New(svc *casework.Service, cfg Config, log *slog.Logger, reg prometheus.Registerer) *Worker {
	hooks := cfg.Fetch
	hooks.UserAgent, hooks.Timeout = webhook.UserAgent, cfg.HookTimeout
	w := &Worker{svc: svc, cfg: cfg, hooks: fetch.NewClient(hooks), checks: fetch.NewClient(cfg.Fetch), log: log,
		wake: make(chan struct{}, 1),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_transmissions_total",
			Help: "Attempts to send a delivery, by transport and outcome (accepted, retry, failed)."}, []string{"transport", "outcome"}),
		checked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "takedown_compliance_checks_total",
			Help: "Compliance checks of a delivery's targets, by outcome (gone, present, inconclusive)."}, []string{"outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "takedown_transmission_seconds",
			Help: "Time of one attempt to send a delivery, by transport.", Buckets: prometheus.DefBuckets}, []string{"transport"}),
	}
	if reg != nil {
		reg.MustRegister(w.sent, w.checked, w.latency)
	}
	return w
}

// Wake asks for a pass of the outbox now: casework calls it after a commit that queued
// something to send.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends the outbox and runs the compliance checks until ctx is done, in two loops so that
// slow checks never hold a delivery back.
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { w.deliver(ctx) })
	wg.Go(func() {
		t := time.NewTicker(w.cfg.Poll)
		defer t.Stop()
		for {
			n, err := w.Check(ctx)
			if err != nil && ctx.Err() == nil {
				w.log.Error("compliance check pass failed", "err", err)
			}
			if n > 0 && err == nil {
				continue
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	wg.Wait()
}

// recordAfter is how long an outcome waits for others to be recorded with it.
const recordAfter = 20 * time.Millisecond

// deliver keeps up to Parallel attempts in flight until ctx is done: it claims due
// transmissions whenever half the slots are free, so that a slow receiver holds up its own
// slot only, and records the outcomes as they come, together when they come close (one
// transaction for a fan-out's many receipts, each timed when its receiver answered).
func (w *Worker) deliver(ctx context.Context) {
	done := make(chan casework.TransmissionResult, w.cfg.Parallel)
	tick := time.NewTicker(w.cfg.Poll)
	defer tick.Stop()
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	stop := ctx.Done()
	var pending []casework.TransmissionResult
	inflight := 0
	record := func() {
		if len(pending) == 0 {
			return
		}
		if ctx.Err() != nil { // shutting down: only acceptances say something of the receiver
			pending = slices.DeleteFunc(pending, func(r casework.TransmissionResult) bool { return !r.Accepted })
		}
		if err := w.record(ctx, pending); err != nil {
			w.log.Error("delivery outcomes not recorded; they are sent again when their lease ends", "err", err)
		}
		pending = pending[:0]
	}
	for {
		if free := w.cfg.Parallel - inflight; free*2 >= w.cfg.Parallel && ctx.Err() == nil {
			out, err := w.svc.ClaimTransmissions(ctx, free)
			if err != nil && ctx.Err() == nil {
				w.log.Error("delivery claim failed", "err", err)
			}
			for _, o := range out {
				inflight++
				go func() { done <- w.send(ctx, o) }()
			}
		}
		if ctx.Err() != nil && inflight == 0 {
			record()
			return
		}
		select {
		case r := <-done:
			inflight--
			pending = append(pending, r)
			if len(pending) == 1 {
				flush.Reset(recordAfter)
			}
			if len(pending) >= w.cfg.Batch {
				record()
			}
		case <-flush.C:
			record()
		case <-w.wake:
		case <-tick.C:
		case <-stop:
			stop = nil // then wait for the attempts in flight, which the context cuts short
		}
	}
}

// Pass sends one batch of due transmissions, then runs one batch of due compliance checks;
// it returns how many it handled.
func (w *Worker) Pass(ctx context.Context) (int, error) {
	sent, err := w.Send(ctx)
	if err != nil {
		return sent, err
	}
	checked, err := w.Check(ctx)
	return sent + checked, err
}

// Send sends one batch of due transmissions, Parallel at a time, and records their outcomes
// in one transaction: a crash before it leaves them to be sent again, under the same ids,
// when their lease ends. The time of each receipt is when its receiver answered. Run does
// the same continuously; Send is one step of it, for tests and tools.
func (w *Worker) Send(ctx context.Context) (int, error) {
	out, err := w.svc.ClaimTransmissions(ctx, w.cfg.Batch)
	if err != nil || len(out) == 0 {
		return 0, err
	}
	results := make([]casework.TransmissionResult, len(out))
	w.parallel(len(out), func(i int) { results[i] = w.send(ctx, out[i]) })
	if ctx.Err() != nil {
		// Shutting down: an attempt cut short says nothing of its receiver. Record only the
		// acceptances; the rest are sent again when their lease ends.
		results = slices.DeleteFunc(results, func(r casework.TransmissionResult) bool { return !r.Accepted })
	}
	return len(out), w.record(ctx, results)
}

// Check runs one batch of due compliance checks, Parallel at a time.
func (w *Worker) Check(ctx context.Context) (int, error) {
	checks, err := w.svc.ClaimChecks(ctx, w.cfg.Batch)
	if err != nil || len(checks) == 0 {
		return 0, err
	}
	errs := make([]error, len(checks))
	w.parallel(len(checks), func(i int) { errs[i] = w.check(ctx, checks[i]) })
	return len(checks), errors.Join(errs...)
}

// parallel runs fn(0) … fn(n-1), Parallel at a time, and waits for them.
func (w *Worker) parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.cfg.Parallel)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(i)
		})
	}
	wg.Wait()
}

// send makes one attempt of one transmission and says what the receiver did, and when.
func (w *Worker) send(ctx context.Context, o *casework.Outgoing) casework.TransmissionResult {
	started := time.Now()
	var r casework.TransmissionResult
	switch o.Transmission.Transport {
	case takedown.TransportWebhook:
		r = w.postWebhook(ctx, o)
	case takedown.TransportEmail:
		r = w.sendEmail(ctx, o)
	default:
		r = casework.TransmissionResult{Reason: fmt.Sprintf("unknown transport %q", o.Transmission.Transport)}
	}
	w.latency.WithLabelValues(string(o.Transmission.Transport)).Observe(time.Since(started).Seconds())
	r.ID, r.At = o.Transmission.ID, w.cfg.Clock.Now()
	return r
}

// record records a batch's outcomes, counts them, and logs the alerts.
func (w *Worker) record(ctx context.Context, results []casework.TransmissionResult) error {
	recorded, err := w.svc.Transmitted(context.WithoutCancel(ctx), results)
	if err != nil {
		return fmt.Errorf("delivery: record %d transmissions: %w", len(results), err)
	}
	for _, m := range recorded {
		outcome := "retry"
		switch m.State {
		case takedown.TransmissionAccepted:
			outcome = "accepted"
		case takedown.TransmissionFailed:
			outcome = "failed"
			w.log.Error("delivery failed: the authority must reach the operator another way", "delivery", m.DeliveryID,
				"operator", m.OperatorID, "transport", m.Transport, "attempts", m.Attempts, "reason", m.LastError)
		}
		w.sent.WithLabelValues(string(m.Transport), outcome).Inc()
	}
	return nil
}

// postWebhook posts the signed payload to the operator's endpoint as configured now.
func (w *Worker) postWebhook(ctx context.Context, o *casework.Outgoing) casework.TransmissionResult {
	endpoint := o.Operator.Channels.Webhook
	if endpoint == "" {
		return casework.TransmissionResult{Reason: "the operator has no webhook endpoint any more"}
	}
	if u, err := url.Parse(endpoint); (err != nil || u.Scheme != "https") && !w.cfg.Fetch.AllowPrivate && !w.cfg.Fetch.AllowLoopback {
		// The payload names the content and the reasons: it never crosses a network in clear.
		return casework.TransmissionResult{Reason: "the webhook endpoint must be an https:// address (http:// only for tests and demos)"}
	}
	var secrets []webhook.Secret
	for _, s := range o.Secrets {
		sec, err := webhook.ParseSecret(s)
		if err != nil {
			return casework.TransmissionResult{Reason: fmt.Sprintf("stored webhook secret: %v", err)}
		}
		secrets = append(secrets, sec)
	}
	if len(secrets) == 0 {
		return casework.TransmissionResult{Retry: true, Reason: "the operator has no webhook secret yet: make one with takedown operator webhook-secret"}
	}
	body, err := Payload(o, w.cfg.BaseURL, time.Now())
	if err != nil {
		return casework.TransmissionResult{Reason: err.Error()}
	}
	resp := webhook.Post(ctx, w.hooks, endpoint, secrets, o.Transmission.MessageID, time.Now(), body)
	// An endpoint the guard refuses to reach stays refused: fail at once, with the alert.
	retry := resp.Retry && !errors.Is(resp.Err, fetch.ErrRefusedAddress)
	return casework.TransmissionResult{Accepted: resp.Accepted, Retry: retry, RetryAfter: resp.RetryAfter,
		Status: resp.Status, Reason: resp.Reason}
}

// check runs one round of compliance checks of a delivery's targets and records it.
func (w *Worker) check(ctx context.Context, c *casework.CheckDue) error {
	results := make([]takedown.ComplianceCheck, 0, len(c.Targets))
	for _, target := range c.Targets {
		var r fetch.Result
		if c.SearchAPI != "" {
			r = fetch.SearchCheck(ctx, w.checks, c.SearchAPI, target, time.Now())
		} else {
			r = fetch.Check(ctx, w.checks, target, time.Now())
		}
		w.checked.WithLabelValues(string(r.Outcome)).Inc()
		results = append(results, takedown.ComplianceCheck{Target: target, CheckedAt: r.CheckedAt, Status: r.Status,
			Digest: r.Digest, Size: r.Size, Outcome: takedown.CheckOutcome(r.Outcome), Reason: r.Reason})
	}
	if _, err := w.svc.Checked(context.WithoutCancel(ctx), c.Delivery.ID, results); err != nil {
		return fmt.Errorf("delivery: record checks of delivery %d: %w", c.Delivery.ID, err)
	}
	return nil
}

// Payload is the body of a delivery's webhook and the JSON attached to its e-mail, as
// docs/webhooks.md describes it: the Standard Webhooks envelope (type, timestamp, data)
// around the delivery, the measure as its operator sees it, its official form and the links
// to the form and to the answer endpoint.
func Payload(o *casework.Outgoing, baseURL string, now time.Time) ([]byte, error) {
	d := o.Delivery
	n := notice(o, baseURL)
	var form bytes.Buffer
	if err := forms.JSON(&form, n); err != nil {
		return nil, fmt.Errorf("delivery: form of delivery %d: %w", d.ID, err)
	}
	data := map[string]any{
		"delivery": d,
		"measure":  o.Measure,
		"form":     json.RawMessage(form.Bytes()),
		"links": map[string]string{
			"self":   fmt.Sprintf("%s/api/v1/deliveries/%d", baseURL, d.ID),
			"form":   fmt.Sprintf("%s/api/v1/deliveries/%d/form", baseURL, d.ID),
			"answer": n.AnswerURL,
		},
	}
	kind := "delivery." + string(d.Purpose)
	if o.Transmission.Clarification {
		kind = "delivery.clarification" // data.delivery.clarification holds it
	}
	b, err := json.Marshal(map[string]any{"type": kind, "timestamp": now.UTC().Format(time.RFC3339), "data": data})
	if err != nil {
		return nil, fmt.Errorf("delivery: payload of delivery %d: %w", d.ID, err)
	}
	return b, nil
}

// notice is the outgoing delivery's form with its answer link.
func notice(o *casework.Outgoing, baseURL string) forms.Notice {
	n := *o.Notice
	n.AnswerURL = fmt.Sprintf("%s/api/v1/deliveries/%d/answer", baseURL, o.Delivery.ID)
	return n
}

// sendEmail sends the delivery to the operator's point of contact: the form as text and
// HTML in the operator's language, with the form as PDF and the payload as JSON attached.
// The relay's acceptance is not the operator's receipt.
func (w *Worker) sendEmail(ctx context.Context, o *casework.Outgoing) casework.TransmissionResult {
	if w.cfg.Mail == nil {
		return casework.TransmissionResult{Reason: "this server has no SMTP relay (takedown serve --smtp): the e-mail cannot be sent"}
	}
	n := notice(o, w.cfg.BaseURL)
	var text, html, pdf bytes.Buffer
	for _, r := range []struct {
		buf    *bytes.Buffer
		render func(io.Writer, forms.Notice) error
	}{{&text, forms.Text}, {&html, forms.HTML}, {&pdf, forms.PDF}} {
		if err := r.render(r.buf, n); err != nil {
			return casework.TransmissionResult{Reason: fmt.Sprintf("form of delivery %d: %v", o.Delivery.ID, err)}
		}
	}
	payload, err := Payload(o, w.cfg.BaseURL, time.Now())
	if err != nil {
		return casework.TransmissionResult{Reason: err.Error()}
	}
	_, domain, _ := strings.Cut(w.cfg.Mail.From, "@")
	msg := email.Message{
		To:      []string{o.Operator.Contact},
		Subject: subject(o, n),
		Text:    text.String(), HTML: html.String(),
		Attachments: []email.Attachment{
			{Name: n.Reference + ".pdf", ContentType: "application/pdf", Data: pdf.Bytes()},
			{Name: n.Reference + ".json", ContentType: "application/json", Data: payload},
		},
		MessageID: "<" + o.Transmission.MessageID + "@" + strings.Trim(domain, "<> ") + ">",
		Headers:   map[string]string{"X-Takedown-Delivery": strconv.FormatInt(o.Delivery.ID, 10), "X-Takedown-Reference": n.Reference},
		Date:      time.Now(),
	}
	if err := email.Send(ctx, *w.cfg.Mail, msg); err != nil {
		return casework.TransmissionResult{Retry: !email.Permanent(err), Reason: err.Error()}
	}
	return casework.TransmissionResult{Accepted: true, Status: 250}
}

// subject is the e-mail's subject: the form's title and reference, marked when the e-mail
// carries the authority's clarification.
func subject(o *casework.Outgoing, n forms.Notice) string {
	s := forms.Title(n) + " — " + n.Reference
	if o.Transmission.Clarification {
		s = "Clarification — " + s
	}
	return s
}
