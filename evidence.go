package takedown

import "time"

// Evidence is a file that came with a report, such as a picture of the content, kept sealed:
// the store holds it encrypted to the authority's vault key, with its SHA-256 digest, so that
// the database alone reveals nothing. Reading it is an audited event, counted per user and
// per day so that exposure to violent material can be watched and limited.
type Evidence struct {
	ID          int64     `json:"id"`
	ReportID    int64     `json:"report_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	ReceivedAt  time.Time `json:"received_at"`
	// HasPreview is true for a picture: a mosaic of it is kept to show it blurred.
	HasPreview bool   `json:"has_preview"`
	Sealed     []byte `json:"-"`
	// SealedPreview is the mosaic, as a PNG, sealed; nil for a file that is not a picture.
	SealedPreview []byte `json:"-"`
}

// Exposure is a user's reading of evidence today, in the authority's zone.
type Exposure struct {
	Today int `json:"today"`
}
