package sqlstore

import (
	"database/sql"
	"errors"
	"time"

	"github.com/takedown-project/takedown"
)

// evidenceColumns are a piece's columns without its content; hasContent says whether the
// sealed content is still there.
const evidenceColumns = `id, report_id, case_id, source, source_url, added_by, name, content_type, size, sha256,
	preview IS NOT NULL, length(sealed) > 0, received_at, purged_at`

func scanEvidence(s scanner, extra ...any) (*takedown.Evidence, error) {
	var e takedown.Evidence
	var report, caseID, addedBy, purged sql.NullInt64
	var at int64
	dest := append([]any{&e.ID, &report, &caseID, &e.Source, &e.SourceURL, &addedBy, &e.Name, &e.ContentType, &e.Size, &e.SHA256,
		&e.HasPreview, &e.HasContent, &at, &purged}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	e.ReportID, e.CaseID, e.AddedBy = report.Int64, caseID.Int64, addedBy.Int64
	e.ReceivedAt, e.PurgedAt = fromTS(at), fromTSPtr(purged)
	return &e, nil
}

// CreateEvidence inserts a piece of evidence and sets its id.
func (t *Tx) CreateEvidence(e *takedown.Evidence) (err error) {
	if e.Source == "" {
		e.Source = takedown.EvidenceFromReport
	}
	e.ID, err = t.insert(`INSERT INTO evidence (report_id, case_id, source, source_url, added_by, name, content_type, size, sha256, sealed, preview, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		nullInt(e.ReportID), nullInt(e.CaseID), e.Source, e.SourceURL, nullInt(e.AddedBy), e.Name, e.ContentType, e.Size, e.SHA256,
		e.Sealed, e.SealedPreview, ts(e.ReceivedAt))
	e.HasContent = len(e.Sealed) > 0
	return err
}

// Evidence returns a piece of evidence with its sealed content.
func (t *Tx) Evidence(id int64) (*takedown.Evidence, error) {
	var sealed, preview []byte
	e, err := scanEvidence(t.queryRow(`SELECT `+evidenceColumns+`, sealed, preview FROM evidence WHERE id = ?`, id), &sealed, &preview)
	if err != nil {
		return nil, notFound(err, "evidence", id)
	}
	e.Sealed, e.SealedPreview = sealed, preview
	return e, nil
}

// CaseEvidence lists the evidence of a case: its own and its reports'.
func (t *Tx) CaseEvidence(caseID int64) ([]*takedown.Evidence, error) {
	rows, err := t.query(`SELECT `+evidenceColumns+` FROM evidence
		WHERE case_id = ? OR report_id IN (SELECT report_id FROM report_urls WHERE case_id = ?) ORDER BY id`, caseID, caseID)
	return collect(rows, err, func(r *sql.Rows) (*takedown.Evidence, error) { return scanEvidence(r) })
}

// UnpurgedEvidence lists the evidence not yet purged, without content.
func (t *Tx) UnpurgedEvidence() ([]*takedown.Evidence, error) {
	rows, err := t.query(`SELECT ` + evidenceColumns + ` FROM evidence WHERE purged_at IS NULL ORDER BY id`)
	return collect(rows, err, func(r *sql.Rows) (*takedown.Evidence, error) { return scanEvidence(r) })
}

// AllEvidence lists every piece of evidence, without content.
func (t *Tx) AllEvidence() ([]*takedown.Evidence, error) {
	rows, err := t.query(`SELECT ` + evidenceColumns + ` FROM evidence ORDER BY id`)
	return collect(rows, err, func(r *sql.Rows) (*takedown.Evidence, error) { return scanEvidence(r) })
}

// PurgeEvidence deletes a piece's content and preview.
func (t *Tx) PurgeEvidence(id int64, at time.Time) error {
	_, err := t.exec(`UPDATE evidence SET sealed = ?, preview = NULL, purged_at = ? WHERE id = ?`, []byte{}, ts(at), id)
	return err
}

// ContactRecords lists the reports that came with a contact.
func (t *Tx) ContactRecords() ([]takedown.ContactRecord, error) {
	rows, err := t.query(`SELECT id, contact IS NOT NULL, contact_purged_at FROM reports
		WHERE contact IS NOT NULL OR contact_purged_at IS NOT NULL ORDER BY id`)
	return collect(rows, err, func(r *sql.Rows) (takedown.ContactRecord, error) {
		var c takedown.ContactRecord
		var purged sql.NullInt64
		err := r.Scan(&c.ReportID, &c.HasContact, &purged)
		c.PurgedAt = fromTSPtr(purged)
		return c, err
	})
}

// PurgeContact deletes a report's sealed contact.
func (t *Tx) PurgeContact(reportID int64, at time.Time) error {
	_, err := t.exec(`UPDATE reports SET contact = NULL, contact_purged_at = ? WHERE id = ?`, ts(at), reportID)
	return err
}

const legalHoldColumns = `id, case_id, reference, reasons, placed_by, placed_at, released_by, released_at, release_reasons`

func scanLegalHold(s scanner) (*takedown.LegalHold, error) {
	var h takedown.LegalHold
	var at int64
	var by, releasedAt sql.NullInt64
	var reasons string
	if err := s.Scan(&h.ID, &h.CaseID, &h.Reference, &h.Reasons, &h.PlacedBy, &at, &by, &releasedAt, &reasons); err != nil {
		return nil, err
	}
	h.PlacedAt = fromTS(at)
	if releasedAt.Valid {
		h.Released = &takedown.Decision{By: by.Int64, At: fromTS(releasedAt.Int64), Reasons: reasons}
	}
	return &h, nil
}

// CreateLegalHold inserts a legal hold and sets its id.
func (t *Tx) CreateLegalHold(h *takedown.LegalHold) (err error) {
	h.ID, err = t.insert(`INSERT INTO legal_holds (case_id, reference, reasons, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)`,
		h.CaseID, h.Reference, h.Reasons, h.PlacedBy, ts(h.PlacedAt))
	return err
}

// LegalHold returns one legal hold.
func (t *Tx) LegalHold(id int64) (*takedown.LegalHold, error) {
	h, err := scanLegalHold(t.queryRow(`SELECT `+legalHoldColumns+` FROM legal_holds WHERE id = ?`, id))
	return h, notFound(err, "legal hold", id)
}

// UpdateLegalHold records a hold's release.
func (t *Tx) UpdateLegalHold(h *takedown.LegalHold) error {
	if h.Released == nil {
		return nil
	}
	_, err := t.exec(`UPDATE legal_holds SET released_by = ?, released_at = ?, release_reasons = ? WHERE id = ?`,
		h.Released.By, ts(h.Released.At), h.Released.Reasons, h.ID)
	return err
}

// LegalHolds lists a case's legal holds, oldest first.
func (t *Tx) LegalHolds(caseID int64) ([]*takedown.LegalHold, error) {
	rows, err := t.query(`SELECT `+legalHoldColumns+` FROM legal_holds WHERE case_id = ? ORDER BY id`, caseID)
	return collect(rows, err, func(r *sql.Rows) (*takedown.LegalHold, error) { return scanLegalHold(r) })
}

// CountExposure adds one view to a user's day.
func (t *Tx) CountExposure(userID int64, day string) (int, error) {
	if _, err := t.exec(`INSERT INTO exposures (user_id, day, views) VALUES (?, ?, 1)
		ON CONFLICT (user_id, day) DO UPDATE SET views = exposures.views + 1`, userID, day); err != nil {
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
