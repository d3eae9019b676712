// Package procedure holds procedure profiles: the offences an authority may act on, the
// legal elements an officer must establish for each, the measures it may take, to whom they
// go and their deadlines, as data. The default profile is France (LCEN art. 6-1 with the EU
// TCO Regulation); another jurisdiction is a new JSON file passed to `takedown serve
// --profile`, not new code.
package procedure

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the profile's time zone must load on machines without tzdata

	"github.com/takedown-project/takedown"
)

//go:embed profiles/*.json
var embedded embed.FS

// DefaultID is the id of the default profile.
const DefaultID = "fr"

// Profile is one jurisdiction's procedure.
type Profile struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Authority string `json:"authority"`
	// MemberState is the authority's Member State (TCO Annex I, section A).
	MemberState string `json:"member_state"`
	// Contact is how operators reach the authority, printed on every form.
	Contact Contact `json:"contact"`
	// TimeZone is the authority's zone: deadlines are displayed and re-check dates computed
	// in it.
	TimeZone string `json:"time_zone"`
	// RecheckMonths is the longest interval, in calendar months, between two re-checks of a
	// listed address.
	RecheckMonths int                                  `json:"recheck_months"`
	Offences      []Offence                            `json:"offences"`
	Measures      map[takedown.MeasureKind]MeasureRule `json:"measures"`
	// Retention is how long each kind of record is kept, and from which moment; a kind not
	// listed is kept (docs/evidence.md).
	Retention []Retention `json:"retention,omitempty"`

	location *time.Location
}

// Kinds of records with a retention period, and the moments it runs from.
const (
	RecordEvidence           = "evidence"            // sealed files and captures of a case, with their previews
	RecordReporterContact    = "reporter_contact"    // a reporter's contact, sealed
	RecordComplainantContact = "complainant_contact" // a complainant's contact, sealed
	FromCaseClosed           = "case_closed"         // the case's closure, which comes after its last measure ended
	FromComplaintAnswered    = "complaint_answered"  // the authority's answer to the complaint
)

// retentionFrom is, for each kind of record with a retention period, the moment it runs from.
var retentionFrom = map[string]string{RecordEvidence: FromCaseClosed, RecordReporterContact: FromCaseClosed,
	RecordComplainantContact: FromComplaintAnswered}

// Retention is how long one kind of record is kept after a moment of its case. Purging it
// is suspended while a legal hold is on the case.
type Retention struct {
	Record string `json:"record"`
	From   string `json:"from"`
	Months int    `json:"months"`
	// Basis is the legal ground of the period, for the record.
	Basis string `json:"basis"`
}

// RetentionOf returns the retention of a kind of record; false when it is kept.
func (p *Profile) RetentionOf(record string) (Retention, bool) {
	for _, r := range p.Retention {
		if r.Record == record {
			return r, true
		}
	}
	return Retention{}, false
}

// Contact is the authority's address, e-mail and telephone.
type Contact struct {
	Address string `json:"address"`
	Email   string `json:"email"`
	Phone   string `json:"phone,omitempty"`
}

// Text is a short text in several languages, keyed by BCP 47 tag.
type Text map[string]string

// Offence is one offence the procedure covers.
type Offence struct {
	Code       string `json:"code"`
	Title      Text   `json:"title"`
	LegalBasis Text   `json:"legal_basis"`
	// Category is the type of terrorist content of TCO art. 2(7) that content of this
	// offence is, as ticked in section B of a removal order (Annex I). Empty for offences
	// outside the TCO Regulation, such as child sexual abuse material: they cannot be the
	// subject of a removal order.
	Category string `json:"category,omitempty"`
	// DSACategory and DSAKeywords classify the offence as the DSA Transparency Database
	// does (its category and category_specification attributes), for the statements of
	// reasons exported for measures a host complied with.
	DSACategory string    `json:"dsa_category"`
	DSAKeywords []string  `json:"dsa_keywords,omitempty"`
	Elements    []Element `json:"elements"`
}

