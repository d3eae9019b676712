package casework

import (
	"context"
	"fmt"

	"github.com/takedown-project/takedown"
)

// Recommend records the controller's recommendation to end an active measure. The authority
// must answer it. Nobody can edit or delete a recommendation afterwards.
func (s *Service) Recommend(ctx context.Context, measureID int64, reasons string) (*takedown.Recommendation, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	var r *takedown.Recommendation
	err = s.update(ctx, func(tx takedown.Tx) (err error) {
		r, err = recommend(tx, u, measureID, reasons)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// recommend records, in tx, the controller u's recommendation to end a measure.
func recommend(tx takedown.Tx, u *takedown.User, measureID int64, reasons string) (*takedown.Recommendation, error) {
	m, err := tx.Measure(measureID)
	if takedown.ErrorCode(err) == takedown.ENOTFOUND {
		return nil, takedown.Invalid("measure_id", "there is no measure %d", measureID)
	} else if err != nil {
		return nil, err
	}
	if !m.State.Active() {
		return nil, conflict("measure %d is %s; there is nothing to end", m.ID, m.State)
	}
	open, _, err := tx.Recommendations(takedown.RecommendationFilter{MeasureID: m.ID, State: takedown.RecommendationOpen, Page: takedown.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(open) > 0 {
		return nil, conflict("recommendation %d on measure %d is still waiting for the authority's answer", open[0].ID, m.ID)
	}
	r := &takedown.Recommendation{MeasureID: m.ID, CaseID: m.CaseID, State: takedown.RecommendationOpen,
		Reasons: reasons, By: u.ID, At: tx.Now()}
	if err := tx.CreateRecommendation(r); err != nil {
		return nil, err
	}
	return r, record(tx, u, event{kind: takedown.EventRecommendationMade, caseID: m.CaseID, measureID: m.ID,
		data: map[string]any{"recommendation_id": r.ID, "reasons": reasons}})
}

// AnswerRecommendation is the authority's answer, by a supervisor, with reasons either way:
// following it ends the measure (lifted for a list, withdrawn otherwise); declining keeps it.
func (s *Service) AnswerRecommendation(ctx context.Context, id int64, in takedown.RecommendationAnswer) (*takedown.Recommendation, error) {
	u, err := require(ctx, takedown.RoleSupervisor)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &in.Reasons); err != nil {
		return nil, err
	}
	return s.changeRecommendation(ctx, id, u, func(tx takedown.Tx, r *takedown.Recommendation) (event, error) {
		if r.State != takedown.RecommendationOpen {
			return event{}, conflict("recommendation %d was already answered: %s", r.ID, r.State)
		}
		r.Answer = &takedown.Decision{Reasons: in.Reasons, By: u.ID, At: tx.Now()}
		r.State = takedown.RecommendationDeclined
		if in.Follow {
			r.State = takedown.RecommendationFollowed
			if err := s.endRecommended(tx, u, r.MeasureID, fmt.Sprintf("following recommendation %d of the controller: %s", r.ID, in.Reasons)); err != nil {
				return event{}, err
			}
		}
		return event{kind: takedown.EventRecommendationAnswered, data: map[string]any{"follow": in.Follow, "reasons": in.Reasons}}, nil
	})
}

// ReferToCourt records that the controller referred a declined recommendation to the
// administrative court.
func (s *Service) ReferToCourt(ctx context.Context, id int64, in takedown.CourtReferralInput) (*takedown.Recommendation, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.changeRecommendation(ctx, id, u, func(tx takedown.Tx, r *takedown.Recommendation) (event, error) {
		if r.State != takedown.RecommendationDeclined {
			return event{}, conflict("recommendation %d is %s; only a declined recommendation is referred to court", r.ID, r.State)
		}
		r.State = takedown.RecommendationReferred
		r.Court = &takedown.CourtReferral{Court: in.Court, Reference: in.Reference, ReferredAt: tx.Now(), By: u.ID}
		return event{kind: takedown.EventRecommendationReferred, data: map[string]any{"court": in.Court, "reference": in.Reference}}, nil
	})
}

// RecordCourtOutcome records the court's decision on a referral. An annulment ends the
// measure if it is still active.
func (s *Service) RecordCourtOutcome(ctx context.Context, id int64, in takedown.CourtOutcomeInput) (*takedown.Recommendation, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return s.changeRecommendation(ctx, id, u, func(tx takedown.Tx, r *takedown.Recommendation) (event, error) {
		if r.State != takedown.RecommendationReferred {
			return event{}, conflict("recommendation %d is %s; an outcome is recorded only for a referral to court", r.ID, r.State)
		}
		now := tx.Now()
		r.State = takedown.RecommendationDecided
		r.Court.Outcome, r.Court.Summary, r.Court.DecidedAt = in.Outcome, in.Summary, &now
		if in.Outcome == takedown.CourtAnnulled {
			if err := s.endRecommended(tx, u, r.MeasureID, fmt.Sprintf("annulled by %s (%s): %s", r.Court.Court, r.Court.Reference, in.Summary)); err != nil {
				return event{}, err
			}
		}
		return event{kind: takedown.EventRecommendationDecided, data: map[string]any{"outcome": in.Outcome, "summary": in.Summary}}, nil
	})
}

// endRecommended ends a measure because of oversight, if it is still active.
func (s *Service) endRecommended(tx takedown.Tx, u *takedown.User, measureID int64, reasons string) error {
	m, err := tx.Measure(measureID)
	if err != nil || !m.State.Active() {
		return err
	}
	st := takedown.MeasureWithdrawn
	if m.State == takedown.MeasureInForce {
		st = takedown.MeasureLifted
	}
	return s.endMeasure(tx, u, m, st, reasons, false)
}

// changeRecommendation loads a recommendation, lets fn change it, stores it and records fn's
// event, in one transaction.
func (s *Service) changeRecommendation(ctx context.Context, id int64, u *takedown.User,
	fn func(tx takedown.Tx, r *takedown.Recommendation) (event, error)) (*takedown.Recommendation, error) {
	var r *takedown.Recommendation
	err := s.update(ctx, func(tx takedown.Tx) (err error) {
		if r, err = tx.Recommendation(id); err != nil {
			return err
		}
		e, err := fn(tx, r)
		if err != nil {
			return err
		}
		if err := tx.UpdateRecommendation(r); err != nil {
			return err
		}
		e.caseID, e.measureID = r.CaseID, r.MeasureID
		e.data["recommendation_id"] = r.ID
		return record(tx, u, e)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Recommendation returns one recommendation.
func (s *Service) Recommendation(ctx context.Context, id int64) (*takedown.Recommendation, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var r *takedown.Recommendation
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		r, err = tx.Recommendation(id)
		return err
	})
	return r, err
}

// Recommendations lists recommendations.
func (s *Service) Recommendations(ctx context.Context, f takedown.RecommendationFilter) ([]*takedown.Recommendation, string, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, "", err
	}
	if err := f.Normalize(); err != nil {
		return nil, "", err
	}
	var list []*takedown.Recommendation
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.Recommendations(f)
		return err
	})
	return list, next, err
}
