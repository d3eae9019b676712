package takedown

import (
	"strings"
	"time"
)

// ReviewSession is a batch of measures that the controller's reviewers go through one item
// at a time. The items are dealt to its reviewers in turn, so that with two reviewers each
// sees every other item: the exposure to violent content is shared.
type ReviewSession struct {
	ID int64 `json:"id"`
	// Kind is the kind of measure in the batch; empty for every kind.
	Kind      MeasureKind `json:"kind,omitempty"`
	Reviewers []int64     `json:"reviewers"`
	Items     int         `json:"items"`
	Reviewed  int         `json:"reviewed"`
	CreatedBy int64       `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
}

// ReviewVerdict is what a reviewer makes of an item.
type ReviewVerdict string

// The verdicts.
const (
	// ReviewApprove: the measure is justified; nothing to do.
	ReviewApprove ReviewVerdict = "approve"
	// ReviewQuestion: the reviewer has a question for the authority, in the note.
	ReviewQuestion ReviewVerdict = "question"
	// ReviewRecommend: the measure should end; the note becomes the recommendation's reasons.
	ReviewRecommend ReviewVerdict = "recommend"
)

// ReviewItem is one measure of a session, dealt to one reviewer.
type ReviewItem struct {
	ID        int64 `json:"id"`
	SessionID int64 `json:"session_id"`
	Position  int   `json:"position"` // from 1, in the batch's order
	MeasureID int64 `json:"measure_id"`
	CaseID    int64 `json:"case_id"`
	Reviewer  int64 `json:"reviewer"`
	// Verdict is empty until the item is reviewed.
	Verdict ReviewVerdict `json:"verdict,omitempty"`
	Note    string        `json:"note,omitempty"`
	// RecommendationID is the recommendation a recommend verdict made.
	RecommendationID int64      `json:"recommendation_id,omitempty"`
	ReviewedAt       *time.Time `json:"reviewed_at,omitempty"`
	// Answer is the authority's answer to a question.
	Answer *Decision `json:"answer,omitempty"`
}

// MaxReviewItems is the largest batch: a session of a day.
const MaxReviewItems = 5000

// ReviewSessionInput starts a session over the active measures (of one kind, or all).
type ReviewSessionInput struct {
	Kind MeasureKind `json:"kind,omitempty"`
	// Reviewers are the controller's users who share the batch, in the order they take
	// items; the one who starts the session when empty.
	Reviewers []int64 `json:"reviewers,omitempty"`
	// Limit is the size of the batch, at most MaxReviewItems; 0 for the largest.
	Limit int `json:"limit,omitempty"`
}

// Validate checks the input's shape.
func (in *ReviewSessionInput) Validate() error {
	switch {
	case in.Kind != "" && !in.Kind.Valid():
		return Invalid("kind", "must be one of %s, or empty for every kind", strings.Join(Names(MeasureKinds), ", "))
	case len(in.Reviewers) > 2:
		return Invalid("reviewers", "has more than two reviewers")
	case in.Limit < 0 || in.Limit > MaxReviewItems:
		return Invalid("limit", "must be from 1 to %d", MaxReviewItems)
	}
	if len(in.Reviewers) == 2 && in.Reviewers[0] == in.Reviewers[1] {
		return Invalid("reviewers", "names the same reviewer twice")
	}
	return nil
}

// ReviewVerdictInput is a reviewer's verdict on an item.
type ReviewVerdictInput struct {
	Verdict ReviewVerdict `json:"verdict"`
	Note    string        `json:"note"`
}

// Validate checks the verdict: a question or a recommendation needs its note.
func (in *ReviewVerdictInput) Validate() error {
	in.Note = strings.TrimSpace(in.Note)
	switch in.Verdict {
	case ReviewApprove:
	case ReviewQuestion, ReviewRecommend:
		if in.Note == "" {
			return Invalid("note", "is required with %s: say what to ask or why the measure should end", in.Verdict)
		}
	default:
		return Invalid("verdict", "must be approve, question or recommend")
	}
	if len(in.Note) > MaxReasonsLength {
		return Invalid("note", "is longer than %d bytes", MaxReasonsLength)
	}
	return CheckText("note", in.Note, true)
}
