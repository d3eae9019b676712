package takedown

import "time"

// Evidence is a file that came with a report, such as a picture of the content, kept sealed:
// the store holds it encrypted to the authority's vault key, with its SHA-256 digest, so that
// the database alone reveals nothing. Reading it is an audited event, counted per user and
// per day so that exposure to violent material can be watched and limited.
type Evidence struct {
	ID int64 `json:"id"`
	// ReportID is the report the file came with; 0 for a file attached or a page captured
	// by an officer.
	ReportID int64 `json:"report_id,omitempty"`
	// CaseID is the case it belongs to (for a report's file, the first case of the report).
	CaseID int64 `json:"case_id"`
	// Source is report, attached or captured; SourceURL the address of a capture.
	Source      string    `json:"source"`
	SourceURL   string    `json:"source_url,omitempty"`
	AddedBy     int64     `json:"added_by,omitempty"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	ReceivedAt  time.Time `json:"received_at"`
	// HasPreview is true for a picture: a mosaic of it is kept to show it blurred.
	HasPreview bool `json:"has_preview"`
	// PurgedAt is when its retention ended and its content was deleted; the row, with the
	// digest, stays. HasContent says whether the sealed content is still there.
	PurgedAt   *time.Time `json:"purged_at,omitempty"`
	HasContent bool       `json:"has_content"`
	Sealed     []byte     `json:"-"`
	// SealedPreview is the mosaic, as a PNG, sealed; nil for a file that is not a picture.
	SealedPreview []byte `json:"-"`
}

// Exposure is a user's reading of evidence today, in the authority's zone.
type Exposure struct {
	Today int `json:"today"`
}

// Sources of evidence.
const (
	EvidenceFromReport = "report"
	EvidenceAttached   = "attached"
	EvidenceCaptured   = "captured"
)

// LegalHold suspends every purge of a case's records: a review by the controller, a court
// case. It is not the investigation hold (Hold), which blocks measures.
type LegalHold struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	Reference string    `json:"reference"` // the review's or the court case's reference
	Reasons   string    `json:"reasons"`
	PlacedBy  int64     `json:"placed_by"`
	PlacedAt  time.Time `json:"placed_at"`
	// Released is set when the hold ends.
	Released *Decision `json:"released,omitempty"`
}

// ActiveAt says whether the hold suspended purges at t.
func (h *LegalHold) ActiveAt(t time.Time) bool {
	return !h.PlacedAt.After(t) && (h.Released == nil || h.Released.At.After(t))
}

// LegalHoldInput places a legal hold.
type LegalHoldInput struct {
	Reference string `json:"reference"`
	Reasons   string `json:"reasons"`
}

// Validate checks the hold's fields.
func (in *LegalHoldInput) Validate() error {
	return checkHold(&in.Reference, &in.Reasons, "the review's or the court case's reference")
}

// ContactRecord is a report that came with a reporter's contact: whether it is still kept.
type ContactRecord struct {
	ReportID   int64      `json:"report_id"`
	HasContact bool       `json:"has_contact"`
	PurgedAt   *time.Time `json:"purged_at,omitempty"`
}
