package casework

import (
	"context"

	"github.com/takedown-project/takedown"
)

// CheckDue is a delivery whose compliance check is due: its targets to fetch, or to ask the
// search engine's API about.
type CheckDue struct {
	Delivery *takedown.Delivery
	Targets  []string
	// SearchAPI is the search engine's address template, for a dereferencing; empty for a
	// removal, whose targets are fetched.
	SearchAPI string
}

// ClaimChecks takes up to limit deliveries whose compliance check is due, leasing each so
// that a worker that dies mid-check leaves it to be checked again. Only the server's delivery
// worker calls it.
func (s *Service) ClaimChecks(ctx context.Context, limit int) ([]*CheckDue, error) {
	due := takedown.DeliveryFilter{CheckDue: true, Page: takedown.Page{Limit: 1}}
	if found, err := s.anyDue(ctx, func(tx takedown.Tx) (bool, error) {
		list, _, err := tx.Deliveries(due)
		return len(list) > 0, err
	}); err != nil || !found {
		return nil, err
	}
	var out []*CheckDue
	err := s.update(ctx, func(tx takedown.Tx) error {
		due, _, err := tx.Deliveries(takedown.DeliveryFilter{CheckDue: true, Page: takedown.Page{Limit: limit}})
		if err != nil {
			return err
		}
		now := tx.Now()
		for _, d := range due {
			var api string
			if d.Kind == takedown.Dereferencing {
				op, err := tx.Operator(d.OperatorID)
				if err != nil {
					return err
				}
				api = op.Channels.SearchAPI
			}
			if d.State == takedown.DeliveryCancelled || d.State == takedown.DeliveryCannotComply ||
				d.Kind == takedown.Dereferencing && api == "" {
				// withdrawn, waiting for the authority, or a search engine whose API was removed:
				// nothing to check (a dereferencing is never checked by fetching the page)
				d.NextCheckAt = nil
				if err := tx.UpdateDelivery(d); err != nil {
					return err
				}
				continue
			}
			lease := now.Add(s.outbox.Lease)
			d.NextCheckAt = &lease
			if err := tx.UpdateDelivery(d); err != nil {
				return err
			}
			m, err := tx.Measure(d.MeasureID)
			if err != nil {
				return err
			}
			out = append(out, &CheckDue{Delivery: d, Targets: m.Targets, SearchAPI: api})
		}
		return nil
	})
	return out, err
}

// Checked records one round of compliance checks of a delivery, one result per target. When
// every target is gone the delivery is verified; otherwise it is checked again after the
// configured interval, up to the configured number of rounds, and the officers see what
// the checks found.
func (s *Service) Checked(ctx context.Context, deliveryID int64, results []takedown.ComplianceCheck) (*takedown.Delivery, error) {
	var d *takedown.Delivery
	err := s.update(ctx, func(tx takedown.Tx) (err error) {
		if d, err = tx.Delivery(deliveryID); err != nil {
			return err
		}
		if d.VerifiedAt != nil {
			return nil
		}
		now := tx.Now()
		gone := len(results) > 0
		outcomes := make([]map[string]any, 0, len(results))
		for _, r := range results {
			r.DeliveryID, r.CheckedAt = d.ID, now // the record's time, as every other
			if err := tx.CreateComplianceCheck(&r); err != nil {
				return err
			}
			gone = gone && r.Outcome == takedown.CheckGone
			outcomes = append(outcomes, map[string]any{"target": r.Target, "outcome": r.Outcome, "status": r.Status,
				"reason": r.Reason, "digest": r.Digest})
		}
		d.Checks++
		switch {
		case gone:
			d.VerifiedAt, d.NextCheckAt = &now, nil
		case d.Checks >= s.outbox.MaxChecks:
			d.NextCheckAt = nil
		default:
			next := now.Add(s.outbox.CheckInterval)
			d.NextCheckAt = &next
		}
		if err := tx.UpdateDelivery(d); err != nil {
			return err
		}
		return record(tx, schedulerUser, event{kind: takedown.EventDeliveryChecked, caseID: d.CaseID, measureID: d.MeasureID,
			operator: d.OperatorID, data: map[string]any{"delivery_id": d.ID, "round": d.Checks, "verified": gone,
				"checks": outcomes}})
	})
	return d, err
}

// ComplianceChecks returns the checks of a delivery: the authority and the controller see
// every delivery's, an operator its own.
func (s *Service) ComplianceChecks(ctx context.Context, deliveryID int64) ([]*takedown.ComplianceCheck, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	var list []*takedown.ComplianceCheck
	err = s.view(ctx, func(tx takedown.Tx) error {
		if _, err := deliveryFor(tx, u, deliveryID); err != nil {
			return err
		}
		list, err = tx.ComplianceChecks(deliveryID)
		return err
	})
	if list == nil && err == nil {
		list = []*takedown.ComplianceCheck{}
	}
	return list, err
}
