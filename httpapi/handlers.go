package httpapi

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/casework"
	"github.com/takedown-project/takedown/procedure"
	"github.com/takedown-project/takedown/transparency"
)

// Receipt is what a reporter gets back: the reference to quote, and what happens next.
type Receipt struct {
	Receipt    string    `json:"receipt"`
	ReceivedAt time.Time `json:"received_at"`
	URLs       []string  `json:"urls"` // the addresses as the authority will examine them
	Next       string    `json:"next"`
}

func (s *Server) submitReport(ctx context.Context, in takedown.ReportInput) (*Receipt, error) {
	r, err := s.svc.SubmitReport(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &Receipt{Receipt: r.Receipt, ReceivedAt: r.ReceivedAt,
		Next: "An officer of " + s.svc.Profile().Authority + " will examine the content. Quote this Receipt in any correspondence."}
	for _, u := range r.URLs {
		out.URLs = append(out.URLs, u.Canonical)
	}
	return out, nil
}

// DeliveryView is a delivery as its operator reads it: the measure and the notice's legal
// texts in every language of the profile.
type DeliveryView struct {
	*takedown.Delivery
	// Measure is what the delivery is about; absent from an advance information about an
	// order not yet issued.
	Measure *takedown.Measure `json:"measure,omitempty"`
	Notice  Notice            `json:"notice"`
}

// Notice is the legal content of what the operator received.
type Notice struct {
	Authority  string         `json:"authority"`
	Offence    procedure.Text `json:"offence"`
	LegalBasis procedure.Text `json:"legal_basis"`
	Redress    procedure.Text `json:"redress"`
	// OffenceBasis is the provision of criminal law the content breaches.
	OffenceBasis procedure.Text `json:"offence_basis"`
}

func (s *Server) delivery(ctx context.Context, id int64) (*DeliveryView, error) {
	d, m, err := s.svc.Notice(ctx, id)
	if err != nil {
		return nil, err
	}
	p := s.svc.Profile()
	n := Notice{Authority: p.Authority}
	if rule, ok := p.Measure(d.Kind); ok {
		n.LegalBasis, n.Redress = rule.LegalBasis, rule.Redress
	}
	if m != nil {
		if o, ok := p.Offence(m.Offence); ok {
			n.Offence, n.OffenceBasis = o.Title, o.LegalBasis
		}
	}
	return &DeliveryView{Delivery: d, Measure: m, Notice: n}, nil
}

// recommendationInput is the body of a new recommendation.
type recommendationInput struct {
	MeasureID int64  `json:"measure_id"`
	Reasons   string `json:"reasons"`
}

func (s *Server) recommend(ctx context.Context, in recommendationInput) (*takedown.Recommendation, error) {
	return s.svc.Recommend(ctx, in.MeasureID, in.Reasons)
}

// NewUser is a user with its first token, shown once.
type NewUser struct {
	User  *takedown.User `json:"user"`
	Token string         `json:"token"`
}

func (s *Server) createUser(ctx context.Context, in takedown.UserInput) (*NewUser, error) {
	u, token, err := s.svc.CreateUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return &NewUser{User: u, Token: token}, nil
}

// tokenInput asks for a new token.
type tokenInput struct {
	// RevokeOthers makes the user's earlier tokens stop working.
	RevokeOthers bool `json:"revoke_others"`
}

// NewToken is a token, shown once.
type NewToken struct {
	Token string `json:"token"`
}

func (s *Server) issueToken(ctx context.Context, id int64, in tokenInput) (*NewToken, error) {
	t, err := s.svc.IssueToken(ctx, id, in.RevokeOthers)
	if err != nil {
		return nil, err
	}
	return &NewToken{Token: t}, nil
}

// Clock is the demo's simulated time.
type Clock struct {
	Now time.Time `json:"now"`
}

// clockInput advances the demo clock.
type clockInput struct {
	// Advance is a duration such as "25h", "90m", or "92d" for days.
	Advance string `json:"advance"`
}

func (s *Server) demoClock(context.Context) (*Clock, error) {
	return &Clock{Now: s.cfg.DemoClock.Now()}, nil
}

func (s *Server) advanceClock(ctx context.Context, in clockInput) (*Clock, error) {
	d, err := parseAdvance(in.Advance)
	if err != nil {
		return nil, takedown.Invalid("advance", "%q is not a duration such as 25h, 90m or 92d", in.Advance)
	}
	now, err := s.svc.AdvanceClock(ctx, s.cfg.DemoClock, d)
	if err != nil {
		return nil, err
	}
	if s.cfg.OnClockAdvanced != nil {
		s.cfg.OnClockAdvanced()
	}
	return &Clock{Now: now}, nil
}

// parseAdvance parses a Go duration, or a whole number of days such as "92d".
func parseAdvance(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100000 { // beyond, the duration would overflow
			return 0, fmt.Errorf("bad number of days %q", days)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// ReviewProgress is a review session with every item reviewed so far, in order.
type ReviewProgress struct {
	Session *takedown.ReviewSession `json:"session"`
	Items   []*takedown.ReviewItem  `json:"items"`
}

func (s *Server) reviewSession(ctx context.Context, id int64) (*ReviewProgress, error) {
	out := &ReviewProgress{Items: []*takedown.ReviewItem{}}
	var cursor string
	for {
		session, items, next, err := s.svc.ReviewSession(ctx, id, takedown.Page{Limit: takedown.MaxPageLimit, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		out.Session, out.Items = session, append(out.Items, items...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// figuresQuery chooses the year of the public figures.
type figuresQuery struct {
	Year int `query:"year,positive"`
}

func (s *Server) figures(ctx context.Context, q figuresQuery) (*takedown.Figures, error) {
	return s.svc.Figures(ctx, q.Year)
}

// statementsBody is the body the DSA Transparency Database takes to create statements.
type statementsBody struct {
	Statements []transparency.Statement `json:"statements"`
}

func (s *Server) statements(ctx context.Context, q periodQuery) (*statementsBody, error) {
	p, err := s.period(ctx, q)
	if err != nil {
		return nil, err
	}
	list, err := s.svc.Statements(ctx, p)
	return &statementsBody{Statements: list}, err
}

// noticesBody holds the notices of an export.
type noticesBody struct {
	Notices []transparency.ResearchNotice `json:"notices"`
}

func (s *Server) notices(ctx context.Context, q periodQuery) (*noticesBody, error) {
	p, err := s.period(ctx, q)
	if err != nil {
		return nil, err
	}
	list, err := s.svc.Notices(ctx, p)
	return &noticesBody{Notices: list}, err
}

// questionsQuery chooses a case's questions; none for those waiting for an answer.
type questionsQuery struct {
	CaseID int64 `query:"case_id"`
}

// Questions are reviewers' questions.
type Questions struct {
	Items []*takedown.ReviewItem `json:"items"`
}

func (s *Server) reviewQuestions(ctx context.Context, q questionsQuery) (*Questions, error) {
	items, err := s.svc.ReviewQuestions(ctx, q.CaseID)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []*takedown.ReviewItem{}
	}
	return &Questions{Items: items}, nil
}

// CaseEvidence is the evidence of a case, without content, and the caller's exposure today.
type CaseEvidence struct {
	Items    []*takedown.Evidence `json:"items"`
	Exposure takedown.Exposure    `json:"exposure"`
}

func (s *Server) caseEvidence(ctx context.Context, id int64) (*CaseEvidence, error) {
	items, exposure, err := s.svc.CaseEvidence(ctx, id)
	if err != nil {
		return nil, err
	}
	return &CaseEvidence{Items: items, Exposure: exposure}, nil
}

// PurgeQuery asks for a dry run of the purge.
type PurgeQuery struct {
	DryRun bool `query:"dry_run"`
}

func (s *Server) purge(ctx context.Context, q PurgeQuery) (*casework.PurgeResult, error) {
	return s.svc.Purge(ctx, q.DryRun)
}