// DSACategories are the categories of the DSA Transparency Database's statements of reasons.
var DSACategories = []string{"STATEMENT_CATEGORY_ANIMAL_WELFARE", "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
	"STATEMENT_CATEGORY_CYBER_VIOLENCE", "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
	"STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
	"STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
	"STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", "STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
	"STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "STATEMENT_CATEGORY_SELF_HARM",
	"STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", "STATEMENT_CATEGORY_VIOLENCE"}

// The types of terrorist content of TCO art. 2(7), points (a) to (e), in that order.
const (
	// CategoryIncitement: incites the commission of terrorist offences, for example by
	// glorifying terrorist acts (point (a)).
	CategoryIncitement = "incitement"
	// CategorySolicitation: solicits others to commit or contribute to terrorist offences
	// (point (b)).
	CategorySolicitation = "solicitation"
	// CategoryParticipation: solicits others to participate in the activities of a
	// terrorist group (point (c)).
	CategoryParticipation = "participation"
	// CategoryInstruction: instructs on making or using explosives, firearms, other weapons
	// or noxious substances, or on other methods, to commit terrorist offences (point (d)).
	CategoryInstruction = "instruction"
	// CategoryThreat: threatens to commit a terrorist offence (point (e)).
	CategoryThreat = "threat"
)

// Categories lists the TCO art. 2(7) categories in the order of the article, which is the
// order of the tick boxes on the removal order form.
var Categories = []string{CategoryIncitement, CategorySolicitation, CategoryParticipation, CategoryInstruction, CategoryThreat}

// ElementType says how an element of the offence is established.
type ElementType string

// The element types.
const (
	// Confirm: the officer must confirm the element (true).
	Confirm ElementType = "confirm"
	// Describe: the officer must describe it in words (for example, name the predicate act).
	Describe ElementType = "describe"
	// Choose: the officer picks one option; Require, if set, is the only one compatible with
	// the offence, and Hint says what to do otherwise.
	Choose ElementType = "choose"
)

// Element is one legal element of an offence, as a checklist item.
type Element struct {
	ID       string      `json:"id"`
	Type     ElementType `json:"type"`
	Label    Text        `json:"label"`
	Options  []string    `json:"options,omitempty"`
	Require  string      `json:"require,omitempty"`
	Hint     Text        `json:"hint,omitempty"`
	Optional bool        `json:"optional,omitempty"`
}

// MeasureRule says how one kind of measure works in this jurisdiction.
type MeasureRule struct {
	// Recipients are the operator kinds the measure may be addressed to (for lists: the
	// kinds that receive it, all of them).
	Recipients []takedown.OperatorKind `json:"recipients"`
	// Deadline is the time the recipient has to act; zero means no deadline.
	Deadline Duration `json:"deadline,omitempty"`
	// Inform lists operator kinds informed at the same time (ISPs, for removal requests).
	Inform []takedown.OperatorKind `json:"inform,omitempty"`
	// AdvanceInformation is how long before its first order of this kind a provider must be
	// informed (TCO art. 3(2)); zero means none.
	AdvanceInformation Duration `json:"advance_information,omitempty"`
	// RestorationDeadline is the time recipients have to restore access after lifting.
	RestorationDeadline Duration `json:"restoration_deadline,omitempty"`
	// SecondApproval requires a different supervisor to approve before the measure goes out.
	SecondApproval bool `json:"second_approval,omitempty"`
	// AfterRemoval allows the measure only once a removal request or order on the case is
	// overdue, or when the publisher is unidentified (with a recorded justification).
	AfterRemoval bool `json:"after_removal,omitempty"`
	LegalBasis   Text `json:"legal_basis"`
	Redress      Text `json:"redress"`
	// Form lists the fields the law requires on the measure's form, by their names in
	// package delivery/forms (which checks, in its tests, that each is a field it shows).
	// The procedure cannot check the names itself: it does not know the forms.
	Form []string `json:"form,omitempty"`
}

// Duration is a time.Duration written as "24h" in profiles.
type Duration struct{ time.Duration }

// UnmarshalJSON parses a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"24h\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// String formats the duration without trailing zero units ("24h", not "24h0m0s").
func (d Duration) String() string {
	s := d.Duration.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		return "0s"
	}
	return s
}

