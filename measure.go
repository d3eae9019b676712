package takedown

import (
	"slices"
	"strings"
	"time"
)

// MeasureKind is the kind of measure the authority takes on a case.
type MeasureKind string

// The kinds of measure. The procedure profile says which exist, to whom each is addressed,
// and its deadlines.
const (
	// RemovalRequest asks the host or publisher to remove the content (LCEN art. 6-1).
	RemovalRequest MeasureKind = "removal_request"
	// RemovalOrder is a binding EU TCO removal order (Regulation 2021/784, art. 3).
	RemovalOrder MeasureKind = "removal_order"
	// Referral asks a platform to consider the content under its own terms; it decides.
	Referral MeasureKind = "referral"
	// Blocking lists host names that ISPs must block by DNS.
	Blocking MeasureKind = "blocking"
	// Dereferencing lists addresses that search engines must stop referencing.
	Dereferencing MeasureKind = "dereferencing"
)

// MeasureKinds lists every kind.
var MeasureKinds = []MeasureKind{RemovalRequest, RemovalOrder, Referral, Blocking, Dereferencing}

// Valid reports whether k is a known kind.
func (k MeasureKind) Valid() bool {
	for _, known := range MeasureKinds {
		if k == known {
			return true
		}
	}
	return false
}

// IsList reports whether the measure is a list (blocking, dereferencing) sent to every
// operator of a kind, rather than a request addressed to one operator.
func (k MeasureKind) IsList() bool { return k == Blocking || k == Dereferencing }

// MeasureState is where a measure stands.
type MeasureState string

// The measure states.
const (
	// MeasureScheduled: a first TCO order waiting for the end of the advance-information period.
	MeasureScheduled MeasureState = "scheduled"
	// MeasureProposed: a list measure waiting for a second user's approval.
	MeasureProposed MeasureState = "proposed"
	// MeasureRefused: a proposal the approver refused, with reasons.
	MeasureRefused MeasureState = "refused"
	// MeasureIssued: addressed to its operator, waiting for the answer.
	MeasureIssued MeasureState = "issued"
	// MeasureInForce: a list measure approved and published to every recipient.
	MeasureInForce MeasureState = "in_force"
	// MeasureComplied: the operator removed the content (or actioned the referral).
	MeasureComplied MeasureState = "complied"
	// MeasureDeclined: the platform declined a referral under its own terms.
	MeasureDeclined MeasureState = "declined"
	// MeasureLifted: a list measure ended because the content is gone or no longer illegal.
	MeasureLifted MeasureState = "lifted"
	// MeasureWithdrawn: the authority withdrew the measure.
	MeasureWithdrawn MeasureState = "withdrawn"
)

// MeasureStates lists every state.
var MeasureStates = []MeasureState{MeasureScheduled, MeasureProposed, MeasureRefused, MeasureIssued,
	MeasureInForce, MeasureComplied, MeasureDeclined, MeasureLifted, MeasureWithdrawn}

// Valid reports whether s is a known state.
func (s MeasureState) Valid() bool {
	for _, known := range MeasureStates {
		if s == known {
			return true
		}
	}
	return false
}

// ActiveMeasureStates are the states of a measure that has effect or may still take effect.
var ActiveMeasureStates = []MeasureState{MeasureScheduled, MeasureProposed, MeasureIssued, MeasureInForce}

// Active reports whether the measure still has effect or may still take effect.
func (s MeasureState) Active() bool { return slices.Contains(ActiveMeasureStates, s) }

