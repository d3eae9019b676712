package casework

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/takedown-project/takedown"
)

// RecordsFilter selects an operator's records over a period [From, To); To is now when
// zero.
type RecordsFilter struct {
	From, To time.Time
}

// MaxRecordsPeriod bounds one export.
const MaxRecordsPeriod = 366 * 24 * time.Hour

// DeliveryRecord is one delivery in an operator's records: what was sent, when it was
// received and how, what the operator answered, and how long each step took.
type DeliveryRecord struct {
	DeliveryID  int64                   `json:"delivery_id"`
	MeasureID   int64                   `json:"measure_id"`
	CaseID      int64                   `json:"case_id"`
	Kind        takedown.MeasureKind    `json:"kind"`
	Purpose     takedown.Purpose        `json:"purpose"`
	State       takedown.DeliveryState  `json:"state"`
	SentAt      time.Time               `json:"sent_at"`
	ReceivedAt  *time.Time              `json:"received_at,omitempty"`
	ReceivedVia takedown.ReceiptVia     `json:"received_via,omitempty"`
	Answer      takedown.AnswerKind     `json:"answer,omitempty"`
	AnsweredAt  *time.Time              `json:"answered_at,omitempty"`
	CompliedAt  *time.Time              `json:"complied_at,omitempty"`
	VerifiedAt  *time.Time              `json:"verified_at,omitempty"`
	Deadline    takedown.DeadlineStatus `json:"deadline"`
	// SecondsToReceipt and SecondsToCompliance are from sending to receipt, and from
	// receipt to compliance; absent until each happened.
	SecondsToReceipt    *float64 `json:"seconds_to_receipt,omitempty"`
	SecondsToCompliance *float64 `json:"seconds_to_compliance,omitempty"`
	// Attempts counts the attempts to send it through every channel.
	Attempts int `json:"attempts"`
}

// ListUpdate is one version of a list the operator received.
type ListUpdate struct {
	List    takedown.MeasureKind `json:"list"`
	Version int64                `json:"version"`
	Via     takedown.ReceiptVia  `json:"via"`
	At      time.Time            `json:"at"`
}

// OperatorRecords is what an operator was sent and did over a period: the basis for the
// compensation of its costs, and of its compliance figures.
type OperatorRecords struct {
	OperatorID  int64            `json:"operator_id"`
	Operator    string           `json:"operator"`
	From        time.Time        `json:"from"`
	To          time.Time        `json:"to"`
	Deliveries  []DeliveryRecord `json:"deliveries"`
	ListUpdates []ListUpdate     `json:"list_updates"`
	Totals      RecordTotals     `json:"totals"`
}

// RecordTotals sums up the records.
type RecordTotals struct {
	Deliveries  int `json:"deliveries"`
	Received    int `json:"received"`
	Complied    int `json:"complied"`
	DeadlineMet int `json:"deadline_met"`
	Missed      int `json:"deadline_missed"`
	Overdue     int `json:"overdue"`
	Verified    int `json:"verified"`
	ListUpdates int `json:"list_updates"`
	// MedianSecondsToReceipt and MedianSecondsToCompliance are over the deliveries where
	// each happened; 0 when none did.
	MedianSecondsToReceipt    float64 `json:"median_seconds_to_receipt"`
	MedianSecondsToCompliance float64 `json:"median_seconds_to_compliance"`
}

