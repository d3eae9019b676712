package casework_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
)

// withWebhook gives an operator a webhook endpoint (and e-mail) and a first secret.
func (w *world) withWebhook(op *takedown.Operator) string {
	w.t.Helper()
	hook := "https://hooks.operator.example/takedown"
	o := must(w.svc.UpdateOperator(w.as(w.admin), op.ID, takedown.OperatorUpdate{Channels: &takedown.ChannelsUpdate{Webhook: &hook}}))(w.t)
	if !o.Channels.Email {
		w.t.Fatal("setting a webhook turned e-mail off")
	}
	s, err := w.svc.CreateWebhookSecret(w.as(w.admin), op.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return s.Secret
}

// transmitted records one attempt's outcome as the delivery worker does.
func (w *world) transmitted(id int64, r casework.TransmissionResult) (*takedown.Transmission, error) {
	r.ID = id
	list, err := w.svc.Transmitted(context.Background(), []casework.TransmissionResult{r})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

// claim claims the due transmissions as the delivery worker does.
func (w *world) claim() []*casework.Outgoing {
	w.t.Helper()
	return must(w.svc.ClaimTransmissions(context.Background(), 100))(w.t)
}

// TestOutbox follows a removal request through the outbox: one transmission per channel
// written with the delivery, a webhook that fails, is retried with a doubling wait, then
// accepted — which is the receipt that starts the deadline — and an e-mail that is refused
// for good, which fails with an alert.
func TestOutbox(t *testing.T) {
	w := newWorld(t)
	secret := w.withWebhook(w.host)
	c := w.approvedCase("https://video.host.test/v/outbox-1")
	m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)

	out := w.claim()
	if len(out) != 4 {
		t.Fatalf("claimed %d transmissions, want the webhook and e-mail of the action, and the ISPs' e-mailed information", len(out))
	}
	var hook, mail *casework.Outgoing
	for _, o := range out {
		if o.Delivery.ID != action.ID {
			continue
		}
		switch o.Transmission.Transport {
		case takedown.TransportWebhook:
			hook = o
		case takedown.TransportEmail:
			mail = o
		}
	}
	if hook == nil || mail == nil {
		t.Fatalf("the action's transmissions are missing: %+v", out)
	}
	if len(hook.Secrets) != 1 || hook.Secrets[0] != secret || hook.Measure == nil || hook.Operator.ID != w.host.ID {
		t.Fatalf("webhook transmission carries secrets %d, measure %v", len(hook.Secrets), hook.Measure)
	}
	if !strings.HasPrefix(hook.Transmission.MessageID, "msg_") || hook.Transmission.Attempts != 1 {
		t.Errorf("message id %q attempts %d", hook.Transmission.MessageID, hook.Transmission.Attempts)
	}
	if again := w.claim(); len(again) != 0 {
		t.Fatalf("claimed %d transmissions while the first attempts are leased", len(again))
	}

	// The webhook fails twice: retried after 30 s, then after 1 min.
	id := hook.Transmission.ID
	for i, wait := range []time.Duration{30 * time.Second, time.Minute} {
		tr := must(w.transmitted(id, casework.TransmissionResult{Retry: true, Status: 503, Reason: "HTTP 503"}))(t)
		if tr.State != takedown.TransmissionPending || !tr.NextAttemptAt.Equal(w.clock.Now().Add(wait)) {
			t.Fatalf("after failure %d: %s next at %v, want pending in %s", i+1, tr.State, tr.NextAttemptAt, wait)
		}
		w.clock.Advance(wait)
		if got := w.claim(); len(got) != 1 || got[0].Transmission.MessageID != hook.Transmission.MessageID {
			t.Fatalf("retry %d claimed %d, want the same message again", i+1, len(got))
		}
	}
	if d := w.delivery(action.ID); d.Deadline != takedown.DeadlineAwaitingReceipt {
		t.Fatalf("deadline before any receipt: %s", d.Deadline)
	}
	receivedAt := w.clock.Now()
	tr := must(w.transmitted(id, casework.TransmissionResult{Accepted: true, Status: 204}))(t)
	if tr.State != takedown.TransmissionAccepted || tr.Attempts != 3 {
		t.Fatalf("accepted transmission: %s after %d attempts", tr.State, tr.Attempts)
	}
	d := w.delivery(action.ID)
	if d.ReceivedVia != takedown.ViaWebhook || !d.AcknowledgedAt.Equal(receivedAt) || !d.DeadlineAt.Equal(receivedAt.Add(24*time.Hour)) {
		t.Fatalf("receipt via %s at %v, deadline %v; want webhook at %v, 24 h later", d.ReceivedVia, d.AcknowledgedAt, d.DeadlineAt, receivedAt)
	}
	// A late duplicate outcome changes nothing: it is never sent again.
	before := w.snapshot()
	must(w.transmitted(id, casework.TransmissionResult{Retry: true, Reason: "timeout"}))(t)
	if w.snapshot() != before {
		t.Error("an outcome for an accepted transmission changed the store")
	}

	// The relay refuses the e-mail for good: failed at once, with its alert.
	tr = must(w.transmitted(mail.Transmission.ID, casework.TransmissionResult{Status: 550, Reason: "550 no such mailbox"}))(t)
	if tr.State != takedown.TransmissionFailed || tr.FailedAt == nil {
		t.Fatalf("refused e-mail: %s", tr.State)
	}
	if n := w.countEvents(takedown.EventTransmissionFailed); n != 1 {
		t.Errorf("transmission_failed events = %d, want 1", n)
	}
	failed := mustList(w.svc.Transmissions(w.as(w.controller), takedown.TransmissionFilter{State: takedown.TransmissionFailed}))(t)
	if len(failed) != 1 || failed[0].ID != mail.Transmission.ID {
		t.Errorf("failed transmissions seen by the controller: %+v", failed)
	}
	mine := mustList(w.svc.Transmissions(w.asOperator(w.platform), takedown.TransmissionFilter{}))(t)
	if len(mine) != 0 {
		t.Errorf("the platform sees %d transmissions of the host", len(mine))
	}
}

// TestOutboxGivesUp shows a receiver that never recovers: retried with a wait that grows to
// the maximum, then failed once the configured time has run out.
func TestOutboxGivesUp(t *testing.T) {
	w := newWorld(t)
	cfg := casework.DefaultOutbox()
	cfg.GiveUp = 3 * time.Hour
	w.svc.WithOutbox(cfg, nil)
	w.withWebhook(w.platform)
	c := w.approvedCase("https://social.platform.test/p/outbox-2")
	w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.platform.ID})
	var last *takedown.Transmission
	for range 20 {
		var hook *casework.Outgoing
		for _, o := range w.claim() {
			if o.Transmission.Transport == takedown.TransportWebhook {
				hook = o
			} else {
				must(w.transmitted(o.Transmission.ID, casework.TransmissionResult{Accepted: true}))(t)
			}
		}
		if hook == nil {
			break
		}
		last = must(w.transmitted(hook.Transmission.ID, casework.TransmissionResult{Retry: true, Reason: "timeout"}))(t)
		if last.State != takedown.TransmissionPending {
			break
		}
		if wait := last.NextAttemptAt.Sub(w.clock.Now()); wait > cfg.MaxRetry {
			t.Fatalf("wait %s beyond the maximum %s", wait, cfg.MaxRetry)
		}
		w.clock.Advance(last.NextAttemptAt.Sub(w.clock.Now()))
	}
	if last == nil || last.State != takedown.TransmissionFailed {
		t.Fatalf("after 3 h of failures: %+v, want failed", last)
	}
	if got := last.FailedAt.Sub(last.CreatedAt); got < cfg.GiveUp {
		t.Errorf("failed after %s, before the %s to give up", got, cfg.GiveUp)
	}
	if n := w.countEvents(takedown.EventTransmissionFailed); n != 1 {
		t.Errorf("transmission_failed events = %d, want 1", n)
	}
}

