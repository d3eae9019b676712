package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/takedown-project/takedown"
)

var measureColumns = `m.id, m.case_id, m.kind, m.state, m.operator_id, m.targets, m.subtree, m.offence, m.reasons,
	m.publisher_unidentified, m.emergency, m.proposed_by, m.proposed_at, m.approved_by, m.approved_at, m.issue_at,
	m.issued_at, m.refusal, m.ending, m.ended_at, m.next_recheck, m.last_recheck, m.recheck_notified, m.objections, m.overrides,
	m.non_disclosure_until, ` + measureLate

// measureLate is whether one of the measure's deliveries (of the operator given as the second
// argument, or of any operator when it is 0) is past its deadline.
var measureLate = `EXISTS (SELECT 1 FROM deliveries d WHERE d.measure_id = m.id AND (? = 0 OR d.operator_id = ?) AND ` + lateDelivery + `)`

func scanMeasure(s scanner) (*takedown.Measure, error) {
	var m takedown.Measure
	var op, approvedBy, approvedAt, issueAt, issuedAt, endedAt, next, last, notified, nonDisclosure sql.NullInt64
	var targets string
	var refusal, ending, objections, overrides sql.NullString
	var subtree int
	var proposed int64
	if err := s.Scan(&m.ID, &m.CaseID, &m.Kind, &m.State, &op, &targets, &subtree, &m.Offence, &m.Reasons,
		&m.PublisherUnidentified, &m.Emergency, &m.ProposedBy, &proposed, &approvedBy, &approvedAt, &issueAt,
		&issuedAt, &refusal, &ending, &endedAt, &next, &last, &notified, &objections, &overrides,
		&nonDisclosure, &m.Overdue); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(targets), &m.Targets); err != nil {
		return nil, err
	}
	var err error
	if m.Refusal, err = fromJSON[takedown.Decision](refusal); err != nil {
		return nil, err
	}
	if m.Ending, err = fromJSON[takedown.Decision](ending); err != nil {
		return nil, err
	}
	if m.Objections, err = fromJSONList[takedown.Objection](objections); err != nil {
		return nil, err
	}
	if m.Overrides, err = fromJSONList[takedown.Override](overrides); err != nil {
		return nil, err
	}
	m.OperatorID, m.Subtree, m.ProposedAt, m.ApprovedBy = op.Int64, subtree == 1, fromTS(proposed), approvedBy.Int64
	m.ApprovedAt, m.IssueAt, m.IssuedAt, m.EndedAt = fromTSPtr(approvedAt), fromTSPtr(issueAt), fromTSPtr(issuedAt), fromTSPtr(endedAt)
	m.NextRecheck, m.LastRecheck, m.RecheckNotified = fromTSPtr(next), fromTSPtr(last), fromTSPtr(notified)
	m.NonDisclosureUntil = fromTSPtr(nonDisclosure)
	return &m, nil
}

