package transparency

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// MeasureRecord is what the exports need to know of one issued measure: the measure, the
// delivery to its addressee (nil for a list), the addressee's name, and facts of its case.
type MeasureRecord struct {
	Measure  *takedown.Measure
	Delivery *takedown.Delivery
	// Operator is the addressee's name; empty for a list.
	Operator string
	// CaseOpened is when the first report about the content came in.
	CaseOpened time.Time
	// ContentTypes are the media types of the case's evidence, as detected when it was
	// received.
	ContentTypes []string
	// Matched is true when a report of the case matched a hash bank on arrival: the content
	// was detected by automated means.
	Matched bool
}

// rules returns the profile's offence and measure rule of the record's measure, and when
// the measure was issued.
func (r MeasureRecord) rules(p *procedure.Profile) (*procedure.Offence, *procedure.MeasureRule, time.Time, error) {
	m := r.Measure
	offence, ok := p.Offence(m.Offence)
	if !ok {
		return nil, nil, time.Time{}, fmt.Errorf("transparency: measure %d: offence %q is not in profile %s", m.ID, m.Offence, p.ID)
	}
	rule, ok := p.Measure(m.Kind)
	if !ok {
		return nil, nil, time.Time{}, fmt.Errorf("transparency: measure %d: profile %s has no %s", m.ID, p.ID, m.Kind)
	}
	issued := m.ProposedAt
	if m.IssuedAt != nil {
		issued = *m.IssuedAt
	}
	return offence, rule, issued, nil
}

// Statement is a statement of reasons as the DSA Transparency Database takes it
// (POST /api/v1/statements, one object of its "statements" array), pre-filled for the host
// that complied with a measure: under art. 17 and 24(5) of Regulation (EU) 2022/2065 it is
// the provider's statement to submit, not the authority's. docs/exports.md maps each field.
type Statement struct {
	PUID                           string   `json:"puid"`
	DecisionVisibility             []string `json:"decision_visibility"`
	DecisionGround                 string   `json:"decision_ground"`
	IllegalContentLegalGround      string   `json:"illegal_content_legal_ground,omitempty"`
	IllegalContentExplanation      string   `json:"illegal_content_explanation,omitempty"`
	IncompatibleContentGround      string   `json:"incompatible_content_ground,omitempty"`
	IncompatibleContentExplanation string   `json:"incompatible_content_explanation,omitempty"`
	IncompatibleContentIllegal     string   `json:"incompatible_content_illegal,omitempty"`
	Category                       string   `json:"category"`
	CategorySpecification          []string `json:"category_specification,omitempty"`
	ContentType                    []string `json:"content_type"`
	ContentTypeOther               string   `json:"content_type_other,omitempty"`
	TerritorialScope               []string `json:"territorial_scope,omitempty"`
	ContentDate                    string   `json:"content_date"`
	ApplicationDate                string   `json:"application_date"`
	DecisionFacts                  string   `json:"decision_facts"`
	SourceType                     string   `json:"source_type"`
	SourceIdentity                 string   `json:"source_identity"`
	AutomatedDetection             string   `json:"automated_detection"`
	AutomatedDecision              string   `json:"automated_decision"`
}

// The Transparency Database's limits on free text.
const (
	maxGround       = 500
	maxExplanation  = 2000
	maxDecisionFact = 5000
)

// euMemberStates are the territorial scope of a removal: the content is gone everywhere,
// and the database takes only EU and EEA codes.
var euMemberStates = []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
	"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}

