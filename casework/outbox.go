package casework

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/delivery/forms"
)

// OutboxConfig says how deliveries are retried, given up and checked.
type OutboxConfig struct {
	// FirstRetry is the wait after a first failed attempt; each further failure doubles it,
	// up to MaxRetry. A receiver's Retry-After is honoured within MaxRetry.
	FirstRetry time.Duration
	MaxRetry   time.Duration
	// GiveUp is how long after its delivery a transmission that keeps failing is marked
	// failed, with an alert for the authority.
	GiveUp time.Duration
	// Lease is how long an attempt in progress holds its transmission or check: a worker
	// that dies mid-attempt is retried then.
	Lease time.Duration
	// SecretOverlap is how long an operator's previous webhook secret still signs after a
	// new one is made, so that the operator can switch without losing a delivery.
	SecretOverlap time.Duration
	// CheckInterval is the wait between compliance checks of a delivery whose content is
	// still there or could not be checked; MaxChecks is how many are made in all.
	CheckInterval time.Duration
	MaxChecks     int
}

// DefaultOutbox is the outbox's configuration unless the server is told otherwise.
func DefaultOutbox() OutboxConfig {
	return OutboxConfig{FirstRetry: 30 * time.Second, MaxRetry: time.Hour, GiveUp: 6 * time.Hour, Lease: 2 * time.Minute,
		SecretOverlap: 24 * time.Hour, CheckInterval: 6 * time.Hour, MaxChecks: 4}
}

// Validate checks the configuration.
func (c OutboxConfig) Validate() error {
	switch {
	case c.FirstRetry <= 0 || c.MaxRetry < c.FirstRetry:
		return takedown.Invalid("outbox", "the first retry must be positive and the longest wait at least as long")
	case c.GiveUp < c.FirstRetry:
		return takedown.Invalid("outbox", "giving up (%s) must come after the first retry (%s)", c.GiveUp, c.FirstRetry)
	case c.Lease <= 0 || c.CheckInterval <= 0 || c.MaxChecks < 1 || c.SecretOverlap < 0:
		return takedown.Invalid("outbox", "the lease and check interval must be positive, with at least one check")
	}
	return nil
}

// WithOutbox sets how deliveries are retried and checked, and what to call when a commit has
// queued something to send (the delivery worker's Wake).
func (s *Service) WithOutbox(c OutboxConfig, onQueued func()) *Service {
	s.outbox, s.onQueued = c, onQueued
	return s
}

// queue writes into the outbox, in the delivery's transaction, one transmission for each of
// the operator's channels: of the delivery, or of the authority's clarification of it. The
// message id, the receivers' idempotency key, is random so that it never repeats across
// databases.
func (s *Service) queue(tx takedown.Tx, d *takedown.Delivery, op *takedown.Operator, clarification bool) error {
	var transports []takedown.Transport
	if op.Channels.Webhook != "" {
		transports = append(transports, takedown.TransportWebhook)
	}
	if op.Channels.Email {
		transports = append(transports, takedown.TransportEmail)
	}
	for _, t := range transports {
		nonce := make([]byte, 6)
		if _, err := rand.Read(nonce); err != nil {
			return fmt.Errorf("casework: message id: %w", err)
		}
		m := &takedown.Transmission{DeliveryID: d.ID, OperatorID: d.OperatorID, Transport: t, Clarification: clarification,
			MessageID: fmt.Sprintf("msg_%d_%s_%s", d.ID, t, hex.EncodeToString(nonce)),
			State:     takedown.TransmissionPending, CreatedAt: tx.Now(), NextAttemptAt: tx.Now()}
		if err := tx.CreateTransmission(m); err != nil {
			return err
		}
		s.queued.Store(true)
	}
	return nil
}

// Outgoing is one transmission due, with what sending it needs.
type Outgoing struct {
	Transmission *takedown.Transmission
	Delivery     *takedown.Delivery
	// Measure is the measure as its operator sees it; nil for an advance information, which
	// precedes an order the operator may not see yet.
	Measure  *takedown.Measure
	Operator *takedown.Operator
	// Notice is the delivery's official form, without its AnswerURL.
	Notice *forms.Notice
	// Secrets are the webhook secrets that sign now ("whsec_…"), newest first.
	Secrets []string
}