// TestWebhookSecretRotation shows the overlap: after a new secret, the old one still signs
// for the configured time, then only the new one does; an operator rotates its own secret
// only.
func TestWebhookSecretRotation(t *testing.T) {
	w := newWorld(t)
	first := w.withWebhook(w.host)
	w.clock.Advance(time.Hour)
	made, err := w.svc.CreateWebhookSecret(w.asOperator(w.host), w.host.ID)
	if err != nil {
		t.Fatal(err)
	}
	second := made.Secret
	if made.PreviousSignUntil == nil || !made.PreviousSignUntil.Equal(w.clock.Now().Add(casework.DefaultOutbox().SecretOverlap)) {
		t.Errorf("previous secrets sign until %v", made.PreviousSignUntil)
	}
	if first == second || !strings.HasPrefix(second, "whsec_") {
		t.Fatalf("new secret %q", second)
	}
	_, err = w.svc.CreateWebhookSecret(w.asOperator(w.platform), w.host.ID)
	wantCode(t, err, takedown.EFORBIDDEN)
	_, err = w.svc.CreateWebhookSecret(w.as(w.officer), w.host.ID)
	wantCode(t, err, takedown.EFORBIDDEN)

	n := 0
	signing := func() []string {
		t.Helper()
		n++
		c := w.approvedCase(fmt.Sprintf("https://video.host.test/v/rotate-%d", n))
		w.issue(c.ID, takedown.MeasureInput{Kind: takedown.Referral, OperatorID: w.host.ID})
		for _, o := range w.claim() {
			must(w.transmitted(o.Transmission.ID, casework.TransmissionResult{Accepted: true}))(t)
			if o.Transmission.Transport == takedown.TransportWebhook {
				return o.Secrets
			}
		}
		t.Fatal("no webhook transmission")
		return nil
	}
	if got := signing(); len(got) != 2 || got[0] != second || got[1] != first {
		t.Fatalf("during the overlap %d secrets sign, want the new then the old", len(got))
	}
	w.clock.Advance(casework.DefaultOutbox().SecretOverlap)
	if got := signing(); len(got) != 1 || got[0] != second {
		t.Fatalf("after the overlap %d secrets sign, want the new one only", len(got))
	}
	if strings.Contains(w.snapshot(), strings.TrimPrefix(second, "whsec_")) {
		t.Error("the secret is stored in clear")
	}
}

