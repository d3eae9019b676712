package takedown

import (
	"slices"
	"strings"
	"time"
)

// Purpose says why a delivery was sent to an operator.
type Purpose string

// The purposes of a delivery.
const (
	// PurposeAction: the measure itself; the operator must act before the deadline.
	PurposeAction Purpose = "action"
	// PurposeInformation: the ISPs are informed of a removal request at the same time as the
	// host (LCEN art. 6-1); nothing to do yet.
	PurposeInformation Purpose = "information"
	// PurposeAdvanceInformation: the information a provider receives 12 hours before its
	// first TCO removal order (Regulation 2021/784, art. 3(2)).
	PurposeAdvanceInformation Purpose = "advance_information"
	// PurposeWithdrawal: the measure the operator received has been withdrawn.
	PurposeWithdrawal Purpose = "withdrawal"
	// PurposeRestoration: a list entry was lifted; the operator must restore access or
	// referencing before the deadline.
	PurposeRestoration Purpose = "restoration"
)

// Purposes lists every purpose.
var Purposes = []Purpose{PurposeAction, PurposeInformation, PurposeAdvanceInformation, PurposeWithdrawal, PurposeRestoration}

// DeliveryState is the operator's side of a delivery.
type DeliveryState string

// The delivery states.
const (
	DeliverySent         DeliveryState = "sent"
	DeliveryAcknowledged DeliveryState = "acknowledged"
	DeliveryComplied     DeliveryState = "complied"
	// DeliveryCannotComply stops the deadline until the authority clarifies.
	DeliveryCannotComply DeliveryState = "cannot_comply"
	// DeliveryDisputed records that the operator contests the measure. The deadline keeps
	// running: contesting does not suspend the obligation; the court can. The authority
	// answers the dispute.
	DeliveryDisputed DeliveryState = "disputed"
	// DeliveryDeclined: a platform declined a referral under its own terms.
	DeliveryDeclined DeliveryState = "declined"
	// DeliveryCancelled: the measure was withdrawn before the operator complied.
	DeliveryCancelled DeliveryState = "cancelled"
)

// DeliveryStates lists every delivery state.
var DeliveryStates = []DeliveryState{DeliverySent, DeliveryAcknowledged, DeliveryComplied, DeliveryCannotComply,
	DeliveryDisputed, DeliveryDeclined, DeliveryCancelled}

// PendingDeliveryStates are the states in which the operator has not finished with a delivery.
var PendingDeliveryStates = []DeliveryState{DeliverySent, DeliveryAcknowledged, DeliveryCannotComply, DeliveryDisputed}

// RunningDeliveryStates are the states in which a deadline runs: once it passes, the delivery
// is overdue. (A cannot-comply stops it; a dispute does not.)
var RunningDeliveryStates = []DeliveryState{DeliverySent, DeliveryAcknowledged, DeliveryDisputed}

// Pending reports whether the operator has not finished with the delivery.
func (s DeliveryState) Pending() bool { return slices.Contains(PendingDeliveryStates, s) }

// Delivery is one thing addressed to one operator: a measure to act on, an information, a
// withdrawal or a restoration, with its deadline and the operator's answers.
type Delivery struct {
	ID         int64         `json:"id"`
	MeasureID  int64         `json:"measure_id"`
	CaseID     int64         `json:"case_id"`
	OperatorID int64         `json:"operator_id"`
	Kind       MeasureKind   `json:"kind"`
	Purpose    Purpose       `json:"purpose"`
	State      DeliveryState `json:"state"`
	SentAt     time.Time     `json:"sent_at"`
	// HasDeadline is true when the operator must act within a deadline.
	HasDeadline bool `json:"has_deadline"`
	// DeadlineAt is when the operator must have acted; nil when there is nothing to do or
	// while the deadline is stopped.
	DeadlineAt *time.Time `json:"deadline_at,omitempty"`
	// AcknowledgedAt is the operator's receipt: when its acknowledgement or first answer came
	// through the API, its webhook endpoint accepted the delivery, or (for a list) it first
	// had the version carrying it. ReceivedVia says which.
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
	ReceivedVia    ReceiptVia `json:"received_via,omitempty"`
	CompliedAt     *time.Time `json:"complied_at,omitempty"`
	// OverdueAt is when the scheduler recorded the missed deadline; UnreceivedAt when it
	// recorded that the operator had still not received the delivery (an alert).
	OverdueAt    *time.Time `json:"overdue_at,omitempty"`
	UnreceivedAt *time.Time `json:"unreceived_at,omitempty"`
	// VerifiedAt is when a compliance check found the content gone; NextCheckAt when the
	// next check is due (nil when none is), Checks how many were made.
	VerifiedAt  *time.Time `json:"verified_at,omitempty"`
	NextCheckAt *time.Time `json:"next_check_at,omitempty"`
	Checks      int        `json:"checks,omitempty"`
	// Answer is the operator's latest answer other than an acknowledgement.
	Answer *Answer `json:"answer,omitempty"`
	// Clarification is the authority's latest reply to a cannot-comply or a dispute.
	Clarification *Decision `json:"clarification,omitempty"`
	// ListVersion is, for a list delivery, the version of the list that carries it: the
	// operator has received it once it has this version.
	ListVersion int64 `json:"list_version,omitempty"`
	// Deadline is the deadline's status, computed by the store whenever the delivery is read
	// or written.
	Deadline DeadlineStatus `json:"deadline"`
}

