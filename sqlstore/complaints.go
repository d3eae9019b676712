package sqlstore

import (
	"database/sql"
	"strconv"
	"time"

	"github.com/takedown-project/takedown"
)

const complaintColumns = "id, receipt, state, address, complainant, body, contact, case_id, received_at, answer, contact_purged_at"

func scanComplaint(s scanner) (*takedown.Complaint, error) {
	var c takedown.Complaint
	var caseID sql.NullInt64
	var at int64
	var answer sql.NullString
	var purged sql.NullInt64
	if err := s.Scan(&c.ID, &c.Receipt, &c.State, &c.Address, &c.From, &c.Text, &c.SealedContact, &caseID, &at, &answer, &purged); err != nil {
		return nil, err
	}
	var err error
	if c.Answer, err = fromJSON[takedown.Decision](answer); err != nil {
		return nil, err
	}
	c.CaseID, c.ReceivedAt, c.ContactPurgedAt = caseID.Int64, fromTS(at), fromTSPtr(purged)
	return &c, nil
}

// CreateComplaint inserts a complaint and sets its id.
func (t *Tx) CreateComplaint(c *takedown.Complaint) (err error) {
	c.ID, err = t.insert(`INSERT INTO complaints (receipt, state, address, complainant, body, contact, case_id, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Receipt, c.State, c.Address, c.From, c.Text, c.SealedContact, nullInt(c.CaseID), ts(c.ReceivedAt))
	return err
}

// UpdateComplaint writes the state and the answer; what the complainant wrote never changes.
func (t *Tx) UpdateComplaint(c *takedown.Complaint) error {
	answer, err := jsonValue(c.Answer)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE complaints SET state = ?, answer = ? WHERE id = ?`, c.State, answer, c.ID)
	return err
}

// PurgeComplaintContact empties a complaint's sealed contact (the column takes no NULL).
func (t *Tx) PurgeComplaintContact(id int64, at time.Time) error {
	_, err := t.exec(`UPDATE complaints SET contact = ?, contact_purged_at = ? WHERE id = ?`, []byte{}, ts(at), id)
	return err
}

// Complaint returns a complaint by id.
func (t *Tx) Complaint(id int64) (*takedown.Complaint, error) {
	c, err := scanComplaint(t.queryRow(`SELECT `+complaintColumns+` FROM complaints WHERE id = ?`, id))
	return c, notFound(err, "complaint", id)
}

// Complaints lists complaints by id.
func (t *Tx) Complaints(f takedown.ComplaintFilter) ([]*takedown.Complaint, string, error) {
	var w where
	if f.State != "" {
		w.add("state = ?", f.State)
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+complaintColumns+` FROM complaints`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Complaint, error) { return scanComplaint(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(c *takedown.Complaint) string { return strconv.FormatInt(c.ID, 10) })
	return list, next, nil
}
