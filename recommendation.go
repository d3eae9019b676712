package takedown

import (
	"strings"
	"time"
)

// RecommendationState is where an oversight recommendation stands.
type RecommendationState string

// The recommendation states.
const (
	// RecommendationOpen: waiting for the authority's answer.
	RecommendationOpen RecommendationState = "open"
	// RecommendationFollowed: the authority ended the measure.
	RecommendationFollowed RecommendationState = "followed"
	// RecommendationDeclined: the authority kept the measure, with reasons.
	RecommendationDeclined RecommendationState = "declined"
	// RecommendationReferred: the controller took the declined recommendation to court.
	RecommendationReferred RecommendationState = "referred"
	// RecommendationDecided: the court has ruled; CourtOutcome says how.
	RecommendationDecided RecommendationState = "decided"
)

// RecommendationStates lists every state.
var RecommendationStates = []RecommendationState{RecommendationOpen, RecommendationFollowed, RecommendationDeclined,
	RecommendationReferred, RecommendationDecided}

// Recommendation is the independent controller's recommendation to end a measure. Only the
// controller creates one; nobody can edit or delete it; the authority must answer it.
type Recommendation struct {
	ID        int64               `json:"id"`
	MeasureID int64               `json:"measure_id"`
	CaseID    int64               `json:"case_id"`
	State     RecommendationState `json:"state"`
	Reasons   string              `json:"reasons"`
	By        int64               `json:"by"`
	At        time.Time           `json:"at"`
	Answer    *Decision           `json:"answer,omitempty"`
	// Court records the referral to the administrative court and its outcome.
	Court *CourtReferral `json:"court,omitempty"`
}

// CourtReferral is the controller's referral of a declined recommendation to court.
type CourtReferral struct {
	Court      string       `json:"court"`
	Reference  string       `json:"reference"`
	ReferredAt time.Time    `json:"referred_at"`
	By         int64        `json:"by"`
	Outcome    CourtOutcome `json:"outcome,omitempty"`
	Summary    string       `json:"summary,omitempty"`
	DecidedAt  *time.Time   `json:"decided_at,omitempty"`
}

// CourtOutcome is what the court decided.
type CourtOutcome string

// The court outcomes.
const (
	// CourtAnnulled: the measure was annulled; it is ended if still in force.
	CourtAnnulled CourtOutcome = "annulled"
	// CourtUpheld: the measure was upheld.
	CourtUpheld CourtOutcome = "upheld"
	// CourtDismissed: the referral was dismissed without ruling on the measure.
	CourtDismissed CourtOutcome = "dismissed"
)

// CourtOutcomes lists every outcome.
var CourtOutcomes = []CourtOutcome{CourtAnnulled, CourtUpheld, CourtDismissed}

// RecommendationAnswer is the authority's answer.
type RecommendationAnswer struct {
	// Follow ends the measure; otherwise the recommendation is declined.
	Follow  bool   `json:"follow"`
	Reasons string `json:"reasons"`
}

// CourtReferralInput records a referral to court.
type CourtReferralInput struct {
	Court     string `json:"court"`
	Reference string `json:"reference"`
}

// Validate checks the input.
func (in *CourtReferralInput) Validate() error {
	in.Court = strings.TrimSpace(in.Court)
	in.Reference = strings.TrimSpace(in.Reference)
	switch {
	case in.Court == "":
		return Invalid("court", "is required: the administrative court seized")
	case len(in.Court) > MaxNameLength:
		return Invalid("court", "is longer than %d bytes", MaxNameLength)
	case in.Reference == "":
		return Invalid("reference", "is required: the court's case number")
	case len(in.Reference) > MaxReferenceLength:
		return Invalid("reference", "is longer than %d bytes", MaxReferenceLength)
	}
	if err := CheckText("court", in.Court, false); err != nil {
		return err
	}
	return CheckText("reference", in.Reference, false)
}

// CourtOutcomeInput records the court's decision.
type CourtOutcomeInput struct {
	Outcome CourtOutcome `json:"outcome"`
	Summary string       `json:"summary"`
}

// Validate checks the input.
func (in *CourtOutcomeInput) Validate() error {
	switch in.Outcome {
	case CourtAnnulled, CourtUpheld, CourtDismissed:
	default:
		return Invalid("outcome", "must be annulled, upheld or dismissed")
	}
	return CheckReasons("summary", &in.Summary)
}

// RecommendationFilter selects recommendations.
type RecommendationFilter struct {
	State     RecommendationState `query:"state"`
	MeasureID int64               `query:"measure_id"`
	CaseID    int64               `query:"case_id"`
	Page
}