// CreateMeasure inserts a measure and sets its id.
func (t *Tx) CreateMeasure(m *takedown.Measure) error {
	refusal, err := jsonValue(m.Refusal)
	if err != nil {
		return err
	}
	ending, err := jsonValue(m.Ending)
	if err != nil {
		return err
	}
	m.ID, err = t.insert(`INSERT INTO measures (case_id, kind, state, operator_id, targets, subtree, offence, reasons,
		publisher_unidentified, emergency, proposed_by, proposed_at, approved_by, approved_at, issue_at, issued_at,
		refusal, ending, ended_at, next_recheck, last_recheck, recheck_notified, objections, overrides, non_disclosure_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.CaseID, m.Kind, m.State, nullInt(m.OperatorID), jsonText(m.Targets), boolInt(m.Subtree), m.Offence, m.Reasons,
		m.PublisherUnidentified, m.Emergency, m.ProposedBy, ts(m.ProposedAt), nullInt(m.ApprovedBy), tsPtr(m.ApprovedAt),
		tsPtr(m.IssueAt), tsPtr(m.IssuedAt), refusal, ending, tsPtr(m.EndedAt), tsPtr(m.NextRecheck),
		tsPtr(m.LastRecheck), tsPtr(m.RecheckNotified), jsonList(m.Objections), jsonList(m.Overrides), tsPtr(m.NonDisclosureUntil))
	return err
}

// UpdateMeasure writes a measure's mutable fields.
func (t *Tx) UpdateMeasure(m *takedown.Measure) error {
	refusal, err := jsonValue(m.Refusal)
	if err != nil {
		return err
	}
	ending, err := jsonValue(m.Ending)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE measures SET state = ?, approved_by = ?, approved_at = ?, issue_at = ?, issued_at = ?,
		refusal = ?, ending = ?, ended_at = ?, next_recheck = ?, last_recheck = ?, recheck_notified = ?, objections = ?, overrides = ?
		WHERE id = ?`,
		m.State, nullInt(m.ApprovedBy), tsPtr(m.ApprovedAt), tsPtr(m.IssueAt), tsPtr(m.IssuedAt), refusal, ending,
		tsPtr(m.EndedAt), tsPtr(m.NextRecheck), tsPtr(m.LastRecheck), tsPtr(m.RecheckNotified), jsonList(m.Objections), jsonList(m.Overrides), m.ID)
	return err
}

// Measure returns a measure by id.
func (t *Tx) Measure(id int64) (*takedown.Measure, error) {
	m, err := scanMeasure(t.queryRow(`SELECT `+measureColumns+` FROM measures m WHERE m.id = ?`, 0, 0, t.now.UnixNano(), id))
	return m, notFound(err, "measure", id)
}

// Measures lists measures by id. With an operator in the filter, a measure is overdue when
// that operator's delivery is.
func (t *Tx) Measures(f takedown.MeasureFilter) ([]*takedown.Measure, string, error) {
	now := t.now.UnixNano()
	w := where{args: []any{f.OperatorID, f.OperatorID, now}}
	if f.CaseID != 0 {
		w.add("m.case_id = ?", f.CaseID)
	}
	if f.Kind != "" {
		w.add("m.kind = ?", f.Kind)
	}
	if f.State != "" {
		w.add("m.state = ?", f.State)
	}
	if f.OperatorID != 0 {
		w.add("m.id IN (SELECT measure_id FROM deliveries WHERE operator_id = ?)", f.OperatorID)
	}
	if f.Active {
		w.add("m.state IN " + states(takedown.ActiveMeasureStates))
	}
	if f.Issued {
		w.add("m.issued_at IS NOT NULL")
		if !f.IssuedFrom.IsZero() {
			w.add("m.issued_at >= ?", f.IssuedFrom.UnixNano())
		}
		if !f.IssuedBefore.IsZero() {
			w.add("m.issued_at < ?", f.IssuedBefore.UnixNano())
		}
	}
	if f.Overdue {
		w.add(measureLate, f.OperatorID, f.OperatorID, now)
	}
	if f.IssueDue {
		w.add("m.state = ? AND m.issue_at <= ?", takedown.MeasureScheduled, now)
	}
	if f.RecheckDue {
		w.add("m.state = ? AND m.next_recheck <= ?", takedown.MeasureInForce, now)
	}
	if f.RecheckUnnotified {
		w.add("(m.recheck_notified IS NULL OR m.recheck_notified <> m.next_recheck)")
	}
	limit, err := afterID(&w, f.Page, "m.id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+measureColumns+` FROM measures m`+w.String()+` ORDER BY m.id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Measure, error) { return scanMeasure(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(m *takedown.Measure) string { return strconv.FormatInt(m.ID, 10) })
	return list, next, nil
}

// CountRechecksDue counts the lists in force whose re-check date has passed.
func (t *Tx) CountRechecksDue() (int, error) {
	var n int
	err := t.queryRow(`SELECT COUNT(*) FROM measures WHERE state = ? AND next_recheck <= ?`, takedown.MeasureInForce, t.now.UnixNano()).Scan(&n)
	return n, err
}
