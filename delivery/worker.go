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
	// Poll is how often the outbox is read when nothing wakes the worker.
	Poll time.Duration
	// Batch is how many transmissions one pass claims; Parallel how many are sent at once.
	Batch    int
	Parallel int
	// Fetch configures the client of webhooks and compliance checks, which refuses private
	// addresses unless told otherwise (tests, a demo on loopback).
	Fetch fetch.Config
	// Mail is the SMTP relay; nil when the server has none, and e-mails then fail at once.
	Mail *email.Config
	// BaseURL is the server's public address, for the links in what is sent.
	BaseURL string
}

// DefaultConfig is the worker's configuration for production, without a mail relay.
func DefaultConfig() Config {
	return Config{Poll: 250 * time.Millisecond, Batch: 200, Parallel: 32, Fetch: fetch.Default(), BaseURL: "http://localhost:8080"}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Poll <= 0 || c.Batch < 1 || c.Parallel < 1 {
		return takedown.Invalid("delivery", "the poll interval, batch and parallelism must be positive")
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
	client *http.Client
	log    *slog.Logger
	wake   chan struct{}

	sent    *prometheus.CounterVec
	checked *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

// New returns a worker; its metrics are registered on reg when it is not nil.
func New(svc *casework.Service, cfg Config, log *slog.Logger, reg prometheus.Registerer) *Worker {
	w := &Worker{svc: svc, cfg: cfg, client: fetch.NewClient(cfg.Fetch), log: log, wake: make(chan struct{}, 1),
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

// Wake asks for a pass now (after a commit that queued deliveries).
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends and checks until ctx is done. A pass that found work is followed at once by
// another, so a large fan-out drains without waiting for the poll.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		n, err := w.Pass(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("delivery pass failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Pass sends one batch of due transmissions and runs one batch of due compliance checks; it
// returns how many it handled. The outcomes of the batch are recorded in one transaction: a
// crash before it leaves them to be sent again, under the same ids, when their lease ends.
func (w *Worker) Pass(ctx context.Context) (int, error) {
	out, err := w.svc.ClaimTransmissions(ctx, w.cfg.Batch)
	if err != nil {
		return 0, err
	}
	checks, err := w.svc.ClaimChecks(ctx, w.cfg.Batch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, w.cfg.Parallel)
	results := make([]casework.TransmissionResult, len(out))
	errs := make([]error, len(checks))
	for i, o := range out {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = w.send(ctx, o)
		}()
	}
	for i, c := range checks {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = w.check(ctx, c)
		}()
	}
	wg.Wait()
	if len(out) > 0 {
		err = w.record(ctx, out, results)
	}
	return len(out) + len(checks), errors.Join(append(errs, err)...)
}

// send makes one attempt of one transmission and says what the receiver did.
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
	r.ID = o.Transmission.ID
	return r
}

// record records a batch's outcomes, counts them, and logs the alerts.
func (w *Worker) record(ctx context.Context, out []*casework.Outgoing, results []casework.TransmissionResult) error {
	recorded, err := w.svc.Transmitted(context.WithoutCancel(ctx), results)
	if err != nil {
		return fmt.Errorf("delivery: record %d transmissions: %w", len(results), err)
	}
	for i, m := range recorded {
		outcome := "retry"
		switch m.State {
		case takedown.TransmissionAccepted:
			outcome = "accepted"
		case takedown.TransmissionFailed:
			outcome = "failed"
			w.log.Error("delivery failed: the authority must reach the operator another way", "delivery", out[i].Delivery.ID,
				"operator", out[i].Operator.ID, "transport", m.Transport, "attempts", m.Attempts, "reason", m.LastError)
		}
		w.sent.WithLabelValues(string(m.Transport), outcome).Inc()
	}
	return nil
}

// postWebhook posts the signed payload to the operator's endpoint as configured now.
func (w *Worker) postWebhook(ctx context.Context, o *casework.Outgoing) casework.TransmissionResult {
	if o.Operator.Channels.Webhook == "" {
		return casework.TransmissionResult{Reason: "the operator has no webhook endpoint any more"}
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
	resp := webhook.Post(ctx, w.client, o.Operator.Channels.Webhook, secrets, o.Transmission.MessageID, time.Now(), body)
	return casework.TransmissionResult{Accepted: resp.Accepted, Retry: resp.Retry, RetryAfter: resp.RetryAfter,
		Status: resp.Status, Reason: resp.Reason}
}

// check runs one round of compliance checks of a delivery's targets and records it.
func (w *Worker) check(ctx context.Context, c *casework.CheckDue) error {
	results := make([]takedown.ComplianceCheck, 0, len(c.Targets))
	for _, target := range c.Targets {
		var r fetch.Result
		if c.SearchAPI != "" {
			r = fetch.SearchCheck(ctx, w.client, c.SearchAPI, target, time.Now())
		} else {
			r = fetch.Check(ctx, w.client, target, time.Now())
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
	b, err := json.Marshal(map[string]any{"type": "delivery." + string(d.Purpose), "timestamp": now.UTC().Format(time.RFC3339),
		"data": data})
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
		Subject: forms.Title(n) + " — " + n.Reference,
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
