package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/takedown-project/takedown"
)

// CreateEvidence inserts a piece of evidence and sets its id.
func (t *Tx) CreateEvidence(e *takedown.Evidence) (err error) {
	e.ID, err = t.insert(`INSERT INTO evidence (report_id, name, content_type, size, sha256, sealed, preview, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ReportID, e.Name, e.ContentType, e.Size, e.SHA256, e.Sealed, e.SealedPreview, ts(e.ReceivedAt))
	return err
}

// Evidence returns a piece of evidence with its sealed content.
func (t *Tx) Evidence(id int64) (*takedown.Evidence, error) {
	var e takedown.Evidence
	var at int64
	err := t.queryRow(`SELECT id, report_id, name, content_type, size, sha256, sealed, preview, received_at FROM evidence WHERE id = ?`, id).
		Scan(&e.ID, &e.ReportID, &e.Name, &e.ContentType, &e.Size, &e.SHA256, &e.Sealed, &e.SealedPreview, &at)
	e.ReceivedAt, e.HasPreview = fromTS(at), e.SealedPreview != nil
	return &e, notFound(err, "evidence", id)
}

// CaseEvidence lists the evidence of the reports grouped into a case.
func (t *Tx) CaseEvidence(caseID int64) ([]*takedown.Evidence, error) {
	rows, err := t.query(`SELECT id, report_id, name, content_type, size, sha256, preview IS NOT NULL, received_at FROM evidence
		WHERE report_id IN (SELECT report_id FROM report_urls WHERE case_id = ?) ORDER BY id`, caseID)
	return collect(rows, err, func(r *sql.Rows) (*takedown.Evidence, error) {
		var e takedown.Evidence
		var at int64
		err := r.Scan(&e.ID, &e.ReportID, &e.Name, &e.ContentType, &e.Size, &e.SHA256, &e.HasPreview, &at)
		e.ReceivedAt = fromTS(at)
		return &e, err
	})
}

// CountExposure adds one view to a user's day.
func (t *Tx) CountExposure(userID int64, day string) (int, error) {
	if _, err := t.exec(`INSERT INTO exposures (user_id, day, views) VALUES (?, ?, 1)
		ON CONFLICT (user_id, day) DO UPDATE SET views = views + 1`, userID, day); err != nil {
		return 0, err
	}
	return t.Exposure(userID, day)
}

// Exposure reads a user's views of a day.
func (t *Tx) Exposure(userID int64, day string) (int, error) {
	var n int
	err := t.queryRow(`SELECT views FROM exposures WHERE user_id = ? AND day = ?`, userID, day).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}
