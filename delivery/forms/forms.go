// Package forms renders the official forms an operator receives: the LCEN art. 6-1
// removal request, the removal order of Regulation (EU) 2021/784 (TCO, Annex I), the
// blocking and dereferencing notifications, referrals, and the notices that inform, give
// advance information, withdraw or restore. One Notice gives four formats, HTML, plain
// text, JSON and PDF, that show the same ordered list of fields (Fields): what the law
// requires on a form is checked once, against that list, and then appears in every format.
//
// Each form ends with how to answer it, following the TCO answer forms: Annex II
// (feedback after removal) is a comply answer, Annex III (inability to comply) is a
// cannot_comply answer with its reason. See docs/forms.md.
package forms

import (
	"slices"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/procedure"
)

// Version is the version of the JSON document and of the forms' field list. It changes
// when a field is renamed or its meaning changes, so that operators parsing the JSON can
// tell; adding a field does not change it.
const Version = 1

// The form ids, written in each document's "form" member so that an operator's software
// knows which form it reads without guessing from the text.
const (
	FormRemovalOrder       = "tco_annex_i"
	FormRemovalRequest     = "lcen_6_1_removal_request"
	FormReferral           = "referral"
	FormBlocking           = "lcen_6_1_blocking"
	FormDereferencing      = "lcen_6_1_dereferencing"
	FormInformation        = "information"
	FormAdvanceInformation = "tco_advance_information"
	FormWithdrawal         = "withdrawal"
	FormRestoration        = "restoration"
	formUnknown            = "notice"
)

// Notice is everything an official form shows about one delivery: what one operator
// receives. The caller maps the measure, case, operator and procedure profile into it;
// the forms only render.
type Notice struct {
	// Reference is the authority's reference number, such as "TD-2026-000042".
	Reference string
	Kind      takedown.MeasureKind
	Purpose   takedown.Purpose
	// Language is the operator's language; "fr" (or fr-*) gives French, anything else
	// English.
	Language  string
	Authority Authority
	// IssuedAt is the date and time of issue, shown in Location (UTC if nil).
	IssuedAt time.Time
	Location *time.Location
	Operator Addressee
	// Targets are the exact URLs, or host names for blocking.
	Targets []string
	Offence Offence
	// Reasons is the statement of reasons the officer wrote.
	Reasons string
	// Ending is why the measure was withdrawn or lifted, on withdrawal and restoration
	// notices.
	Ending string
	// Clarification is the authority's answer to the operator's cannot-comply or dispute,
	// when the notice carries it.
	Clarification string
	// LegalBasis and Redress are the measure's, localised, from the procedure profile.
	LegalBasis string
	Redress    string
	// Deadline is the time the operator has to act; zero means none.
	Deadline time.Duration
	// DeadlineAt is nil until the operator's receipt starts the deadline ("within one
	// hour of receipt").
	DeadlineAt *time.Time
	// NonDisclosure is the decision of TCO art. 11(3): the provider must not inform the
	// content provider until NonDisclosureUntil (required with it).
	NonDisclosure      bool
	NonDisclosureUntil *time.Time
	// Emergency justifies a first removal order sent without the 12-hour advance
	// information (TCO art. 3(2)).
	Emergency                     string
	DeliveryID, MeasureID, CaseID int64
	// AnswerURL is where the operator answers: the portal or API address.
	AnswerURL string
}

// Authority is the issuing authority as the forms show it (TCO Annex I, sections E and F).
type Authority struct {
	Name string
	// MemberState is the Member State of the issuing authority (Annex I, section A).
	MemberState string
	// Representative is the name and post of the person who issued the measure.
	Representative string
	Address        string
	Email          string
	Phone          string
}

// Addressee is the operator the notice is addressed to.
type Addressee struct {
	Name string
	// Contact is the operator's point of contact (its e-mail address).
	Contact string
	// LegalRepresentative is the provider's legal representative in the Union, if known
	// (TCO art. 17).
	LegalRepresentative string
}

// Offence is the offence the content constitutes, localised.
type Offence struct {
	Code       string
	Title      string
	LegalBasis string
	// Category is the TCO art. 2(7) type of terrorist content (procedure.Categories);
	// required on a removal order.
	Category string
}

