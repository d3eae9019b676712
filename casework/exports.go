package casework

import (
	"context"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/transparency"
)

// maxExportPeriod bounds an export's period, so that one request cannot ask for the whole
// record at once: a year and a day, for a year's export in the authority's zone.
const maxExportPeriod = 367 * 24 * time.Hour

// Statements exports DSA statements of reasons for the measures first issued in the
// period that fit the DSA Transparency Database (see transparency.Statements). An
// operator gets those of the measures addressed to it, to submit as its own; the authority
// and the controller get all of them.
func (s *Service) Statements(ctx context.Context, p transparency.Period) ([]transparency.Statement, error) {
	u, err := require(ctx, measureReaders...)
	if err != nil {
		return nil, err
	}
	records, err := s.exportRecords(ctx, u, p)
	if err != nil {
		return nil, err
	}
	return transparency.Statements(s.profile, records)
}

// Notices exports the measures first issued in the period as notices for researchers,
// redacted (see transparency.Notices).
func (s *Service) Notices(ctx context.Context, p transparency.Period) ([]transparency.ResearchNotice, error) {
	u, err := require(ctx, readers...)
	if err != nil {
		return nil, err
	}
	records, err := s.exportRecords(ctx, u, p)
	if err != nil {
		return nil, err
	}
	return transparency.Notices(s.profile, records)
}

// exportRecords gathers the measures first issued in the period, those addressed to the
// user's operator for an operator, with what the exports need of their cases.
func (s *Service) exportRecords(ctx context.Context, u *takedown.User, p transparency.Period) ([]transparency.MeasureRecord, error) {
	if p.Before.Sub(p.From) > maxExportPeriod {
		return nil, takedown.Invalid("period", "is longer than a year; export a year at most at a time")
	}
	var out []transparency.MeasureRecord
	err := s.view(ctx, func(tx takedown.Tx) error {
		if err := p.Validate(tx.Now()); err != nil {
			return err
		}
		f := takedown.MeasureFilter{Issued: true, IssuedFrom: p.From, IssuedBefore: p.Before, Page: takedown.Page{Limit: takedown.MaxPageLimit}}
		if u.Role == takedown.RoleOperator {
			f.OperatorID = u.OperatorID
		}
		cases := map[int64]*transparency.MeasureRecord{} // what the exports need of each case
		names := map[int64]string{}                      // operators' names
		for {
			page, next, err := tx.Measures(f)
			if err != nil {
				return err
			}
			for _, m := range page {
				c, ok := cases[m.CaseID]
				if !ok {
					if c, err = caseFacts(tx, m.CaseID); err != nil {
						return err
					}
					cases[m.CaseID] = c
				}
				r := *c
				r.Measure = m
				if !m.Kind.IsList() {
					if r.Delivery, err = actionDelivery(tx, m); err != nil {
						return err
					}
					if r.Operator, ok = names[m.OperatorID]; !ok {
						o, err := tx.Operator(m.OperatorID)
						if err != nil {
							return err
						}
						r.Operator, names[m.OperatorID] = o.Name, o.Name
					}
				}
				out = append(out, r)
			}
			if next == "" {
				return nil
			}
			f.Cursor = next
		}
	})
	return out, err
}

// caseFacts reads what the exports say of a case: when it opened, the media types of its
// evidence, and whether a report matched a hash bank.
func caseFacts(tx takedown.Tx, caseID int64) (*transparency.MeasureRecord, error) {
	c, err := tx.Case(caseID)
	if err != nil {
		return nil, err
	}
	r := &transparency.MeasureRecord{CaseOpened: c.OpenedAt}
	evidence, err := tx.CaseEvidence(caseID)
	if err != nil {
		return nil, err
	}
	for _, e := range evidence {
		r.ContentTypes = append(r.ContentTypes, e.ContentType)
	}
	f := takedown.ReportFilter{CaseID: caseID, Page: takedown.Page{Limit: takedown.MaxPageLimit}}
	for {
		reports, next, err := tx.Reports(f)
		if err != nil {
			return nil, err
		}
		for _, rep := range reports {
			r.Matched = r.Matched || len(rep.Matches) > 0
		}
		if next == "" {
			return r, nil
		}
		f.Cursor = next
	}
}

// actionDelivery returns the delivery of a request, order or referral to its operator for
// action; nil if there is none.
func actionDelivery(tx takedown.Tx, m *takedown.Measure) (*takedown.Delivery, error) {
	deliveries, _, err := tx.Deliveries(takedown.DeliveryFilter{MeasureID: m.ID, OperatorID: m.OperatorID, Page: takedown.Page{Limit: takedown.MaxPageLimit}})
	if err != nil {
		return nil, err
	}
	for _, d := range deliveries {
		if d.Purpose == takedown.PurposeAction {
			return d, nil
		}
	}
	return nil, nil
}