// Default returns the embedded default profile.
func Default() *Profile {
	p, err := Embedded(DefaultID)
	if err != nil {
		panic(err) // the embedded profile is checked by tests
	}
	return p
}

// Embedded returns one of the profiles built into the binary.
func Embedded(id string) (*Profile, error) {
	b, err := embedded.ReadFile("profiles/" + id + ".json")
	if err != nil {
		return nil, fmt.Errorf("procedure: no built-in profile %q (built in: %s)", id, strings.Join(EmbeddedIDs(), ", "))
	}
	return Parse(b)
}

// EmbeddedIDs lists the built-in profiles.
func EmbeddedIDs() []string {
	entries, _ := embedded.ReadDir("profiles")
	var ids []string
	for _, e := range entries {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".json"))
	}
	return ids
}

// Load returns a built-in profile by id, or reads one from a JSON file when name contains a
// path separator or ends in .json.
func Load(name string) (*Profile, error) {
	if !strings.ContainsRune(name, os.PathSeparator) && !strings.HasSuffix(name, ".json") {
		return Embedded(name)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("procedure: %w", err)
	}
	p, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// Parse reads and checks a profile.
func Parse(b []byte) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p Profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("procedure: profile: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("procedure: profile: there is data after the profile's JSON object")
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("procedure: profile %q: %w", p.ID, err)
	}
	return &p, nil
}