// FormID names the form for a kind of measure and a purpose.
func FormID(kind takedown.MeasureKind, purpose takedown.Purpose) string {
	switch purpose {
	case takedown.PurposeInformation:
		return FormInformation
	case takedown.PurposeAdvanceInformation:
		return FormAdvanceInformation
	case takedown.PurposeWithdrawal:
		return FormWithdrawal
	case takedown.PurposeRestoration:
		return FormRestoration
	case takedown.PurposeAction:
		switch kind {
		case takedown.RemovalOrder:
			return FormRemovalOrder
		case takedown.RemovalRequest:
			return FormRemovalRequest
		case takedown.Referral:
			return FormReferral
		case takedown.Blocking:
			return FormBlocking
		case takedown.Dereferencing:
			return FormDereferencing
		}
	}
	return formUnknown
}

// Validate rejects a notice that would make an incomplete or self-contradictory form.
// Lengths and control characters are the caller's to check: the renderers accept any
// text.
func (n Notice) Validate() error {
	switch {
	case strings.TrimSpace(n.Reference) == "":
		return takedown.Invalid("reference", "is required: the authority's reference number")
	case !n.Kind.Valid():
		return takedown.Invalid("kind", "must be one of %s", strings.Join(takedown.Names(takedown.MeasureKinds), ", "))
	case !slices.Contains(takedown.Purposes, n.Purpose):
		return takedown.Invalid("purpose", "must be one of %s", strings.Join(takedown.Names(takedown.Purposes), ", "))
	case strings.TrimSpace(n.Authority.Name) == "":
		return takedown.Invalid("authority", "is required: the issuing authority's name")
	case n.IssuedAt.IsZero():
		return takedown.Invalid("issued_at", "is required: the date and time of issue")
	case strings.TrimSpace(n.Operator.Name) == "":
		return takedown.Invalid("addressee", "is required: the operator's name")
	case len(n.Targets) == 0 && n.Purpose != takedown.PurposeAdvanceInformation:
		// An advance information precedes an order and names none of its content.
		return takedown.Invalid("targets", "are required: the exact URLs or host names")
	}
	for i, t := range n.Targets {
		if strings.TrimSpace(t) == "" {
			return takedown.Invalid(takedown.IndexField("targets", i), "is empty")
		}
	}
	action := n.Purpose == takedown.PurposeAction
	switch {
	case n.Purpose != takedown.PurposeAdvanceInformation && strings.TrimSpace(n.Reasons) == "":
		return takedown.Invalid("reasons", "is required: the statement of reasons")
	case action && strings.TrimSpace(n.LegalBasis) == "":
		return takedown.Invalid("legal_basis", "is required: the measure's legal basis")
	case action && strings.TrimSpace(n.Redress) == "":
		return takedown.Invalid("redress", "is required: how and when the measure can be challenged")
	case n.Deadline < 0:
		return takedown.Invalid("deadline", "must not be negative")
	case n.Offence.Category != "" && !slices.Contains(procedure.Categories, n.Offence.Category):
		return takedown.Invalid("category", "must be one of %s", strings.Join(procedure.Categories, ", "))
	case n.Kind == takedown.RemovalOrder && action && n.Offence.Category == "":
		return takedown.Invalid("category", "is required on a removal order: the type of terrorist content (TCO art. 2(7))")
	case n.NonDisclosure && n.Kind != takedown.RemovalOrder:
		return takedown.Invalid("non_disclosure", "applies to TCO removal orders only")
	case n.NonDisclosure && n.NonDisclosureUntil == nil:
		return takedown.Invalid("non_disclosure_until", "is required with non_disclosure: the date the content provider may be informed")
	case !n.NonDisclosure && n.NonDisclosureUntil != nil:
		return takedown.Invalid("non_disclosure_until", "applies only with non_disclosure")
	case n.Emergency != "" && n.Kind != takedown.RemovalOrder:
		return takedown.Invalid("emergency", "applies to TCO removal orders only")
	}
	return nil
}

// Complete checks that the notice's form shows every field in required, the list a
// procedure profile gives for the measure (procedure.MeasureRule.Form), so that a form the
// law prescribes never goes out with a field missing.
func (n Notice) Complete(required []string) error {
	shown := map[string]bool{}
	for _, f := range Fields(n) {
		if strings.TrimSpace(f.Value) != "" {
			shown[f.Name] = true
		}
	}
	for _, name := range required {
		if !shown[name] && applies(n, name) {
			return takedown.Invalid(name, "is required on the %s form", FormID(n.Kind, n.Purpose))
		}
	}
	return nil
}

// applies reports whether a required field applies to this notice: the end of a
// non-disclosure is required only with one.
func applies(n Notice, name string) bool {
	if name == "non_disclosure_until" {
		return n.NonDisclosure
	}
	return true
}
