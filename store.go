package takedown

import (
	"context"
	"time"
)

// Store runs transactions. Every use case in casework is one call to Update or View; the
// store captures the time once per transaction, so every row one change writes shares one
// timestamp.
type Store interface {
	// Update runs fn in a read-write transaction and commits it if fn returns nil. Writes are
	// serialised. When Update returns nil, the change is durable. fn must not call Update:
	// it would wait for itself.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is one transaction. Lookups by id return an ENOTFOUND *Error when nothing matches. List
// methods return one page and the cursor of the next page ("" on the last page). Methods
// only read and write rows; they check no rule of the procedure.
type Tx interface {
	// Now is the time captured when the transaction began.
	Now() time.Time

	CreateUser(u *User) error
	UpdateUser(u *User) error
	User(id int64) (*User, error)
	Users(p Page) ([]*User, string, error)
	CreateToken(t *Token, hash []byte) error
	// UserByToken returns the user owning an unrevoked token of this kind and hash that
	// has not expired at now, or EUNAUTHORIZED.
	UserByToken(kind TokenKind, hash []byte, now time.Time) (*User, error)
	// UsersNamed returns the users of a name, compared without case.
	UsersNamed(name string) ([]*User, error)
	// SetPassword stores a user's password hash ("" for none); PasswordHash reads it.
	SetPassword(userID int64, hash string) error
	PasswordHash(userID int64) (string, error)
	// RevokeToken revokes one token (a session signed out, a sign-in link used).
	RevokeToken(hash []byte, at time.Time) error
	RevokeTokens(userID int64, at time.Time) error

	// ClaimForm records the first submission of a console form's one-time id, after
	// forgetting those claimed before expired; for an id already claimed it returns where
	// the first submission led ("" while it is in progress). FinishForm records that;
	// ReleaseForm forgets a submission that failed.
	ClaimForm(id string, expired time.Time) (redirect string, seen bool, err error)
	FinishForm(id, redirect string) error
	ReleaseForm(id string) error

	CreateOperator(o *Operator) error
	UpdateOperator(o *Operator) error
	Operator(id int64) (*Operator, error)
	Operators(f OperatorFilter) ([]*Operator, string, error)

	CreateReport(r *Report) error
	Report(id int64) (*Report, error)
	Reports(f ReportFilter) ([]*Report, string, error)

	// OpenCaseByURL returns the id of the open case holding this canonical URL, or 0.
	OpenCaseByURL(canonical string) (int64, error)
	CreateCase(c *Case) error
	// UpdateCase writes the case's mutable fields; closing a case frees its URLs.
	UpdateCase(c *Case) error
	Case(id int64) (*Case, error)
	Cases(f CaseFilter) ([]*Case, string, error)

	CreateMeasure(m *Measure) error
	UpdateMeasure(m *Measure) error
	Measure(id int64) (*Measure, error)
	Measures(f MeasureFilter) ([]*Measure, string, error)

	// Deliveries read or written carry their deadline status at the transaction's time.
	CreateDelivery(d *Delivery) error
	UpdateDelivery(d *Delivery) error
	Delivery(id int64) (*Delivery, error)
	Deliveries(f DeliveryFilter) ([]*Delivery, string, error)
	CreateTransmission(t *Transmission) error
	UpdateTransmission(t *Transmission) error
	Transmission(id int64) (*Transmission, error)
	Transmissions(f TransmissionFilter) ([]*Transmission, string, error)
	CreateWebhookSecret(s *WebhookSecret) error
	UpdateWebhookSecret(s *WebhookSecret) error
	// WebhookSecrets returns an operator's secrets, oldest first, expired ones included.
	WebhookSecrets(operatorID int64) ([]*WebhookSecret, error)
	CreateComplianceCheck(c *ComplianceCheck) error
	// ComplianceChecks returns a delivery's checks, oldest first.
	ComplianceChecks(deliveryID int64) ([]*ComplianceCheck, error)
	// CountDeadlines counts deliveries that carry a deadline by status, at the transaction's time.
	CountDeadlines() (map[DeadlineStatus]int, error)
	CreateComplaint(c *Complaint) error
	// UpdateComplaint writes a complaint's state and answer.
	UpdateComplaint(c *Complaint) error
	Complaint(id int64) (*Complaint, error)
	Complaints(f ComplaintFilter) ([]*Complaint, string, error)
	// PurgeComplaintContact deletes a complaint's sealed contact.
	PurgeComplaintContact(id int64, at time.Time) error
	// CreateReviewSession inserts a session and its items, setting their ids.
	CreateReviewSession(r *ReviewSession, items []*ReviewItem) error
	// ReviewSession returns a session with its counts of items and items reviewed.
	ReviewSession(id int64) (*ReviewSession, error)
	ReviewSessions(p Page) ([]*ReviewSession, string, error)
	ReviewItem(id int64) (*ReviewItem, error)
	// NextReviewItem returns a reviewer's first item of a session not yet reviewed, or
	// ENOTFOUND.
	NextReviewItem(sessionID, reviewer int64) (*ReviewItem, error)
	// ReviewItems lists a session's reviewed items (those with a verdict), in order.
	ReviewItems(sessionID int64, p Page) ([]*ReviewItem, string, error)
	UpdateReviewItem(it *ReviewItem) error
	// ReviewQuestions lists the questions of the controller's reviewers, for one case or
	// (caseID 0) those not yet answered.
	ReviewQuestions(caseID int64) ([]*ReviewItem, error)
	CreateEvidence(e *Evidence) error
	// Evidence returns one piece, sealed content included.
	Evidence(id int64) (*Evidence, error)
	// CaseEvidence lists the evidence of a case's reports, without the sealed content.
	CaseEvidence(caseID int64) ([]*Evidence, error)
	// UnpurgedEvidence lists the evidence not yet purged, without content; AllEvidence lists
	// every piece, without content (HasContent says whether it is still there).
	UnpurgedEvidence() ([]*Evidence, error)
	AllEvidence() ([]*Evidence, error)
	// PurgeEvidence deletes a piece's sealed content and preview, keeping its row.
	PurgeEvidence(id int64, at time.Time) error
	// ContactRecords lists the reports that came with a contact, kept or purged.
	ContactRecords() ([]ContactRecord, error)
	// PurgeContact deletes a report's sealed contact.
	PurgeContact(reportID int64, at time.Time) error
	CreateLegalHold(h *LegalHold) error
	// LegalHold returns one hold, or ENOTFOUND.
	LegalHold(id int64) (*LegalHold, error)
	UpdateLegalHold(h *LegalHold) error
	// LegalHolds lists a case's legal holds, released ones included, oldest first.
	LegalHolds(caseID int64) ([]*LegalHold, error)
	// CountExposure adds one view to a user's count of a day and returns the new count;
	// Exposure reads it.
	CountExposure(userID int64, day string) (int, error)
	Exposure(userID int64, day string) (int, error)
	// ReportTimes returns when each report received in [from, before) arrived.
	ReportTimes(from, before time.Time) ([]time.Time, error)
	// CountMeasures counts measures by kind and state.
	CountMeasures() (map[MeasureKind]map[MeasureState]int, error)
	// CountDeadlinesByOperator counts the deliveries with a deadline by operator and status,
	// operators in id order.
	CountDeadlinesByOperator() ([]OperatorDeadlines, error)
	// RemovalTimes returns, for each removal request or order complied with, the time from
	// its receipt (or sending, if never acknowledged) to its compliance.
	RemovalTimes() ([]time.Duration, error)
	// CountRechecksDue counts the lists in force whose re-check date has passed.
	CountRechecksDue() (int, error)

	// AppendListVersion stores a new version of a list with its changes, which it numbers:
	// the latest version plus one, set in v and in each change.
	AppendListVersion(v *ListVersion, changes []ListChange) error
	// LatestListVersion returns a list's latest version, or ENOTFOUND before the first.
	LatestListVersion(list MeasureKind) (*ListVersion, error)
	// ListChanges returns the changes of a list's versions after a version, up to and
	// including another, in order: removals before additions within a version.
	ListChanges(list MeasureKind, after, upTo int64) ([]ListChange, error)
	// ListVersion returns one version of a list, or ENOTFOUND.
	ListVersion(list MeasureKind, version int64) (*ListVersion, error)
	// RecordListReceipt stores that an operator received a version of a list, if it is later
	// than the one it had; it reports whether it was.
	RecordListReceipt(r *ListReceipt) (bool, error)
	// ListReceipts returns the receipts of a list, one per operator that received it.
	ListReceipts(list MeasureKind) ([]*ListReceipt, error)

	// CreateBank inserts a hash bank; ECONFLICT if its name is taken.
	CreateBank(b *Bank) error
	UpdateBank(b *Bank) error
	Bank(id int64) (*Bank, error)
	Banks(f BankFilter) ([]*Bank, string, error)
	// ResequenceBank gives every entry of a bank the next seqs, in order, so that feeds
	// since any earlier cursor carry them again.
	ResequenceBank(bankID int64) error
	// CreateEntry inserts a bank entry with the next seq; ECONFLICT if its bank holds the hash.
	CreateEntry(e *HashEntry) error
	// UpdateEntry writes an entry's mutable fields and gives it the next seq.
	UpdateEntry(e *HashEntry) error
	Entry(id int64) (*HashEntry, error)
	// EntryByValue returns a bank's entry for a hash, or ENOTFOUND.
	EntryByValue(bankID int64, typ HashType, value string) (*HashEntry, error)
	Entries(f EntryFilter) ([]*HashEntry, string, error)
	// CreateFeedback stores a platform's feedback and adds it to its entry's counts.
	CreateFeedback(f *Feedback) error
	Feedback(f FeedbackFilter) ([]*Feedback, string, error)

	CreateRecommendation(r *Recommendation) error
	UpdateRecommendation(r *Recommendation) error
	Recommendation(id int64) (*Recommendation, error)
	Recommendations(f RecommendationFilter) ([]*Recommendation, string, error)

	// AppendEvent appends to the record, and the event's leaf to the audit log, in this
	// transaction: it sets the event's id (the log's size plus one) and its salt. Events are
	// never updated or deleted.
	AppendEvent(e *Event) error
	// Event returns one event with its salt, or ENOTFOUND.
	Event(id int64) (*Event, error)
	// Events lists events with their salts.
	Events(f EventFilter) ([]*Event, string, error)
	// EachEvent calls fn with each event recorded in [from, before) (a zero time leaves that
	// end open), of the given kinds (all when none), in the order of their ids, without
	// their salts; an error from fn stops it and is returned. It reads the events as they
	// come, so a year of them need not fit in memory; each is a value of its own, which fn
	// may keep.
	EachEvent(from, before time.Time, kinds []EventKind, fn func(*Event) error) error
	// LastVerification returns the latest log.verified event, or ENOTFOUND.
	LastVerification() (*Event, error)

	// LogSize is the number of leaves of the audit log, which is the number of events.
	LogSize() (int64, error)
	// LogHashes returns the audit log's stored hashes at the given indexes, in the numbering
	// of golang.org/x/mod/sumdb/tlog (StoredHashIndex). A missing hash is an error.
	LogHashes(indexes []int64) ([][32]byte, error)
	// LogEntries returns the entries of the leaves from start to end (excluded).
	LogEntries(start, end int64) ([][]byte, error)
	// CreateCheckpoint stores a published checkpoint; ECONFLICT if one of its size exists.
	CreateCheckpoint(c *Checkpoint) error
	// LatestCheckpoint returns the checkpoint of the largest size, or ENOTFOUND before the
	// first one.
	LatestCheckpoint() (*Checkpoint, error)
	// Checkpoint returns the checkpoint of a size, or ENOTFOUND.
	Checkpoint(size int64) (*Checkpoint, error)
	// Checkpoints lists checkpoints, newest first.
	Checkpoints(p Page) ([]*Checkpoint, string, error)
}

// OperatorFilter selects operators.
type OperatorFilter struct {
	Kind OperatorKind `query:"kind"`
	Page
}
