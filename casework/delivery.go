package casework

import (
	"context"
	"time"

	"github.com/takedown-project/takedown"
)

// Notice returns a delivery with the measure it is about, read together: what its operator
// sees of it. An advance information about an order not yet issued carries no measure.
func (s *Service) Notice(ctx context.Context, id int64) (*takedown.Delivery, *takedown.Measure, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, nil, err
	}
	var d *takedown.Delivery
	var m *takedown.Measure
	err = s.view(ctx, func(tx takedown.Tx) error {
		if d, err = deliveryFor(tx, u, id); err != nil {
			return err
		}
		m, err = operatorView(tx, u, d.MeasureID)
		if takedown.ErrorCode(err) == takedown.EFORBIDDEN {
			m, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return d, m, nil
}

// deliveryFor reads a delivery u may see: any for the authority and the controller, its own
// for an operator.
func deliveryFor(tx takedown.Tx, u *takedown.User, id int64) (*takedown.Delivery, error) {
	d, err := tx.Delivery(id)
	if err != nil {
		return nil, err
	}
	if u.Role == takedown.RoleOperator && d.OperatorID != u.OperatorID {
		return nil, forbidden("delivery %d is addressed to another operator", id)
	}
	return d, nil
}

// Deliveries lists deliveries with their deadline status; an operator lists its own.
func (s *Service) Deliveries(ctx context.Context, f takedown.DeliveryFilter) ([]*takedown.Delivery, string, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	if f.Deadline != "" && !f.Deadline.Valid() {
		return nil, "", takedown.Invalid("deadline", "must be one of none, running, paused, met, missed, overdue, cancelled")
	}
	if u.Role == takedown.RoleOperator {
		f.OperatorID = u.OperatorID
	}
	var list []*takedown.Delivery
	var next string
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Deliveries(f)
		return err
	})
	return list, next, err
}

// DeadlineCounts counts deliveries with a deadline by status: how many run, are stopped, were
// met or missed, and how many are overdue now.
func (s *Service) DeadlineCounts(ctx context.Context) (map[takedown.DeadlineStatus]int, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var counts map[takedown.DeadlineStatus]int
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		counts, err = tx.CountDeadlines()
		return err
	})
	return counts, err
}

// Gauges are the counts a monitoring system watches.
type Gauges struct {
	Deadlines   map[takedown.DeadlineStatus]int
	RechecksDue int // lists in force past their re-check date: the law's quarter is exceeded
	LogSize     int64
	// Published is the size of the latest published checkpoint, and SignedAt when it was
	// signed (zero before the first): events stay unpublished when signing or the witness fails.
	Published int64
	SignedAt  time.Time
}

// Gauges counts deliveries by deadline status and the re-checks past due. It returns only
// aggregate counts, for the metrics endpoint, which has its own credential.
func (s *Service) Gauges(ctx context.Context) (Gauges, error) {
	var g Gauges
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		if g.Deadlines, err = tx.CountDeadlines(); err != nil {
			return err
		}
		if g.RechecksDue, err = tx.CountRechecksDue(); err != nil {
			return err
		}
		if g.LogSize, err = tx.LogSize(); err != nil {
			return err
		}
		cp, err := optional(tx.LatestCheckpoint())
		if cp != nil {
			g.Published, g.SignedAt = cp.Size, cp.SignedAt
		}
		return err
	})
	return g, err
}