// Measure is one decision of the authority on a case, addressed to one operator or, for
// lists, to every operator of a kind.
type Measure struct {
	ID     int64        `json:"id"`
	CaseID int64        `json:"case_id"`
	Kind   MeasureKind  `json:"kind"`
	State  MeasureState `json:"state"`
	// OperatorID is the addressee of a request, order or referral; 0 for lists.
	OperatorID int64 `json:"operator_id,omitempty"`
	// Targets are canonical URLs, or host names for blocking.
	Targets []string `json:"targets"`
	// Subtree blocks every name under each target host too (blocking only).
	Subtree bool   `json:"subtree,omitempty"`
	Offence string `json:"offence"`
	// Reasons is the statement of reasons sent to the operator.
	Reasons string `json:"reasons"`
	// PublisherUnidentified justifies listing without a prior removal request.
	PublisherUnidentified string `json:"publisher_unidentified,omitempty"`
	// Emergency justifies a first TCO order without the 12-hour advance information.
	Emergency string `json:"emergency,omitempty"`
	// NonDisclosureUntil: until then the operator must not inform the content's provider.
	NonDisclosureUntil *time.Time `json:"non_disclosure_until,omitempty"`
	ProposedBy         int64      `json:"proposed_by"`
	ProposedAt         time.Time  `json:"proposed_at"`
	ApprovedBy         int64      `json:"approved_by,omitempty"`
	ApprovedAt         *time.Time `json:"approved_at,omitempty"`
	// IssueAt is when a scheduled measure will be issued.
	IssueAt  *time.Time `json:"issue_at,omitempty"`
	IssuedAt *time.Time `json:"issued_at,omitempty"`
	// Refusal, Ending: the decision that refused or ended the measure.
	Refusal *Decision  `json:"refusal,omitempty"`
	Ending  *Decision  `json:"ending,omitempty"`
	EndedAt *time.Time `json:"ended_at,omitempty"`
	// NextRecheck is when a list measure must next be re-checked; LastRecheck when it was.
	NextRecheck *time.Time `json:"next_recheck,omitempty"`
	LastRecheck *time.Time `json:"last_recheck,omitempty"`
	// RecheckNotified is the NextRecheck for which the scheduler recorded the re-check as due.
	RecheckNotified *time.Time `json:"-"`
	// Overdue is true while one of the measure's deliveries is past its deadline.
	Overdue bool `json:"overdue"`
	// Objections are the safety gates' objections to the list change the measure makes,
	// found when it was proposed and again when it was approved; while there are any, the
	// measure is held. Overrides are the supervisors' recorded decisions to go ahead.
	Objections []Objection `json:"objections,omitempty"`
	Overrides  []Override  `json:"overrides,omitempty"`
}

// Gate is one of the safety gates a list change passes before it is published.
type Gate string

// The gates.
const (
	// GateNeverBlock: the name is, or is under or above, a name on the never-block list
	// (major services, public bodies, infrastructure).
	GateNeverBlock Gate = "never_block"
	// GateSharedHost: the name is a public suffix, a platform or a shared host whose names
	// belong to many unrelated users; narrow the measure to the offending host name.
	GateSharedHost Gate = "shared_host"
	// GateDiffSize: the version adds or removes more entries than the configured limits.
	GateDiffSize Gate = "diff_size"
)

// Gates lists every gate.
var Gates = []Gate{GateNeverBlock, GateSharedHost, GateDiffSize}

// Objection is one gate's objection, and the reason.
type Objection struct {
	Gate   Gate   `json:"gate"`
	Target string `json:"target,omitempty"`
	Reason string `json:"reason"`
}

// Override is a supervisor's decision to publish despite a gate: two supervisors must
// override a never-block or shared-host objection; a diff-size objection needs a second supervisor's
// approval, recorded as an override. Ending says it lets the measure's ending through rather
// than its publication.
type Override struct {
	Gate   Gate `json:"gate"`
	Ending bool `json:"ending,omitempty"`
	Decision
}

// OverrideInput is a supervisor's override.
type OverrideInput struct {
	Gate    Gate   `json:"gate"`
	Reasons string `json:"reasons"`
}

// Validate checks the input.
func (in *OverrideInput) Validate() error {
	if !slices.Contains(Gates, in.Gate) {
		return Invalid("gate", "must be one of %s", strings.Join(Names(Gates), ", "))
	}
	return CheckReasons("reasons", &in.Reasons)
}

// MeasureInput is what an officer submits to issue or propose a measure.
type MeasureInput struct {
	Kind       MeasureKind `json:"kind"`
	OperatorID int64       `json:"operator_id,omitempty"`
	// Targets narrows the measure to some of the case's URLs, or for blocking names the
	// host names; empty means all of the case's URLs (or their hosts).
	Targets               []string `json:"targets,omitempty"`
	Subtree               bool     `json:"subtree,omitempty"`
	PublisherUnidentified string   `json:"publisher_unidentified,omitempty"`
	Emergency             string   `json:"emergency,omitempty"`
	// NonDisclosureUntil forbids the operator to tell the content's provider of the
	// removal until then (TCO art. 11(3), for public security: at most six weeks).
	NonDisclosureUntil *time.Time `json:"non_disclosure_until,omitempty"`
}