// TestUnreceivedAlert: a removal request its operator never receives has no deadline to
// miss; once the outbox's time to give up has passed, the scheduler records it once, as an
// alert, so that the authority reaches the operator another way.
func TestUnreceivedAlert(t *testing.T) {
	w := newWorld(t)
	c := w.approvedCase("https://video.host.test/v/lost-1")
	w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	if res := w.tick(casework.DefaultOutbox().GiveUp - time.Minute); res.Unreceived != 0 {
		t.Fatalf("unreceived before the time to give up: %d", res.Unreceived)
	}
	if res := w.tick(2 * time.Minute); res.Unreceived != 1 || res.Overdue != 0 {
		t.Fatalf("after the time to give up: %+v, want one unreceived, none overdue", res)
	}
	if res := w.tick(time.Hour); res.Unreceived != 0 {
		t.Errorf("recorded again: %d", res.Unreceived)
	}
	if n := w.countEvents(takedown.EventDeliveryUnreceived); n != 1 {
		t.Errorf("delivery.unreceived events = %d, want 1", n)
	}
}

// TestWithdrawnBeforeSent: a measure withdrawn before its webhook went out is not sent; its
// withdrawal is.
func TestWithdrawnBeforeSent(t *testing.T) {
	w := newWorld(t)
	w.withWebhook(w.host)
	c := w.approvedCase("https://video.host.test/v/withdrawn-1")
	m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
	must(w.svc.WithdrawMeasure(w.as(w.officer), m.ID, "Issued in error."))(t)
	for _, o := range w.claim() {
		if o.Delivery.ID == action.ID {
			t.Errorf("the withdrawn action was claimed for sending by %s", o.Transmission.Transport)
		}
	}
	for _, m := range mustList(w.svc.Transmissions(w.as(w.officer), takedown.TransmissionFilter{DeliveryID: action.ID}))(t) {
		if m.State != takedown.TransmissionCancelled {
			t.Errorf("transmission %d of the withdrawn action: %s", m.ID, m.State)
		}
	}
}

// TestClarificationReceiptIsItsOwn: after a cannot-comply and the authority's clarification,
// the deadline restarts from the receipt of the clarification itself — not from a late retry
// of the original webhook, nor from a feed fetch — and the wait raises no alert before its
// own time to give up.
func TestClarificationReceiptIsItsOwn(t *testing.T) {
	w := newWorld(t)
	w.withWebhook(w.host)
	c := w.approvedCase("https://video.host.test/v/clarify-1")
	m := w.issue(c.ID, takedown.MeasureInput{Kind: takedown.RemovalRequest, OperatorID: w.host.ID})
	action := w.deliveryTo(m.ID, w.host, takedown.PurposeAction)
	var original *casework.Outgoing
	for _, o := range w.claim() {
		if o.Delivery.ID == action.ID && o.Transmission.Transport == takedown.TransportWebhook {
			original = o
		}
	}
	must(w.transmitted(original.Transmission.ID, casework.TransmissionResult{Retry: true, Reason: "timeout"}))(t)
	w.receive(m.ID, w.host) // the desk acknowledges through the API meanwhile
	must(w.svc.Answer(w.asOperator(w.host), action.ID, takedown.AnswerInput{Kind: takedown.AnswerCannotComply,
		Reason: takedown.ReasonInsufficientInformation, Text: "Which video?"}))(t)
	w.clock.Advance(8 * time.Hour)
	must(w.svc.Clarify(w.as(w.officer), action.ID, "The second video of the page."))(t)

	// The original webhook's retry is accepted now: it is not the clarification.
	must(w.transmitted(original.Transmission.ID, casework.TransmissionResult{Accepted: true, Status: 204}))(t)
	if d := w.delivery(action.ID); d.Deadline != takedown.DeadlineAwaitingReceipt {
		t.Fatalf("a retry of the original restarted the deadline: %s %v", d.Deadline, d.DeadlineAt)
	}
	if res := w.tick(time.Minute); res.Unreceived != 0 {
		t.Errorf("the clarification's wait raised an alert at once: %+v", res)
	}
	var clar *casework.Outgoing
	for _, o := range w.claim() {
		if o.Transmission.Clarification && o.Transmission.Transport == takedown.TransportWebhook {
			clar = o
		}
	}
	if clar == nil || clar.Notice.Clarification != "The second video of the page." {
		t.Fatalf("the clarification's webhook does not carry it: %+v", clar)
	}
	receivedAt := w.clock.Now()
	must(w.transmitted(clar.Transmission.ID, casework.TransmissionResult{Accepted: true, Status: 204}))(t)
	d := w.delivery(action.ID)
	if d.DeadlineAt == nil || !d.DeadlineAt.Equal(receivedAt.Add(24*time.Hour)) || d.NextCheckAt == nil {
		t.Fatalf("after the clarification's receipt: deadline %v, next check %v", d.DeadlineAt, d.NextCheckAt)
	}
}