func (p *Profile) validate() error {
	if p.ID == "" || p.Name == "" || p.Authority == "" {
		return fmt.Errorf("id, name and authority are required")
	}
	if _, orders := p.Measures[takedown.RemovalOrder]; orders && p.MemberState == "" {
		return fmt.Errorf("member_state is required with removal_order measures: the order form names it (TCO Annex I, section A)")
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil || p.TimeZone == "" || p.TimeZone == "Local" { // "Local" would be the server's own setting
		return fmt.Errorf("time_zone %q is not an IANA time zone such as Europe/Paris", p.TimeZone)
	}
	p.location = loc
	if p.RecheckMonths < 1 || p.RecheckMonths > 12 {
		return fmt.Errorf("recheck_months must be between 1 and 12")
	}
	if len(p.Offences) == 0 {
		return fmt.Errorf("at least one offence is required")
	}
	records := map[string]bool{}
	for i, r := range p.Retention {
		from, known := retentionFrom[r.Record]
		switch {
		case !known:
			return fmt.Errorf("retention[%d].record %q is not %s, %s or %s", i, r.Record, RecordEvidence, RecordReporterContact, RecordComplainantContact)
		case records[r.Record]:
			return fmt.Errorf("retention[%d]: %s has two retention periods", i, r.Record)
		case r.From != from:
			return fmt.Errorf("retention[%d].from %q is not %s, the moment a %s's period runs from", i, r.From, from, r.Record)
		case r.Months < 0 || r.Months > 120:
			return fmt.Errorf("retention[%d].months must be between 0 and 120", i)
		}
		records[r.Record] = true
	}
	seen := map[string]bool{}
	for _, o := range p.Offences {
		if o.Code == "" || seen[o.Code] {
			return fmt.Errorf("offence code %q is empty or repeated", o.Code)
		}
		seen[o.Code] = true
		if err := o.validate(); err != nil {
			return fmt.Errorf("offence %s: %w", o.Code, err)
		}
	}
	if len(p.Measures) == 0 {
		return fmt.Errorf("at least one measure is required")
	}
	for kind, m := range p.Measures {
		if !kind.Valid() {
			return fmt.Errorf("unknown measure kind %q", kind)
		}
		if err := m.validate(kind); err != nil {
			return fmt.Errorf("measure %s: %w", kind, err)
		}
	}
	return nil
}

// dsaKeyword is the shape of the DSA Transparency Database's keywords.
var dsaKeyword = regexp.MustCompile(`^KEYWORD_[A-Z0-9_]+$`)

func (o *Offence) validate() error {
	if o.Title["en"] == "" || o.LegalBasis["en"] == "" {
		return fmt.Errorf("title and legal_basis need at least an English (en) text")
	}
	if o.Category != "" && !slices.Contains(Categories, o.Category) {
		return fmt.Errorf("category %q is not one of %s", o.Category, strings.Join(Categories, ", "))
	}
	if !slices.Contains(DSACategories, o.DSACategory) {
		return fmt.Errorf("dsa_category %q is not one of %s", o.DSACategory, strings.Join(DSACategories, ", "))
	}
	for _, k := range o.DSAKeywords {
		if !dsaKeyword.MatchString(k) {
			return fmt.Errorf("dsa_keywords: %q is not a keyword of the DSA Transparency Database (KEYWORD_…)", k)
		}
	}
	if len(o.Elements) == 0 {
		return fmt.Errorf("at least one legal element is required")
	}
	seen := map[string]bool{}
	for _, e := range o.Elements {
		if e.ID == "" || seen[e.ID] {
			return fmt.Errorf("element id %q is empty or repeated", e.ID)
		}
		seen[e.ID] = true
		if e.Label["en"] == "" {
			return fmt.Errorf("element %s: label needs an English (en) text", e.ID)
		}
		switch e.Type {
		case Confirm, Describe:
			if len(e.Options) > 0 || e.Require != "" {
				return fmt.Errorf("element %s: options and require are for choose elements", e.ID)
			}
		case Choose:
			if len(e.Options) < 2 {
				return fmt.Errorf("element %s: a choose element needs at least two options", e.ID)
			}
			if e.Require != "" && !slices.Contains(e.Options, e.Require) {
				return fmt.Errorf("element %s: require %q is not one of the options", e.ID, e.Require)
			}
		default:
			return fmt.Errorf("element %s: type must be confirm, describe or choose", e.ID)
		}
	}
	return nil
}

func (m *MeasureRule) validate(kind takedown.MeasureKind) error {
	if len(m.Recipients) == 0 {
		return fmt.Errorf("recipients are required")
	}
	for _, k := range append(slices.Clone(m.Recipients), m.Inform...) {
		if !k.Valid() {
			return fmt.Errorf("unknown operator kind %q", k)
		}
	}
	for _, d := range []Duration{m.Deadline, m.AdvanceInformation, m.RestorationDeadline} {
		if d.Duration < 0 {
			return fmt.Errorf("durations must not be negative")
		}
	}
	if kind == takedown.Referral && m.Deadline.Duration != 0 {
		return fmt.Errorf("a referral has no deadline: the platform decides under its own terms")
	}
	if kind != takedown.Referral && m.Deadline.Duration == 0 {
		return fmt.Errorf("deadline is required")
	}
	if kind.IsList() && m.RestorationDeadline.Duration == 0 {
		return fmt.Errorf("restoration_deadline is required for lists")
	}
	if !kind.IsList() && (m.RestorationDeadline.Duration != 0 || m.AfterRemoval) {
		return fmt.Errorf("restoration_deadline and after_removal are for blocking and dereferencing")
	}
	if m.LegalBasis["en"] == "" || m.Redress["en"] == "" {
		return fmt.Errorf("legal_basis and redress need at least an English (en) text")
	}
	seen := map[string]bool{}
	for _, f := range m.Form {
		if f == "" || seen[f] {
			return fmt.Errorf("form field %q is empty or repeated", f)
		}
		seen[f] = true
	}
	return nil
}

// Location is the authority's time zone.
func (p *Profile) Location() *time.Location { return p.location }

// Offence returns the offence with this code.
func (p *Profile) Offence(code string) (*Offence, bool) {
	for i := range p.Offences {
		if p.Offences[i].Code == code {
			return &p.Offences[i], true
		}
	}
	return nil, false
}

// OffenceCodes lists the offence codes, for error messages.
func (p *Profile) OffenceCodes() []string {
	codes := make([]string, len(p.Offences))
	for i, o := range p.Offences {
		codes[i] = o.Code
	}
	return codes
}

// Measure returns the rule for a kind of measure, if the profile has that kind.
func (p *Profile) Measure(kind takedown.MeasureKind) (*MeasureRule, bool) {
	m, ok := p.Measures[kind]
	return &m, ok
}

// In returns the text in the language, falling back to English.
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok {
		return s
	}
	return t["en"]
}