// ClaimTransmissions takes up to limit due transmissions for sending: each attempt is
// counted and leased, so that a worker that dies mid-attempt leaves it to be retried when
// the lease ends. A transmission of a delivery cancelled since (its measure was withdrawn)
// is cancelled, not sent: the withdrawal is. Only the server's delivery worker calls it.
func (s *Service) ClaimTransmissions(ctx context.Context, limit int) ([]*Outgoing, error) {
	due := takedown.TransmissionFilter{Due: true, Page: takedown.Page{Limit: 1}}
	if found, err := s.anyDue(ctx, func(tx takedown.Tx) (bool, error) {
		list, _, err := tx.Transmissions(due)
		return len(list) > 0, err
	}); err != nil || !found {
		return nil, err
	}
	var out []*Outgoing
	err := s.update(ctx, func(tx takedown.Tx) error {
		due, _, err := tx.Transmissions(takedown.TransmissionFilter{Due: true, Page: takedown.Page{Limit: limit}})
		if err != nil {
			return err
		}
		now := tx.Now()
		// A list change goes to every recipient: read its measure once per batch.
		measures := map[int64]*takedown.Measure{}
		for _, m := range due {
			o := &Outgoing{Transmission: m}
			if o.Delivery, err = tx.Delivery(m.DeliveryID); err != nil {
				return err
			}
			if o.Delivery.State == takedown.DeliveryCancelled {
				m.State, m.LastError = takedown.TransmissionCancelled, "the measure ended before it was sent; the notice of its ending is"
				if err := tx.UpdateTransmission(m); err != nil {
					return err
				}
				continue
			}
			m.Attempts++
			m.LastAttemptAt, m.NextAttemptAt = &now, now.Add(s.outbox.Lease)
			if err := tx.UpdateTransmission(m); err != nil {
				return err
			}
			if o.Operator, err = tx.Operator(m.OperatorID); err != nil {
				return err
			}
			measure := measures[o.Delivery.MeasureID]
			if measure == nil {
				if measure, err = tx.Measure(o.Delivery.MeasureID); err != nil {
					return err
				}
				measures[measure.ID] = measure
			}
			if o.Delivery.Purpose != takedown.PurposeAdvanceInformation {
				o.Measure = measure
			}
			if o.Notice, err = s.notice(tx, o.Delivery, measure, o.Operator); err != nil {
				return err
			}
			if m.Transport == takedown.TransportWebhook {
				if o.Secrets, err = s.signingSecrets(tx, m.OperatorID); err != nil {
					return err
				}
			}
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// TransmissionResult is what the receiver of one attempt did.
type TransmissionResult struct {
	// ID is the transmission's.
	ID int64
	// At is when the receiver answered, by the service's clock: the time of an accepted
	// webhook's receipt. The transaction's time when zero.
	At time.Time
	// Accepted: the receiver took the delivery (a webhook's 2xx, the relay's acceptance).
	Accepted bool
	// Retry: the failure may pass (a timeout, a 5xx, a 4xx of an SMTP relay); otherwise the
	// receiver refused it for good.
	Retry bool
	// RetryAfter is the receiver's own request to wait (HTTP Retry-After).
	RetryAfter time.Duration
	Status     int
	Reason     string
}

// Transmitted records the outcomes of attempts, in one transaction. An accepted webhook is
// the operator's receipt, which starts the deadline; a transmission that is refused for
// good, or still fails once the outbox gives up, is marked failed with a
// delivery.transmission_failed event: the alert. It returns the transmissions as recorded.
func (s *Service) Transmitted(ctx context.Context, results []TransmissionResult) ([]*takedown.Transmission, error) {
	var out []*takedown.Transmission
	err := s.update(ctx, func(tx takedown.Tx) error {
		out = out[:0]
		for _, r := range results {
			m, err := s.transmitted(tx, r)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// transmitted records the outcome of one attempt.
func (s *Service) transmitted(tx takedown.Tx, r TransmissionResult) (*takedown.Transmission, error) {
	m, err := tx.Transmission(r.ID)
	if err != nil || m.State != takedown.TransmissionPending {
		return m, err // a transmission another attempt already settled is left alone
	}
	now := tx.Now()
	m.LastStatus, m.LastError = r.Status, r.Reason
	d, err := tx.Delivery(m.DeliveryID)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Accepted:
		m.State, m.AcceptedAt, m.LastError = takedown.TransmissionAccepted, &now, ""
		if err := record(tx, schedulerUser, event{kind: takedown.EventDeliveryTransmitted, caseID: d.CaseID, measureID: d.MeasureID,
			operator: d.OperatorID, data: map[string]any{"delivery_id": d.ID, "transport": m.Transport, "message_id": m.MessageID,
				"attempts": m.Attempts, "status": r.Status}}); err != nil {
			return nil, err
		}
		// Awaiting a clarification's receipt, only the clarification's own webhook is it.
		if m.Transport == takedown.TransportWebhook && awaitingReceipt(d) && (m.Clarification || d.Clarification == nil) {
			at := r.At
			if at.IsZero() || at.After(now) {
				at = now
			}
			if err := s.receive(tx, d, takedown.ViaWebhook, at); err != nil {
				return nil, err
			}
			if err := tx.UpdateDelivery(d); err != nil {
				return nil, err
			}
			if err := record(tx, schedulerUser, event{kind: takedown.EventDeliveryAnswered, caseID: d.CaseID, measureID: d.MeasureID,
				operator: d.OperatorID, data: map[string]any{"delivery_id": d.ID, "answer": takedown.AnswerAcknowledge,
					"via": takedown.ViaWebhook, "clarification": m.Clarification, "deadline_at": d.DeadlineAt}}); err != nil {
				return nil, err
			}
		}
	case !r.Retry || now.Sub(m.CreatedAt) >= s.outbox.GiveUp:
		m.State, m.FailedAt = takedown.TransmissionFailed, &now
		if err := record(tx, schedulerUser, event{kind: takedown.EventTransmissionFailed, caseID: d.CaseID, measureID: d.MeasureID,
			operator: d.OperatorID, data: map[string]any{"delivery_id": d.ID, "transport": m.Transport, "message_id": m.MessageID,
				"attempts": m.Attempts, "status": r.Status, "reason": r.Reason}}); err != nil {
			return nil, err
		}
	default:
		m.NextAttemptAt = now.Add(max(s.backoff(m.Attempts), min(r.RetryAfter, s.outbox.MaxRetry)))
	}
	return m, tx.UpdateTransmission(m)
}

// backoff is the wait after the given number of failed attempts: FirstRetry doubled each
// time, up to MaxRetry.
func (s *Service) backoff(attempts int) time.Duration {
	wait := s.outbox.FirstRetry
	for i := 1; i < attempts && wait < s.outbox.MaxRetry; i++ {
		wait *= 2
	}
	return min(wait, s.outbox.MaxRetry)
}

// awaitingReceipt reports whether d waits for its operator's receipt: of the delivery
// itself, or of the authority's clarification that restarts a stopped deadline.
func awaitingReceipt(d *takedown.Delivery) bool {
	return d.State == takedown.DeliverySent
}

// receive records the operator's receipt of d, through via, at time at: the first receipt
// of the delivery, or the receipt of a clarification. The deadline of an addressed measure
// runs from it (TCO art. 3(3): "within one hour of receipt"; art. 3(8): from the receipt of
// the clarification); a list's ran from its publication in the zone or feed the operator
// pulls. The caller writes d.
func (s *Service) receive(tx takedown.Tx, d *takedown.Delivery, via takedown.ReceiptVia, at time.Time) error {
	if d.AcknowledgedAt == nil {
		d.AcknowledgedAt, d.ReceivedVia = &at, via
	}
	if !awaitingReceipt(d) {
		return nil
	}
	if d.HasDeadline && d.DeadlineAt == nil {
		rule, err := s.rule(d.Kind)
		if err != nil {
			return err
		}
		due := at.Add(rule.Deadline.Duration)
		d.DeadlineAt = &due
		if checked(d) {
			d.NextCheckAt = &due
		}
	}
	d.State = takedown.DeliveryAcknowledged
	return nil
}

// checked reports whether a delivery's compliance is checked once its deadline passes or its
// operator says it complied: a removal, by fetching its targets; a dereferencing, through the
// search engine's API when it has one.
func checked(d *takedown.Delivery) bool {
	return d.Purpose == takedown.PurposeAction &&
		(d.Kind == takedown.RemovalRequest || d.Kind == takedown.RemovalOrder || d.Kind == takedown.Dereferencing)
}

// Transmissions lists the outbox's transmissions: the authority and the controller see
// every one (state=failed lists the alerts), an operator its own.
func (s *Service) Transmissions(ctx context.Context, f takedown.TransmissionFilter) ([]*takedown.Transmission, string, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if f.State != "" && !slices.Contains(takedown.TransmissionStates, f.State) {
		return nil, "", takedown.Invalid("state", "must be one of %s", orList(takedown.TransmissionStates))
	}
	if u.Role == takedown.RoleOperator {
		f.OperatorID = u.OperatorID
	}
	f.Due = false
	var list []*takedown.Transmission
	var next string
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Transmissions(f)
		return err
	})
	return list, next, err
}
