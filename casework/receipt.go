package casework

import (
	"context"
	"slices"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// ListReceived records that an operator received a version of a list: its resolver
// transferred the blocking zone or answered the zone's serial (recorded by the DNS primary),
// or it fetched a feed (recorded for the operator's own token). A version later than the one
// it had is a receipt of every list delivery that version carries: for a resolver, which
// applies the zone at once, the deliveries are complied with; for a feed, acknowledged, and
// the operator says when it has deployed them. Each receipt that moves the operator forward,
// and every feed fetch, is recorded in the log.
func (s *Service) ListReceived(ctx context.Context, r takedown.ListReceipt) error {
	u := takedown.UserFromContext(ctx)
	switch {
	case u == DNSPrimary && r.Via.Deployed():
	case u != nil && u.Role == takedown.RoleOperator && u.OperatorID == r.OperatorID && r.Via == takedown.ViaFeed:
	default:
		return forbidden("only the DNS primary records transfers, and an operator its own feed fetches")
	}
	rule, err := s.rule(r.List)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx takedown.Tx) error {
		op, err := recipient(tx, rule, r.List, r.OperatorID)
		if err != nil {
			return err
		}
		latest, err := tx.LatestListVersion(r.List)
		if err != nil {
			return err
		}
		if r.Version < 1 || r.Version > latest.Version {
			return takedown.Invalid("version", "the %s list has versions 1 to %d, not %d", r.List, latest.Version, r.Version)
		}
		r.At = tx.Now()
		advanced, err := tx.RecordListReceipt(&r)
		if err != nil || !advanced && r.Via != takedown.ViaFeed {
			return err
		}
		if err := record(tx, u, event{kind: takedown.EventListReceived, operator: op.ID,
			data: map[string]any{"list": r.List, "version": r.Version, "via": r.Via}}); err != nil {
			return err
		}
		if !advanced {
			return nil
		}
		return s.receiveDeliveries(tx, u, r)
	})
}

// recipient returns an operator that the profile sends the list to (rule is the list's).
func recipient(tx takedown.Tx, rule *procedure.MeasureRule, list takedown.MeasureKind, id int64) (*takedown.Operator, error) {
	op, err := tx.Operator(id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(rule.Recipients, op.Kind) {
		return nil, forbidden("operator %d (%s) is of kind %s; the %s list goes to operators of kind %s", op.ID, op.Name, op.Kind, list, orList(rule.Recipients))
	}
	return op, nil
}

// CheckRecipient checks, for the DNS primary at start, that an operator its configuration
// names receives the list.
func (s *Service) CheckRecipient(ctx context.Context, list takedown.MeasureKind, operatorID int64) error {
	if takedown.UserFromContext(ctx) != DNSPrimary {
		return forbidden("only the DNS primary checks the operators of its configuration")
	}
	rule, err := s.rule(list)
	if err != nil {
		return err
	}
	return s.view(ctx, func(tx takedown.Tx) error {
		_, err := recipient(tx, rule, list, operatorID)
		return err
	})
}

// receiveDeliveries answers for the operator the pending list deliveries that the version
// received carries.
func (s *Service) receiveDeliveries(tx takedown.Tx, u *takedown.User, r takedown.ListReceipt) error {
	carried, err := takedown.All(func(p takedown.Page) ([]*takedown.Delivery, string, error) {
		return tx.Deliveries(takedown.DeliveryFilter{OperatorID: r.OperatorID, Pending: true, CarriedBy: r.Version, Page: p})
	})
	if err != nil {
		return err
	}
	now := tx.Now()
	for _, d := range carried {
		if d.Kind != r.List {
			continue
		}
		answer := takedown.AnswerAcknowledge
		if d.AcknowledgedAt == nil {
			d.AcknowledgedAt, d.ReceivedVia = &now, r.Via
		}
		switch {
		case r.Via.Deployed() && d.State != takedown.DeliveryCannotComply:
			answer, d.State, d.CompliedAt = takedown.AnswerComply, takedown.DeliveryComplied, &now
		case d.State == takedown.DeliverySent && d.Clarification != nil:
			continue // a fetch does not carry the clarification: its own receipt restarts the deadline
		case d.State == takedown.DeliverySent:
			d.State = takedown.DeliveryAcknowledged
		default:
			continue
		}
		if err := tx.UpdateDelivery(d); err != nil {
			return err
		}
		if err := record(tx, u, event{kind: takedown.EventDeliveryAnswered, caseID: d.CaseID, measureID: d.MeasureID, operator: d.OperatorID,
			data: map[string]any{"delivery_id": d.ID, "answer": answer, "via": r.Via, "list_version": r.Version}}); err != nil {
			return err
		}
	}
	return nil
}

// Deployment returns where each recipient of a list stands: the authority and the controller
// see every operator; an operator sees itself.
func (s *Service) Deployment(ctx context.Context, list takedown.MeasureKind) ([]*takedown.Deployment, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	if !list.IsList() {
		return nil, takedown.Invalid("list", "must be blocking or dereferencing")
	}
	rule, err := s.rule(list)
	if err != nil {
		return nil, err
	}
	out := []*takedown.Deployment{}
	err = s.view(ctx, func(tx takedown.Tx) error {
		ops, err := operatorsOfKinds(tx, rule.Recipients)
		if err != nil {
			return err
		}
		receipts, err := tx.ListReceipts(list)
		if err != nil {
			return err
		}
		byOperator := map[int64]*takedown.ListReceipt{}
		for _, r := range receipts {
			byOperator[r.OperatorID] = r
		}
		var latest int64
		if v, err := optional(tx.LatestListVersion(list)); err != nil {
			return err
		} else if v != nil {
			latest = v.Version
		}
		for _, op := range ops {
			if u.Role == takedown.RoleOperator && op.ID != u.OperatorID {
				continue
			}
			d := &takedown.Deployment{OperatorID: op.ID, Operator: op.Name, List: list, Received: byOperator[op.ID], Latest: latest}
			if d.Received != nil {
				d.Missing = d.Received.Version + 1
			} else {
				d.Missing = 1
			}
			if d.Missing > latest {
				d.Missing = 0
			} else {
				v, err := tx.ListVersion(list, d.Missing)
				if err != nil {
					return err
				}
				due := v.Published.Add(rule.Deadline.Duration)
				d.MissingSince, d.DueAt, d.Late = &v.Published, &due, tx.Now().After(due)
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}