// Answer records an operator's answer to a delivery addressed to it. Acknowledging twice is
// harmless; every other answer must fit the delivery's purpose and state.
func (s *Service) Answer(ctx context.Context, id int64, in takedown.AnswerInput) (*takedown.Delivery, error) {
	u, err := require(ctx, takedown.RoleOperator)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var d *takedown.Delivery
	err = s.update(ctx, func(tx takedown.Tx) error {
		if d, err = deliveryFor(tx, u, id); err != nil {
			return err
		}
		if d.State == takedown.DeliveryCancelled {
			return conflict("measure %d was withdrawn; delivery %d needs no answer any more", d.MeasureID, id)
		}
		now := tx.Now()
		if in.Kind == takedown.AnswerAcknowledge && !awaitingReceipt(d) {
			return nil
		}
		// Any answer is a receipt (of the delivery, or of the clarification it waits for),
		// whichever came first.
		if err := s.receive(tx, d, takedown.ViaAPI, now); err != nil {
			return err
		}
		if in.Kind != takedown.AnswerAcknowledge {
			if err := s.checkAnswer(d, in.Kind, now); err != nil {
				return err
			}
		}
		switch in.Kind {
		case takedown.AnswerComply:
			if in.ActedAt != nil && (in.ActedAt.After(now) || in.ActedAt.Before(d.SentAt)) {
				return takedown.Invalid("acted_at", "must be between the sending of delivery %d (%s) and now", d.ID, s.local(d.SentAt))
			}
			d.State, d.CompliedAt = takedown.DeliveryComplied, &now
			if checked(d) {
				d.NextCheckAt = &now // verify the removal now
			}
		case takedown.AnswerCannotComply:
			d.State, d.DeadlineAt = takedown.DeliveryCannotComply, nil
		case takedown.AnswerDispute:
			d.State = takedown.DeliveryDisputed
		case takedown.AnswerDecline:
			d.State = takedown.DeliveryDeclined
		}
		if in.Kind != takedown.AnswerAcknowledge {
			d.Answer = &takedown.Answer{Kind: in.Kind, Reason: in.Reason, Text: in.Text, ActedAt: in.ActedAt, By: u.ID, At: now}
		}
		if err := tx.UpdateDelivery(d); err != nil {
			return err
		}
		if err := record(tx, u, event{kind: takedown.EventDeliveryAnswered, caseID: d.CaseID, measureID: d.MeasureID, operator: d.OperatorID,
			data: map[string]any{"delivery_id": d.ID, "answer": in.Kind, "reason": in.Reason, "text": in.Text, "acted_at": in.ActedAt,
				"deadline_at": d.DeadlineAt}}); err != nil {
			return err
		}
		return s.answerEndsMeasure(tx, u, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// checkAnswer checks that an answer other than an acknowledgement fits the delivery at
// time now.
func (s *Service) checkAnswer(d *takedown.Delivery, kind takedown.AnswerKind, now time.Time) error {
	field := "kind"
	switch {
	case d.Purpose != takedown.PurposeAction && d.Purpose != takedown.PurposeRestoration:
		return takedown.Invalid(field, "delivery %d is a %s; it can only be acknowledged", d.ID, d.Purpose)
	case !d.Answerable():
		return conflict("delivery %d was already answered: %s", d.ID, d.State)
	}
	switch kind {
	case takedown.AnswerComply:
		return nil
	case takedown.AnswerDecline:
		if d.Kind != takedown.Referral {
			return takedown.Invalid(field, "only a referral can be declined; a %s is not optional: comply, say why you cannot comply, or dispute it", d.Kind)
		}
		return nil
	}
	// cannot_comply and dispute
	switch {
	case d.Kind == takedown.Referral:
		return takedown.Invalid(field, "a referral is assessed under your own terms: comply or decline it")
	case d.Purpose == takedown.PurposeRestoration:
		return takedown.Invalid(field, "a restoration can be acknowledged or complied with")
	case kind == takedown.AnswerCannotComply && d.State != takedown.DeliverySent && d.State != takedown.DeliveryAcknowledged:
		return conflict("delivery %d is %s; cannot_comply is possible only before any other answer", d.ID, d.State)
	case kind == takedown.AnswerCannotComply && d.DeadlineAt != nil && now.After(*d.DeadlineAt):
		// Stopping the clock after it ran out would erase the missed deadline.
		return precondition("the deadline of delivery %d passed on %s; cannot_comply must be declared before it. Comply, or dispute the measure",
			d.ID, s.local(*d.DeadlineAt))
	case kind == takedown.AnswerDispute && d.State == takedown.DeliveryCannotComply:
		return conflict("delivery %d waits for the authority's clarification of your cannot_comply; you may dispute the measure once it is clarified", d.ID)
	case kind == takedown.AnswerDispute && d.State == takedown.DeliveryDisputed:
		return conflict("delivery %d is already disputed; the authority will answer", d.ID)
	}
	return nil
}

// answerEndsMeasure ends an addressed measure when its operator complied (or declined a
// referral). Lists stay in force whatever one recipient answers.
func (s *Service) answerEndsMeasure(tx takedown.Tx, u *takedown.User, d *takedown.Delivery) error {
	if d.Purpose != takedown.PurposeAction || d.Kind.IsList() {
		return nil
	}
	var st takedown.MeasureState
	switch d.State {
	case takedown.DeliveryComplied:
		st = takedown.MeasureComplied
	case takedown.DeliveryDeclined:
		st = takedown.MeasureDeclined
	default:
		return nil
	}
	m, err := tx.Measure(d.MeasureID)
	if err != nil {
		return err
	}
	if m.State != takedown.MeasureIssued {
		return nil
	}
	now := tx.Now()
	m.State, m.EndedAt = st, &now
	if err := tx.UpdateMeasure(m); err != nil {
		return err
	}
	kind := takedown.EventMeasureComplied
	if st == takedown.MeasureDeclined {
		kind = takedown.EventMeasureDeclined
	}
	return record(tx, u, event{kind: kind, caseID: m.CaseID, measureID: m.ID, operator: d.OperatorID,
		data: map[string]any{"delivery_id": d.ID}})
}

// Clarify is the authority's reply to an operator that cannot comply or disputes a measure,
// sent to it through its channels like the delivery. After a cannot-comply the deadline
// starts again in full from the operator's receipt of the clarification, as TCO art.
// 3(7)–(8) provide; a dispute never stopped it.
func (s *Service) Clarify(ctx context.Context, id int64, reasons string) (*takedown.Delivery, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	var d *takedown.Delivery
	err = s.update(ctx, func(tx takedown.Tx) error {
		if d, err = tx.Delivery(id); err != nil {
			return err
		}
		now := tx.Now()
		if !d.AwaitsClarification() {
			return conflict("delivery %d is %s; the authority clarifies only a cannot_comply or a dispute", id, d.State)
		}
		d.State = takedown.DeliveryAcknowledged
		if d.HasDeadline && d.DeadlineAt == nil { // stopped by the cannot_comply: it restarts at the receipt
			d.State = takedown.DeliverySent
		}
		d.Clarification = &takedown.Decision{Reasons: reasons, By: u.ID, At: now}
		d.UnreceivedAt = nil // a new wait for a receipt
		if err := tx.UpdateDelivery(d); err != nil {
			return err
		}
		op, err := tx.Operator(d.OperatorID)
		if err != nil {
			return err
		}
		if err := s.queue(tx, d, op, true); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventDeliveryClarified, caseID: d.CaseID, measureID: d.MeasureID, operator: d.OperatorID,
			data: map[string]any{"delivery_id": d.ID, "reasons": reasons, "deadline_at": d.DeadlineAt}})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
