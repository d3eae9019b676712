package transparency

import (
	"fmt"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// ResearchNotice is one measure as a notice for researchers, in the shape of the Lumen database's
// notices (lumendatabase.org), redacted: it carries no address or host name of the content
// (even a host name leads to it), no free text written by officers or operators (reasons,
// answers), no one's name but the authority's and the operators', and dates to the day.
// docs/exports.md lists the fields.
type ResearchNotice struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Title         string   `json:"title"`
	Body          string   `json:"body"`
	DateSent      string   `json:"date_sent"`
	DateReceived  *string  `json:"date_received,omitempty"`
	SenderName    string   `json:"sender_name"`
	PrincipalName string   `json:"principal_name"`
	RecipientName string   `json:"recipient_name"`
	Topics        []string `json:"topics"`
	Tags          []string `json:"tags"`
	Jurisdictions []string `json:"jurisdictions"`
	// ActionTaken is Lumen's "Yes", "No", or "Unspecified" while the measure runs or for
	// a list, whose many recipients each act on their own.
	ActionTaken string        `json:"action_taken"`
	Works       []NoticedWork `json:"works"`
	// Outcome is where the measure stands: complied, declined, in_force, lifted…
	Outcome takedown.MeasureState `json:"outcome"`
	// Redacted names the fields of a Lumen notice left empty on purpose.
	Redacted []string `json:"redacted"`
}

// NoticedWork is what a notice is about: here, how many addresses of content of one offence, the
// addresses themselves withheld.
type NoticedWork struct {
	Description    string `json:"description"`
	InfringingURLs []any  `json:"infringing_urls"`
	URLCount       int    `json:"url_count"`
}

// noticeTitles are the notices' titles, in English like Lumen's.
var noticeTitles = map[takedown.MeasureKind]string{
	takedown.RemovalRequest: "Removal request",
	takedown.RemovalOrder:   "Removal order (Regulation (EU) 2021/784, art. 3)",
	takedown.Referral:       "Referral under the platform's terms of service",
	takedown.Blocking:       "DNS blocking list entry",
	takedown.Dereferencing:  "Search dereferencing list entry",
}

// listRecipients name the recipients of a list, who are every operator of a kind.
var listRecipients = map[takedown.MeasureKind]string{
	takedown.Blocking:      "Internet access providers (blocking list)",
	takedown.Dereferencing: "Search engines (dereferencing list)",
}

// Notices writes a notice for every record, in the order given.
func Notices(p *procedure.Profile, records []MeasureRecord) ([]ResearchNotice, error) {
	out := make([]ResearchNotice, 0, len(records))
	loc := p.Location()
	for _, r := range records {
		m := r.Measure
		offence, rule, issued, err := r.rules(p)
		if err != nil {
			return nil, err
		}
		n := ResearchNotice{
			ID:    fmt.Sprintf("%s-measure-%d", p.ID, m.ID),
			Type:  "GovernmentRequest",
			Title: noticeTitles[m.Kind],
			Body: fmt.Sprintf("%s by %s under %s, about content qualified as %s (%s).",
				noticeTitles[m.Kind], p.Authority, rule.LegalBasis.In("en"), offence.Title.In("en"), offence.LegalBasis.In("en")),
			DateSent:      issued.In(loc).Format(time.DateOnly),
			SenderName:    p.Authority,
			PrincipalName: p.Authority,
			RecipientName: r.Operator,
			Topics:        []string{offence.Title.In("en")},
			Tags:          append([]string{string(m.Kind)}, offence.DSAKeywords...),
			Jurisdictions: []string{},
			ActionTaken:   "Unspecified",
			Works: []NoticedWork{{Description: fmt.Sprintf("%d address(es) of content qualified as %s", len(m.Targets), offence.Title.In("en")),
				InfringingURLs: []any{}, URLCount: len(m.Targets)}},
			Outcome:  m.State,
			Redacted: []string{"infringing_urls", "reasons", "answers"},
		}
		if p.MemberState != "" {
			n.Jurisdictions = append(n.Jurisdictions, p.MemberState)
		}
		if m.Kind.IsList() {
			n.RecipientName = listRecipients[m.Kind]
		}
		if r.Delivery != nil && r.Delivery.AcknowledgedAt != nil {
			d := r.Delivery.AcknowledgedAt.In(loc).Format(time.DateOnly)
			n.DateReceived = &d
		}
		switch m.State {
		case takedown.MeasureComplied:
			n.ActionTaken = "Yes"
		case takedown.MeasureDeclined:
			n.ActionTaken = "No"
		}
		out = append(out, n)
	}
	return out, nil
}