// Records returns an operator's records over a period: the authority, the controller and
// the administrator see any operator's, an operator its own.
func (s *Service) Records(ctx context.Context, operatorID int64, f RecordsFilter) (*OperatorRecords, error) {
	u, err := require(ctx, takedown.RoleOfficer, takedown.RoleSupervisor, takedown.RoleController, takedown.RoleAdmin, takedown.RoleOperator)
	if err != nil {
		return nil, err
	}
	if u.Role == takedown.RoleOperator && u.OperatorID != operatorID {
		return nil, forbidden("you can read your own operator's records only")
	}
	if f.From.IsZero() {
		return nil, takedown.Invalid("from", "is required: the start of the period, as 2026-01-01 or 2026-01-01T00:00:00Z")
	}
	out := &OperatorRecords{OperatorID: operatorID, Deliveries: []DeliveryRecord{}, ListUpdates: []ListUpdate{}}
	err = s.view(ctx, func(tx takedown.Tx) error {
		if f.To.IsZero() {
			f.To = tx.Now()
		}
		switch {
		case !f.To.After(f.From):
			return takedown.Invalid("to", "must be after from")
		case f.To.Sub(f.From) > MaxRecordsPeriod:
			return takedown.Invalid("to", "the period is longer than a year; export one year at a time")
		}
		out.From, out.To = f.From, f.To
		op, err := tx.Operator(operatorID)
		if err != nil {
			return err
		}
		out.Operator = op.Name
		ds, err := takedown.All(func(p takedown.Page) ([]*takedown.Delivery, string, error) {
			return tx.Deliveries(takedown.DeliveryFilter{OperatorID: operatorID, SentFrom: f.From, SentBefore: f.To, Page: p})
		})
		if err != nil {
			return err
		}
		for _, d := range ds {
			ms, err := takedown.All(func(p takedown.Page) ([]*takedown.Transmission, string, error) {
				return tx.Transmissions(takedown.TransmissionFilter{DeliveryID: d.ID, Page: p})
			})
			if err != nil {
				return err
			}
			out.Deliveries = append(out.Deliveries, deliveryRecord(d, ms))
		}
		evs, err := takedown.All(func(p takedown.Page) ([]*takedown.Event, string, error) {
			return tx.Events(takedown.EventFilter{OperatorID: operatorID, Kind: takedown.EventListReceived, From: f.From, Before: f.To, Page: p})
		})
		if err != nil {
			return err
		}
		for _, e := range evs {
			var r takedown.ListReceipt
			if err := json.Unmarshal(e.Data, &r); err != nil {
				return err
			}
			out.ListUpdates = append(out.ListUpdates, ListUpdate{List: r.List, Version: r.Version, Via: r.Via, At: e.At})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Totals = totals(out)
	return out, nil
}

func deliveryRecord(d *takedown.Delivery, ms []*takedown.Transmission) DeliveryRecord {
	r := DeliveryRecord{DeliveryID: d.ID, MeasureID: d.MeasureID, CaseID: d.CaseID, Kind: d.Kind, Purpose: d.Purpose, State: d.State,
		SentAt: d.SentAt, ReceivedAt: d.AcknowledgedAt, ReceivedVia: d.ReceivedVia, CompliedAt: d.CompliedAt, VerifiedAt: d.VerifiedAt,
		Deadline: d.Deadline}
	if d.Answer != nil {
		r.Answer, r.AnsweredAt = d.Answer.Kind, &d.Answer.At
	}
	if d.AcknowledgedAt != nil {
		s := d.AcknowledgedAt.Sub(d.SentAt).Seconds()
		r.SecondsToReceipt = &s
		if d.CompliedAt != nil {
			c := max(0, d.CompliedAt.Sub(*d.AcknowledgedAt).Seconds()) // removed before receipt: at once
			r.SecondsToCompliance = &c
		}
	}
	for _, m := range ms {
		r.Attempts += m.Attempts
	}
	return r
}

func totals(o *OperatorRecords) RecordTotals {
	t := RecordTotals{Deliveries: len(o.Deliveries), ListUpdates: len(o.ListUpdates)}
	var receipt, compliance []float64
	for _, r := range o.Deliveries {
		if r.ReceivedAt != nil {
			t.Received++
			receipt = append(receipt, *r.SecondsToReceipt)
		}
		if r.CompliedAt != nil {
			t.Complied++
		}
		if r.SecondsToCompliance != nil {
			compliance = append(compliance, *r.SecondsToCompliance)
		}
		if r.VerifiedAt != nil {
			t.Verified++
		}
		switch r.Deadline {
		case takedown.DeadlineMet:
			t.DeadlineMet++
		case takedown.DeadlineMissed:
			t.Missed++
		case takedown.DeadlineOverdue:
			t.Overdue++
		}
	}
	t.MedianSecondsToReceipt, t.MedianSecondsToCompliance = median(receipt), median(compliance)
	return t
}

// median returns the median of xs, 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
