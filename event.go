package takedown

import (
	"encoding/json"
	"slices"
	"time"
)

// EventKind names a change in the procedure. Every change writes its events in the same
// transaction as the change, so the record is complete by construction; an event's data names
// the objects the change touched (a withdrawal lists the deliveries it cancelled).
type EventKind string

// The event kinds.
const (
	EventReportReceived         EventKind = "report.received"
	EventCaseOpened             EventKind = "case.opened"
	EventCaseAccepted           EventKind = "case.accepted"
	EventCaseQualified          EventKind = "case.qualified"
	EventCaseApproved           EventKind = "case.approved"
	EventCaseReturned           EventKind = "case.returned"
	EventCaseDismissed          EventKind = "case.dismissed"
	EventCaseClosed             EventKind = "case.closed"
	EventHoldPlaced             EventKind = "case.hold_placed"
	EventHoldReleased           EventKind = "case.hold_released"
	EventMeasureScheduled       EventKind = "measure.scheduled"
	EventMeasureProposed        EventKind = "measure.proposed"
	EventMeasureRefused         EventKind = "measure.refused"
	EventMeasureIssued          EventKind = "measure.issued"
	EventMeasureComplied        EventKind = "measure.complied" // its operator removed the content
	EventMeasureDeclined        EventKind = "measure.declined" // a platform declined a referral
	EventMeasureRechecked       EventKind = "measure.rechecked"
	EventMeasureRecheckDue      EventKind = "measure.recheck_due"
	EventMeasureLifted          EventKind = "measure.lifted"
	EventMeasureWithdrawn       EventKind = "measure.withdrawn"
	EventDeliverySent           EventKind = "delivery.sent"
	EventDeliveryAnswered       EventKind = "delivery.answered"
	EventDeliveryClarified      EventKind = "delivery.clarified"
	EventDeliveryOverdue        EventKind = "delivery.overdue"
	EventDeliveryTransmitted    EventKind = "delivery.transmitted"         // a channel's receiver accepted the delivery
	EventTransmissionFailed     EventKind = "delivery.transmission_failed" // a channel gave up: an alert
	EventDeliveryChecked        EventKind = "delivery.checked"             // a compliance check fetched the targets
	EventDeliveryUnreceived     EventKind = "delivery.unreceived"          // its operator has still not received it: an alert
	EventRecommendationMade     EventKind = "recommendation.made"
	EventRecommendationAnswered EventKind = "recommendation.answered"
	EventRecommendationReferred EventKind = "recommendation.referred"
	EventRecommendationDecided  EventKind = "recommendation.decided"
	EventOperatorCreated        EventKind = "operator.created"
	EventOperatorUpdated        EventKind = "operator.updated"
	EventWebhookSecretCreated   EventKind = "operator.webhook_secret_created"
	EventUserCreated            EventKind = "user.created"
	EventUserDisabled           EventKind = "user.disabled"
	EventTokenIssued            EventKind = "token.issued"
	EventSignInLinkIssued       EventKind = "user.signin_link_issued"  // a one-time console sign-in link was printed
	EventSignedIn               EventKind = "user.signed_in"           // a user opened a console session
	EventPasswordSet            EventKind = "user.password_set"        // a user's console password was set or removed
	EventEvidenceViewed         EventKind = "evidence.viewed"          // a user opened a piece of sealed evidence
	EventEvidenceAttached       EventKind = "evidence.attached"        // an officer attached a file to a case (its digest)
	EventEvidenceCaptured       EventKind = "evidence.captured"        // the server fetched a page as evidence (its address and digest)
	EventEvidencePurged         EventKind = "evidence.purged"          // a supervisor purged one piece before its time, with reasons
	EventLegalHoldPlaced        EventKind = "legal_hold.placed"        // a legal hold suspends the purging of a case's records
	EventLegalHoldReleased      EventKind = "legal_hold.released"      // a legal hold ended
	EventRetentionPurged        EventKind = "retention.purged"         // the purge job deleted what was due, listed with digests
	EventComplaintReceived      EventKind = "complaint.received"       // someone contested a measure or reported an error
	EventComplaintAnswered      EventKind = "complaint.answered"       // the authority answered a complaint
	EventReviewStarted          EventKind = "review.started"           // the controller started a review session
	EventReviewItemReviewed     EventKind = "review.item_reviewed"     // a reviewer gave a verdict on a measure
	EventReviewQuestionAnswered EventKind = "review.question_answered" // the authority answered a reviewer's question
	EventClockAdvanced          EventKind = "demo.clock_advanced"
	EventLogVerified            EventKind = "log.verified"       // the controller verified the audit log
	EventLogKeysChanged         EventKind = "log.keys_changed"   // a rotation of the log's signing key began or ended
	EventListPublished          EventKind = "list.published"     // a new version of a blocking or dereferencing list
	EventListReceived           EventKind = "list.received"      // an operator received a version of a list
	EventListRolledBack         EventKind = "list.rolled_back"   // a supervisor reverted a list's latest version
	EventMeasureHeld            EventKind = "measure.held"       // a safety gate held a list measure
	EventMeasureOverridden      EventKind = "measure.overridden" // a supervisor overrode a safety gate
	EventMeasureRestored        EventKind = "measure.restored"   // a rollback put an ended list measure back in force
	EventBankCreated            EventKind = "hashbank.bank_created"
	EventBankUpdated            EventKind = "hashbank.bank_updated"
	EventEntriesAdded           EventKind = "hashbank.entries_added" // hashes added to a bank, or merged into its entries
	EventEntryChanged           EventKind = "hashbank.entry_changed" // an entry disabled, enabled, tombstoned or relabelled
	EventHashFeedback           EventKind = "hashbank.feedback"      // a platform reported matches or its view of labels
)