// MaxNonDisclosure is the longest non-disclosure one decision imposes (TCO art. 11(3)).
const MaxNonDisclosure = 6 * 7 * 24 * time.Hour

// Validate checks the shape of the input; casework checks it against the case and profile.
func (in *MeasureInput) Validate() error {
	in.PublisherUnidentified = strings.TrimSpace(in.PublisherUnidentified)
	in.Emergency = strings.TrimSpace(in.Emergency)
	switch {
	case !in.Kind.Valid():
		return Invalid("kind", "must be one of removal_request, removal_order, referral, blocking, dereferencing")
	case in.Kind.IsList() && in.OperatorID != 0:
		return Invalid("operator_id", "is not used for %s: the list goes to every operator of the right kind", in.Kind)
	case !in.Kind.IsList() && in.OperatorID == 0:
		return Invalid("operator_id", "is required: the operator the %s is addressed to", in.Kind)
	case in.Subtree && in.Kind != Blocking:
		return Invalid("subtree", "applies to blocking only")
	case in.PublisherUnidentified != "" && !in.Kind.IsList():
		return Invalid("publisher_unidentified", "applies to blocking and dereferencing only")
	case in.Emergency != "" && in.Kind != RemovalOrder:
		return Invalid("emergency", "applies to TCO removal orders only")
	case in.NonDisclosureUntil != nil && in.Kind != RemovalOrder:
		return Invalid("non_disclosure_until", "applies to TCO removal orders only")
	case len(in.PublisherUnidentified) > MaxReasonsLength:
		return Invalid("publisher_unidentified", "is longer than %d bytes", MaxReasonsLength)
	case len(in.Emergency) > MaxReasonsLength:
		return Invalid("emergency", "is longer than %d bytes", MaxReasonsLength)
	case len(in.Targets) > MaxReportURLs:
		return Invalid("targets", "has more than %d entries", MaxReportURLs)
	}
	if err := CheckText("publisher_unidentified", in.PublisherUnidentified, true); err != nil {
		return err
	}
	return CheckText("emergency", in.Emergency, true)
}

// RecheckOutcome is an officer's conclusion at a re-check.
type RecheckOutcome string

// The re-check outcomes.
const (
	// RecheckConfirm: the content is still there and still illegal; the measure stays.
	RecheckConfirm RecheckOutcome = "confirm"
	// RecheckLift: the content is gone or no longer illegal; the measure is lifted.
	RecheckLift RecheckOutcome = "lift"
)

// RecheckOutcomes lists every outcome.
var RecheckOutcomes = []RecheckOutcome{RecheckConfirm, RecheckLift}

// RecheckInput records a re-check.
type RecheckInput struct {
	Outcome RecheckOutcome `json:"outcome"`
	Reasons string         `json:"reasons"`
}

// Validate checks the input.
func (in *RecheckInput) Validate() error {
	if in.Outcome != RecheckConfirm && in.Outcome != RecheckLift {
		return Invalid("outcome", "must be confirm or lift")
	}
	return CheckReasons("reasons", &in.Reasons)
}

// MeasureFilter selects measures. Times are compared with the transaction's time.
type MeasureFilter struct {
	CaseID     int64        `query:"case_id"`
	Kind       MeasureKind  `query:"kind"`
	State      MeasureState `query:"state"`
	OperatorID int64        `query:"operator_id"` // measures with a delivery to this operator
	Active     bool         `query:"active"`      // scheduled, proposed, issued or in force
	Issued     bool         // issued at some point, whatever happened since
	// IssuedFrom and IssuedBefore select, with Issued, the measures first issued in a period.
	IssuedFrom, IssuedBefore time.Time
	Overdue                  bool `query:"overdue"` // with a delivery past its deadline
	IssueDue                 bool // scheduled, and the time to issue has come
	RecheckDue               bool `query:"recheck_due"` // in force, and the next re-check date has come
	// RecheckUnnotified selects, with RecheckDue, measures whose due re-check is not yet recorded.
	RecheckUnnotified bool
	Page
}
