package httpapi

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// receipt is what a reporter gets back: the reference to quote, and what happens next.
type receipt struct {
	Receipt    string    `json:"receipt"`
	ReceivedAt time.Time `json:"received_at"`
	URLs       []string  `json:"urls"` // the addresses as the authority will examine them
	Next       string    `json:"next"`
}

func (s *Server) submitReport(ctx context.Context, in takedown.ReportInput) (*receipt, error) {
	r, err := s.svc.SubmitReport(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &receipt{Receipt: r.Receipt, ReceivedAt: r.ReceivedAt,
		Next: "An officer of " + s.svc.Profile().Authority + " will examine the content. Quote this receipt in any correspondence."}
	for _, u := range r.URLs {
		out.URLs = append(out.URLs, u.Canonical)
	}
	return out, nil
}

// deliveryView is a delivery as its operator reads it: the measure and the notice's legal
// texts in every language of the profile.
type deliveryView struct {
	*takedown.Delivery
	Measure *takedown.Measure `json:"measure"`
	Notice  notice            `json:"notice"`
}

// notice is the legal content of what the operator received.
type notice struct {
	Authority  string         `json:"authority"`
	Offence    procedure.Text `json:"offence"`
	LegalBasis procedure.Text `json:"legal_basis"`
	Redress    procedure.Text `json:"redress"`
	// OffenceBasis is the provision of criminal law the content breaches.
	OffenceBasis procedure.Text `json:"offence_basis"`
}

func (s *Server) delivery(ctx context.Context, id int64) (*deliveryView, error) {
	d, err := s.svc.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	m, err := s.svc.Measure(ctx, d.MeasureID)
	if err != nil {
		return nil, err
	}
	p := s.svc.Profile()
	n := notice{Authority: p.Authority}
	if rule, ok := p.Measure(m.Kind); ok {
		n.LegalBasis, n.Redress = rule.LegalBasis, rule.Redress
	}
	if o, ok := p.Offence(m.Offence); ok {
		n.Offence, n.OffenceBasis = o.Title, o.LegalBasis
	}
	return &deliveryView{Delivery: d, Measure: m, Notice: n}, nil
}

// recommendationInput is the body of a new recommendation.
type recommendationInput struct {
	MeasureID int64  `json:"measure_id"`
	Reasons   string `json:"reasons"`
}

func (s *Server) recommend(ctx context.Context, in recommendationInput) (*takedown.Recommendation, error) {
	return s.svc.Recommend(ctx, in.MeasureID, in.Reasons)
}

// newUser is a user with its first token, shown once.
type newUser struct {
	User  *takedown.User `json:"user"`
	Token string         `json:"token"`
}

func (s *Server) createUser(ctx context.Context, in takedown.UserInput) (*newUser, error) {
	u, token, err := s.svc.CreateUser(ctx, in)
	if err != nil {
		return nil, err
	}
	return &newUser{User: u, Token: token}, nil
}

// tokenInput asks for a new token.
type tokenInput struct {
	// RevokeOthers makes the user's earlier tokens stop working.
	RevokeOthers bool `json:"revoke_others"`
}

// newToken is a token, shown once.
type newToken struct {
	Token string `json:"token"`
}

func (s *Server) issueToken(ctx context.Context, id int64, in tokenInput) (*newToken, error) {
	t, err := s.svc.IssueToken(ctx, id, in.RevokeOthers)
	if err != nil {
		return nil, err
	}
	return &newToken{Token: t}, nil
}

// clock is the demo's simulated time.
type clock struct {
	Now time.Time `json:"now"`
}

// clockInput advances the demo clock.
type clockInput struct {
	// Advance is a duration such as "25h", "90m", or "92d" for days.
	Advance string `json:"advance"`
}

func (s *Server) demoClock(context.Context) (*clock, error) {
	return &clock{Now: s.cfg.DemoClock.Now()}, nil
}

func (s *Server) advanceClock(ctx context.Context, in clockInput) (*clock, error) {
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
	return &clock{Now: now}, nil
}

// parseAdvance parses a Go duration, or a whole number of days such as "92d".
func parseAdvance(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, err
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