// DeadlineStatus says where a delivery stands against its deadline.
type DeadlineStatus string

// DeadlineStatuses lists every deadline status.
var DeadlineStatuses = []DeadlineStatus{DeadlineNone, DeadlineAwaitingReceipt, DeadlineRunning, DeadlinePaused, DeadlineMet, DeadlineMissed,
	DeadlineOverdue, DeadlineCancelled}

// Valid reports whether s is a known status.
func (s DeadlineStatus) Valid() bool {
	switch s {
	case DeadlineNone, DeadlineAwaitingReceipt, DeadlineRunning, DeadlinePaused, DeadlineMet, DeadlineMissed, DeadlineOverdue, DeadlineCancelled:
		return true
	}
	return false
}

// The deadline statuses.
const (
	DeadlineNone DeadlineStatus = "none"
	// DeadlineAwaitingReceipt: the deadline of an addressed measure runs from the operator's
	// receipt, which has not come yet.
	DeadlineAwaitingReceipt DeadlineStatus = "awaiting_receipt"
	DeadlineRunning         DeadlineStatus = "running"
	DeadlinePaused          DeadlineStatus = "paused"
	DeadlineMet             DeadlineStatus = "met"
	DeadlineMissed          DeadlineStatus = "missed" // complied, but late
	DeadlineOverdue         DeadlineStatus = "overdue"
	DeadlineCancelled       DeadlineStatus = "cancelled"
)

// Answerable reports whether the operator can still answer beyond an acknowledgement: a
// measure to act on, or a restoration, not yet complied with, declined or withdrawn.
func (d *Delivery) Answerable() bool {
	return (d.Purpose == PurposeAction || d.Purpose == PurposeRestoration) &&
		d.State != DeliveryComplied && d.State != DeliveryDeclined && d.State != DeliveryCancelled
}

// AwaitsClarification reports whether the delivery waits for the authority's reply: its
// operator cannot comply, or disputes the measure.
func (d *Delivery) AwaitsClarification() bool {
	return d.State == DeliveryCannotComply || d.State == DeliveryDisputed
}

// DeadlineStatusAt computes the deadline status at time now.
func (d *Delivery) DeadlineStatusAt(now time.Time) DeadlineStatus {
	switch {
	case !d.HasDeadline:
		return DeadlineNone
	case d.State == DeliveryCancelled:
		return DeadlineCancelled
	case d.State == DeliveryComplied && d.DeadlineAt != nil && d.CompliedAt.After(*d.DeadlineAt):
		return DeadlineMissed
	case d.State == DeliveryComplied:
		return DeadlineMet
	case d.State == DeliveryCannotComply:
		return DeadlinePaused
	case d.State == DeliverySent && d.DeadlineAt == nil:
		return DeadlineAwaitingReceipt
	case slices.Contains(RunningDeliveryStates, d.State) && d.DeadlineAt != nil && now.After(*d.DeadlineAt):
		return DeadlineOverdue
	}
	return DeadlineRunning
}

// AnswerKind is what an operator answers to a delivery.
type AnswerKind string

