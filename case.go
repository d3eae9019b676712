package takedown

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CaseState is where a case stands in the procedure. Transitions are checked in casework.
type CaseState string

// The case states, in procedure order.
const (
	// CaseNew: reported, waiting for an officer to triage it.
	CaseNew CaseState = "new"
	// CaseQualifying: accepted at triage, or returned by a supervisor; an officer qualifies it.
	CaseQualifying CaseState = "qualifying"
	// CaseAwaitingApproval: qualified; waiting for a different supervisor to approve.
	CaseAwaitingApproval CaseState = "awaiting_approval"
	// CaseApproved: the qualification is approved; measures may be issued.
	CaseApproved CaseState = "approved"
	// CaseClosed: dismissed, or closed after its measures ended. Its URLs are free again.
	CaseClosed CaseState = "closed"
)

// CaseStates lists every state in procedure order.
var CaseStates = []CaseState{CaseNew, CaseQualifying, CaseAwaitingApproval, CaseApproved, CaseClosed}

// Valid reports whether s is a known state.
func (s CaseState) Valid() bool {
	for _, known := range CaseStates {
		if s == known {
			return true
		}
	}
	return false
}

// Case groups the reports about the same content and carries the authority's decision on it.
type Case struct {
	ID       int64     `json:"id"`
	State    CaseState `json:"state"`
	Priority int       `json:"priority"`
	// URLs are the canonical addresses of the content, fixed when the case was opened.
	URLs []string `json:"urls"`
	// Offence is the reporters' first suggestion until the case is qualified, then the
	// qualified offence.
	Offence       string         `json:"offence"`
	Qualification *Qualification `json:"qualification,omitempty"`
	Hold          *Hold          `json:"hold,omitempty"`
	// Returned holds the supervisor's reasons when the qualification was sent back.
	Returned *Decision `json:"returned,omitempty"`
	// Closure says why and by whom the case was closed.
	Closure  *Decision `json:"closure,omitempty"`
	Reports  int       `json:"reports"` // counted when the case is read
	OpenedAt time.Time `json:"opened_at"`
	// UpdatedAt changes with every transition; clients send it back to detect stale pages.
	UpdatedAt time.Time `json:"updated_at"`
	// Overdue is true while one of the case's measures has missed its deadline.
	Overdue bool `json:"overdue"`
	// Related are the other cases whose hashes the reports of this case matched: the same
	// content, found elsewhere. Closest first.
	Related []RelatedCase `json:"related"`
}

// RelatedCase is a case whose hashes matched those of a report, with the closest match.
type RelatedCase struct {
	CaseID   int64    `json:"case_id"`
	ReportID int64    `json:"report_id"`
	Type     HashType `json:"type"`
	Distance int      `json:"distance"`
}

// Open reports whether the case still groups new reports about its URLs.
func (c *Case) Open() bool { return c.State != CaseClosed }

// Qualification is the officer's legal analysis of the content, and its approval.
type Qualification struct {
	Offence string `json:"offence"`
	// Elements answers the offence's checklist from the procedure profile: true for a
	// confirmed element, a string for a described or chosen one.
	Elements    map[string]any `json:"elements"`
	Reasons     string         `json:"reasons"`
	QualifiedBy int64          `json:"qualified_by"`
	QualifiedAt time.Time      `json:"qualified_at"`
	ApprovedBy  int64          `json:"approved_by,omitempty"`
	ApprovedAt  *time.Time     `json:"approved_at,omitempty"`
}

// Hold is an investigation hold (deconfliction): while it is placed, no measure may be issued.
type Hold struct {
	Reference string    `json:"reference"` // the investigating service's reference
	Reasons   string    `json:"reasons"`
	By        int64     `json:"by"`
	At        time.Time `json:"at"`
}

// Decision records who decided what, when and why.
type Decision struct {
	Reasons string    `json:"reasons"`
	By      int64     `json:"by"`
	At      time.Time `json:"at"`
}

// Limits on free text written by officers.
const (
	MaxReasonsLength   = 20000
	MaxReferenceLength = 200
)

// CheckReasons trims a statement of reasons and checks it is present, not too long, and
// plain text.
func CheckReasons(field string, s *string) error {
	*s = strings.TrimSpace(*s)
	switch {
	case *s == "":
		return Invalid(field, "is required: write the reasons")
	case len(*s) > MaxReasonsLength:
		return Invalid(field, "is longer than %d bytes", MaxReasonsLength)
	}
	return CheckText(field, *s, true)
}

// CheckText refuses text that is not UTF-8 or that holds control characters: written by the
// public or an operator, they could rewrite the screen of the officer who reads them, or hide
// part of the text. Line breaks and tabs are allowed in multiline text only.
func CheckText(field, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "is not valid UTF-8")
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return Invalid(field, "holds the control character %U; send plain text", r)
		}
	}
	return nil
}

// QualificationInput is what an officer submits to qualify a case.
type QualificationInput struct {
	Offence  string         `json:"offence"`
	Elements map[string]any `json:"elements"`
	Reasons  string         `json:"reasons"`
}

// HoldInput places an investigation hold.
type HoldInput struct {
	Reference string `json:"reference"`
	Reasons   string `json:"reasons"`
}

// Validate checks the hold's fields.
func (in *HoldInput) Validate() error {
	return checkHold(&in.Reference, &in.Reasons, "the investigating service's reference")
}

// checkHold checks a hold's reference (trimmed, of whom, what) and its reasons.
func checkHold(reference, reasons *string, what string) error {
	*reference = strings.TrimSpace(*reference)
	switch {
	case *reference == "":
		return Invalid("reference", "is required: %s", what)
	case len(*reference) > MaxReferenceLength:
		return Invalid("reference", "is longer than %d bytes", MaxReferenceLength)
	}
	if err := CheckText("reference", *reference, false); err != nil {
		return err
	}
	return CheckReasons("reasons", reasons)
}

// CaseFilter selects cases for the queue and for oversight.
type CaseFilter struct {
	State   CaseState `query:"state"`
	Overdue bool      `query:"overdue"` // only cases with a measure past its deadline
	URL     string    `query:"url"`     // the case holding this URL (canonicalised first)
	Page
}
