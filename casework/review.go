package casework

import (
	"context"

	"github.com/takedown-project/takedown"
)

// StartReview starts a review session over the active measures (of one kind, or all),
// oldest first, dealt in turn to its reviewers: the controller's users.
func (s *Service) StartReview(ctx context.Context, in takedown.ReviewSessionInput) (*takedown.ReviewSession, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if len(in.Reviewers) == 0 {
		in.Reviewers = []int64{u.ID}
	}
	limit := in.Limit
	if limit == 0 {
		limit = takedown.MaxReviewItems
	}
	r := &takedown.ReviewSession{Kind: in.Kind, Reviewers: in.Reviewers, CreatedBy: u.ID}
	err = s.update(ctx, func(tx takedown.Tx) error {
		for i, id := range in.Reviewers {
			reviewer, err := tx.User(id)
			if takedown.ErrorCode(err) == takedown.ENOTFOUND || err == nil && (reviewer.Role != takedown.RoleController || reviewer.Disabled) {
				return takedown.Invalid(takedown.IndexField("reviewers", i), "user %d is not one of the controller's users", id)
			} else if err != nil {
				return err
			}
		}
		var measures []*takedown.Measure
		for p := (takedown.Page{Limit: takedown.MaxPageLimit}); len(measures) < limit; {
			page, next, err := tx.Measures(takedown.MeasureFilter{Kind: in.Kind, Active: true, Page: p})
			if err != nil {
				return err
			}
			measures = append(measures, page...)
			if next == "" {
				break
			}
			p.Cursor = next
		}
		if len(measures) > limit {
			measures = measures[:limit]
		}
		if len(measures) == 0 {
			return precondition("no measure is active%s: there is nothing to review", kindSuffix(in.Kind))
		}
		items := make([]*takedown.ReviewItem, len(measures))
		for i, m := range measures {
			items[i] = &takedown.ReviewItem{Position: i + 1, MeasureID: m.ID, CaseID: m.CaseID, Reviewer: in.Reviewers[i%len(in.Reviewers)]}
		}
		r.CreatedAt = tx.Now()
		if err := tx.CreateReviewSession(r, items); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventReviewStarted,
			data: map[string]any{"session_id": r.ID, "kind": r.Kind, "items": len(items), "reviewers": r.Reviewers}})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func kindSuffix(kind takedown.MeasureKind) string {
	if kind == "" {
		return ""
	}
	return " of kind " + string(kind)
}

// ReviewSessions lists the review sessions, newest first.
func (s *Service) ReviewSessions(ctx context.Context, p takedown.Page) ([]*takedown.ReviewSession, string, error) {
	if _, err := require(ctx, takedown.RoleController); err != nil {
		return nil, "", err
	}
	if err := p.Normalize(); err != nil {
		return nil, "", err
	}
	var list []*takedown.ReviewSession
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, next, err = tx.ReviewSessions(p)
		return err
	})
	return list, next, err
}

// ReviewSession returns a session with its items reviewed so far (a page of them).
func (s *Service) ReviewSession(ctx context.Context, id int64, p takedown.Page) (*takedown.ReviewSession, []*takedown.ReviewItem, string, error) {
	if _, err := require(ctx, takedown.RoleController); err != nil {
		return nil, nil, "", err
	}
	if err := p.Normalize(); err != nil {
		return nil, nil, "", err
	}
	var r *takedown.ReviewSession
	var items []*takedown.ReviewItem
	var next string
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		if r, err = tx.ReviewSession(id); err != nil {
			return err
		}
		items, next, err = tx.ReviewItems(id, p)
		return err
	})
	return r, items, next, err
}

// NextReviewItem returns the signed-in reviewer's next item of a session, or ENOTFOUND when
// none is left for them.
func (s *Service) NextReviewItem(ctx context.Context, sessionID int64) (*takedown.ReviewItem, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	var it *takedown.ReviewItem
	err = s.view(ctx, func(tx takedown.Tx) (err error) {
		if _, err = tx.ReviewSession(sessionID); err != nil {
			return err
		}
		it, err = tx.NextReviewItem(sessionID, u.ID)
		return err
	})
	return it, err
}

// Review records the signed-in reviewer's verdict on one of their items. A recommend verdict
// makes the recommendation, in the same transaction, with the note as its reasons.
func (s *Service) Review(ctx context.Context, itemID int64, in takedown.ReviewVerdictInput) (*takedown.ReviewItem, error) {
	u, err := require(ctx, takedown.RoleController)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var it *takedown.ReviewItem
	err = s.update(ctx, func(tx takedown.Tx) error {
		if it, err = tx.ReviewItem(itemID); err != nil {
			return err
		}
		switch {
		case it.Reviewer != u.ID:
			return forbidden("item %d of review session %d is dealt to user %d, not to you", it.Position, it.SessionID, it.Reviewer)
		case it.Verdict != "":
			return conflict("item %d of review session %d was reviewed already (%s)", it.Position, it.SessionID, it.Verdict)
		}
		if in.Verdict == takedown.ReviewRecommend {
			r, err := recommend(tx, u, it.MeasureID, in.Note)
			if err != nil {
				return err
			}
			it.RecommendationID = r.ID
		}
		now := tx.Now()
		it.Verdict, it.Note, it.ReviewedAt = in.Verdict, in.Note, &now
		if err := tx.UpdateReviewItem(it); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventReviewItemReviewed, caseID: it.CaseID, measureID: it.MeasureID,
			data: map[string]any{"session_id": it.SessionID, "item_id": it.ID, "position": it.Position, "verdict": it.Verdict, "note": it.Note}})
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// ReviewQuestions lists the questions the controller's reviewers put to the authority: a
// case's, or (caseID 0) all those still waiting for an answer.
func (s *Service) ReviewQuestions(ctx context.Context, caseID int64) ([]*takedown.ReviewItem, error) {
	if _, err := require(ctx, readers...); err != nil {
		return nil, err
	}
	var list []*takedown.ReviewItem
	err := s.view(ctx, func(tx takedown.Tx) (err error) {
		list, err = tx.ReviewQuestions(caseID)
		return err
	})
	return list, err
}

// AnswerQuestion records the authority's answer to a reviewer's question, with reasons.
func (s *Service) AnswerQuestion(ctx context.Context, itemID int64, reasons string) (*takedown.ReviewItem, error) {
	u, err := require(ctx, authority...)
	if err != nil {
		return nil, err
	}
	if err := takedown.CheckReasons("reasons", &reasons); err != nil {
		return nil, err
	}
	var it *takedown.ReviewItem
	err = s.update(ctx, func(tx takedown.Tx) error {
		if it, err = tx.ReviewItem(itemID); err != nil {
			return err
		}
		switch {
		case it.Verdict != takedown.ReviewQuestion:
			return conflict("item %d of review session %d is no question", it.Position, it.SessionID)
		case it.Answer != nil:
			return conflict("the question was answered on %s", it.Answer.At.Format("2006-01-02 15:04"))
		}
		it.Answer = &takedown.Decision{Reasons: reasons, By: u.ID, At: tx.Now()}
		if err := tx.UpdateReviewItem(it); err != nil {
			return err
		}
		return record(tx, u, event{kind: takedown.EventReviewQuestionAnswered, caseID: it.CaseID, measureID: it.MeasureID,
			data: map[string]any{"session_id": it.SessionID, "item_id": it.ID, "reasons": reasons}})
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}