// EventKinds lists every event kind.
var EventKinds = []EventKind{EventReportReceived, EventCaseOpened, EventCaseAccepted, EventCaseQualified, EventCaseApproved,
	EventCaseReturned, EventCaseDismissed, EventCaseClosed, EventHoldPlaced, EventHoldReleased, EventMeasureScheduled,
	EventMeasureProposed, EventMeasureRefused, EventMeasureIssued, EventMeasureComplied, EventMeasureDeclined,
	EventMeasureRechecked, EventMeasureRecheckDue, EventMeasureLifted, EventMeasureWithdrawn, EventDeliverySent,
	EventDeliveryAnswered, EventDeliveryClarified, EventDeliveryOverdue, EventRecommendationMade,
	EventRecommendationAnswered, EventRecommendationReferred, EventRecommendationDecided, EventOperatorCreated,
	EventOperatorUpdated, EventUserCreated, EventUserDisabled, EventTokenIssued, EventClockAdvanced, EventLogVerified,
	EventLogKeysChanged, EventListPublished, EventListReceived, EventListRolledBack, EventMeasureHeld,
	EventMeasureOverridden, EventMeasureRestored, EventDeliveryTransmitted, EventTransmissionFailed, EventDeliveryChecked,
	EventWebhookSecretCreated, EventDeliveryUnreceived, EventBankCreated, EventBankUpdated, EventEntriesAdded, EventEntryChanged,
	EventHashFeedback, EventSignInLinkIssued, EventSignedIn,
	EventComplaintReceived, EventComplaintAnswered, EventReviewStarted, EventReviewItemReviewed,
	EventPasswordSet, EventEvidenceViewed, EventReviewQuestionAnswered,
	EventEvidenceAttached, EventEvidenceCaptured, EventEvidencePurged, EventLegalHoldPlaced, EventLegalHoldReleased, EventRetentionPurged}

// Valid reports whether k is a known kind.
func (k EventKind) Valid() bool { return slices.Contains(EventKinds, k) }

// Event is one append-only record of a change: who did what to which object, when. Data
// holds the facts of the change (identifiers, states, reasons), never a token, a reporter's
// contact, or the content itself.
type Event struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	Kind       EventKind       `json:"kind"`
	ActorID    int64           `json:"actor_id,omitempty"` // 0: the public or the scheduler
	ActorRole  string          `json:"actor_role"`         // a Role, or one of the Actor constants
	CaseID     int64           `json:"case_id,omitempty"`
	MeasureID  int64           `json:"measure_id,omitempty"`
	OperatorID int64           `json:"operator_id,omitempty"`
	Data       json.RawMessage `json:"data"`
	// Salt is the random value mixed into the event's leaf in the audit log, so that the
	// public log reveals nothing of the event. With it, whoever may read the event can check
	// it against its leaf (see package auditlog).
	Salt []byte `json:"salt,omitempty"`
}

// Actor roles for events not made by a user.
const (
	ActorPublic     = "public"
	ActorScheduler  = "scheduler"
	ActorLocalAdmin = "local_admin" // an administration command run on the data directory
	ActorDNSPrimary = "dns_primary" // the blocking zone's primary, recording what ISPs' resolvers hold
)

// EventFilter selects events, oldest first.
type EventFilter struct {
	CaseID    int64     `query:"case_id"`
	MeasureID int64     `query:"measure_id"`
	Kind      EventKind `query:"kind"`
	// OperatorID selects the events about one operator.
	OperatorID int64 `query:"operator_id"`
	// From and Before select the events recorded in a period.
	From, Before time.Time
	Page
}