// The answers.
const (
	AnswerAcknowledge  AnswerKind = "acknowledge"
	AnswerComply       AnswerKind = "comply"
	AnswerCannotComply AnswerKind = "cannot_comply"
	AnswerDispute      AnswerKind = "dispute"
	AnswerDecline      AnswerKind = "decline"
)

// AnswerKinds lists every answer.
var AnswerKinds = []AnswerKind{AnswerAcknowledge, AnswerComply, AnswerCannotComply, AnswerDispute, AnswerDecline}

// CannotComplyReason is why an operator cannot comply (TCO Annex III).
type CannotComplyReason string

// The reasons an operator may give for not complying.
const (
	ReasonForceMajeure            CannotComplyReason = "force_majeure"
	ReasonManifestError           CannotComplyReason = "manifest_error"
	ReasonInsufficientInformation CannotComplyReason = "insufficient_information"
)

// CannotComplyReasons lists every reason.
var CannotComplyReasons = []CannotComplyReason{ReasonForceMajeure, ReasonManifestError, ReasonInsufficientInformation}

// Answer is an operator's answer to a delivery.
type Answer struct {
	Kind   AnswerKind         `json:"kind"`
	Reason CannotComplyReason `json:"reason,omitempty"`
	Text   string             `json:"text,omitempty"`
	// ActedAt is, with comply, when the operator says it removed the content (TCO Annex II).
	// The deadline is judged on the answer's time, At: the statement is the operator's.
	ActedAt *time.Time `json:"acted_at,omitempty"`
	By      int64      `json:"by"`
	At      time.Time  `json:"at"`
}

// AnswerInput is what an operator submits.
type AnswerInput struct {
	Kind   AnswerKind         `json:"kind"`
	Reason CannotComplyReason `json:"reason,omitempty"`
	Text   string             `json:"text,omitempty"`
	// ActedAt is, with comply, when the content was removed or access to it disabled (TCO
	// Annex II); the time of the answer when absent.
	ActedAt *time.Time `json:"acted_at,omitempty"`
}

// Validate checks the answer's shape; casework checks it against the delivery.
func (in *AnswerInput) Validate() error {
	in.Text = strings.TrimSpace(in.Text)
	if in.ActedAt != nil && in.Kind != AnswerComply {
		return Invalid("acted_at", "applies to comply only")
	}
	switch in.Kind {
	case AnswerAcknowledge, AnswerComply:
		if in.Reason != "" {
			return Invalid("reason", "applies to cannot_comply only")
		}
	case AnswerCannotComply:
		switch in.Reason {
		case ReasonForceMajeure, ReasonManifestError, ReasonInsufficientInformation:
		default:
			return Invalid("reason", "must be force_majeure, manifest_error or insufficient_information")
		}
		if in.Text == "" {
			return Invalid("text", "is required: explain why you cannot comply")
		}
	case AnswerDispute, AnswerDecline:
		if in.Reason != "" {
			return Invalid("reason", "applies to cannot_comply only")
		}
		if in.Text == "" {
			return Invalid("text", "is required: give your reasons")
		}
	default:
		return Invalid("kind", "must be acknowledge, comply, cannot_comply, dispute or decline")
	}
	if len(in.Text) > MaxReasonsLength {
		return Invalid("text", "is longer than %d bytes", MaxReasonsLength)
	}
	return CheckText("text", in.Text, true)
}

// DeliveryFilter selects deliveries.
type DeliveryFilter struct {
	MeasureID  int64 `query:"measure_id"`
	CaseID     int64 `query:"case_id"`
	OperatorID int64 `query:"operator_id"`
	// Pending selects deliveries the operator has not finished with: sent, acknowledged,
	// disputed, or waiting for the authority's clarification.
	Pending bool `query:"pending"`
	// Deadline selects deliveries whose deadline status is this one at the transaction's time.
	Deadline DeadlineStatus `query:"deadline"`
	// Unmarked selects, with Deadline overdue, the deliveries not yet recorded as overdue;
	// with Deadline awaiting_receipt, those not yet recorded as unreceived.
	Unmarked bool
	// CarriedBy selects the list deliveries carried by this version of their list or an
	// earlier one.
	CarriedBy int64
	// CheckDue selects the deliveries whose compliance check is due at the transaction's time.
	CheckDue bool
	// SentFrom and SentBefore select the deliveries sent in a period.
	SentFrom, SentBefore time.Time
	Page
}