// Statements writes a statement of reasons for each record that fits the database: a
// removal request or order its host complied with, and a referral its platform actioned.
// Lists (blocking, dereferencing) do not fit — they are not a platform's decision about
// content it hosts — and neither do measures not complied with; they are left out.
func Statements(p *procedure.Profile, records []MeasureRecord) ([]Statement, error) {
	out := []Statement{}
	for _, r := range records {
		m, d := r.Measure, r.Delivery
		if m.Kind.IsList() || m.State != takedown.MeasureComplied || d == nil || d.CompliedAt == nil {
			continue
		}
		offence, rule, issued, err := r.rules(p)
		if err != nil {
			return nil, err
		}
		acted := *d.CompliedAt
		if d.Answer != nil && d.Answer.ActedAt != nil {
			acted = *d.Answer.ActedAt
		}
		loc := p.Location()
		s := Statement{
			PUID:                  fmt.Sprintf("%s-measure-%d", p.ID, m.ID),
			DecisionVisibility:    []string{"DECISION_VISIBILITY_CONTENT_REMOVED"},
			Category:              offence.DSACategory,
			CategorySpecification: offence.DSAKeywords,
			ContentDate:           r.CaseOpened.In(loc).Format(time.DateOnly),
			ApplicationDate:       acted.In(loc).Format(time.DateOnly),
			SourceType:            "SOURCE_TYPE_OTHER_NOTIFICATION",
			SourceIdentity:        clip(p.Authority, maxGround),
			AutomatedDetection:    yesNo(r.Matched),
			AutomatedDecision:     "AUTOMATED_DECISION_NOT_AUTOMATED",
		}
		s.ContentType, s.ContentTypeOther = contentTypes(r.ContentTypes)
		what := map[takedown.MeasureKind]string{
			takedown.RemovalRequest: "a removal request",
			takedown.RemovalOrder:   "a removal order under Article 3 of Regulation (EU) 2021/784",
			takedown.Referral:       "a referral",
		}[m.Kind]
		facts := fmt.Sprintf("%s sent %s on %s, received on %s, about content it qualified as %s (%s). The content was removed on %s.",
			p.Authority, what, issued.In(loc).Format(time.DateOnly), date(d.AcknowledgedAt, loc),
			offence.Title.In("en"), offence.LegalBasis.In("en"), s.ApplicationDate)
		if m.Kind == takedown.Referral {
			// The platform decided under its own terms; the authority's view that the
			// content is illegal is why it referred it.
			s.DecisionGround = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
			s.IncompatibleContentGround = clip("Terms of service of "+r.Operator, maxGround)
			s.IncompatibleContentExplanation = clip(fmt.Sprintf("Referred by %s for assessment under the terms of service (%s).",
				p.Authority, rule.LegalBasis.In("en")), maxExplanation)
			s.IncompatibleContentIllegal = "Yes"
		} else {
			s.DecisionGround = "DECISION_GROUND_ILLEGAL_CONTENT"
			s.IllegalContentLegalGround = clip(offence.LegalBasis.In("en")+"; "+rule.LegalBasis.In("en"), maxGround)
			s.IllegalContentExplanation = clip(fmt.Sprintf("%s, qualified by %s and approved by a second officer.",
				offence.Title.In("en"), p.Authority), maxExplanation)
			s.TerritorialScope = euMemberStates
		}
		s.DecisionFacts = clip(facts, maxDecisionFact)
		out = append(out, s)
	}
	return out, nil
}

// contentTypes maps media types to the database's content types; with none known, it
// says so in content_type_other.
func contentTypes(types []string) ([]string, string) {
	var out []string
	for _, t := range types {
		major, minor, _ := strings.Cut(t, "/")
		c := "CONTENT_TYPE_OTHER"
		switch {
		case major == "image":
			c = "CONTENT_TYPE_IMAGE"
		case major == "video":
			c = "CONTENT_TYPE_VIDEO"
		case major == "audio":
			c = "CONTENT_TYPE_AUDIO"
		case major == "text", strings.HasPrefix(minor, "html"), strings.HasPrefix(minor, "pdf"):
			c = "CONTENT_TYPE_TEXT"
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return []string{"CONTENT_TYPE_OTHER"}, "not recorded by the authority"
	}
	if slices.Contains(out, "CONTENT_TYPE_OTHER") {
		return out, "other file type"
	}
	return out, ""
}

// yesNo is the database's boolean.
func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// date is a day in the authority's zone, or "an unrecorded date".
func date(t *time.Time, loc *time.Location) string {
	if t == nil {
		return "an unrecorded date"
	}
	return t.In(loc).Format(time.DateOnly)
}

// clip shortens s to n bytes at most, on a rune boundary, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
