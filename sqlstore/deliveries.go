package sqlstore

import (
	"database/sql"
	"fmt"
	"strconv"

	"github.com/takedown-project/takedown"
)

const deliveryColumns = `d.id, d.measure_id, d.case_id, d.operator_id, d.kind, d.purpose, d.state, d.sent_at, d.has_deadline,
	d.deadline_at, d.acknowledged_at, d.complied_at, d.overdue_at, d.answer, d.clarification, d.list_version, d.received_via,
	d.verified_at, d.next_check_at, d.checks, d.unreceived_at`

func scanDelivery(s scanner) (*takedown.Delivery, error) {
	var d takedown.Delivery
	var sent int64
	var hasDeadline int
	var deadline, acked, complied, overdue, verified, nextCheck, unreceived sql.NullInt64
	var answer, clarification sql.NullString
	var listVersion sql.NullInt64
	if err := s.Scan(&d.ID, &d.MeasureID, &d.CaseID, &d.OperatorID, &d.Kind, &d.Purpose, &d.State, &sent, &hasDeadline,
		&deadline, &acked, &complied, &overdue, &answer, &clarification, &listVersion, &d.ReceivedVia,
		&verified, &nextCheck, &d.Checks, &unreceived); err != nil {
		return nil, err
	}
	var err error
	if d.Answer, err = fromJSON[takedown.Answer](answer); err != nil {
		return nil, err
	}
	if d.Clarification, err = fromJSON[takedown.Decision](clarification); err != nil {
		return nil, err
	}
	d.SentAt, d.HasDeadline, d.ListVersion = fromTS(sent), hasDeadline == 1, listVersion.Int64
	d.DeadlineAt, d.AcknowledgedAt, d.CompliedAt, d.OverdueAt = fromTSPtr(deadline), fromTSPtr(acked), fromTSPtr(complied), fromTSPtr(overdue)
	d.VerifiedAt, d.NextCheckAt, d.UnreceivedAt = fromTSPtr(verified), fromTSPtr(nextCheck), fromTSPtr(unreceived)
	return &d, nil
}

// CreateDelivery inserts a delivery and sets its id.
func (t *Tx) CreateDelivery(d *takedown.Delivery) error {
	answer, err := jsonValue(d.Answer)
	if err != nil {
		return err
	}
	clar, err := jsonValue(d.Clarification)
	if err != nil {
		return err
	}
	d.Deadline = d.DeadlineStatusAt(t.now)
	d.ID, err = t.insert(`INSERT INTO deliveries (measure_id, case_id, operator_id, kind, purpose, state, sent_at, has_deadline,
		deadline_at, acknowledged_at, complied_at, overdue_at, answer, clarification, list_version, received_via,
		verified_at, next_check_at, checks, unreceived_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.MeasureID, d.CaseID, d.OperatorID, d.Kind, d.Purpose, d.State, ts(d.SentAt), boolInt(d.HasDeadline),
		tsPtr(d.DeadlineAt), tsPtr(d.AcknowledgedAt), tsPtr(d.CompliedAt), tsPtr(d.OverdueAt), answer, clar, nullInt(d.ListVersion),
		d.ReceivedVia, tsPtr(d.VerifiedAt), tsPtr(d.NextCheckAt), d.Checks, tsPtr(d.UnreceivedAt))
	return err
}

// UpdateDelivery writes a delivery's mutable fields.
func (t *Tx) UpdateDelivery(d *takedown.Delivery) error {
	answer, err := jsonValue(d.Answer)
	if err != nil {
		return err
	}
	clar, err := jsonValue(d.Clarification)
	if err != nil {
		return err
	}
	d.Deadline = d.DeadlineStatusAt(t.now)
	_, err = t.exec(`UPDATE deliveries SET state = ?, deadline_at = ?, acknowledged_at = ?, complied_at = ?, overdue_at = ?,
		answer = ?, clarification = ?, received_via = ?, verified_at = ?, next_check_at = ?, checks = ?, unreceived_at = ? WHERE id = ?`,
		d.State, tsPtr(d.DeadlineAt), tsPtr(d.AcknowledgedAt), tsPtr(d.CompliedAt), tsPtr(d.OverdueAt), answer, clar,
		d.ReceivedVia, tsPtr(d.VerifiedAt), tsPtr(d.NextCheckAt), d.Checks, tsPtr(d.UnreceivedAt), d.ID)
	return err
}

// Delivery returns a delivery by id.
func (t *Tx) Delivery(id int64) (*takedown.Delivery, error) {
	d, err := scanDelivery(t.queryRow(`SELECT `+deliveryColumns+` FROM deliveries d WHERE d.id = ?`, id))
	if err != nil {
		return nil, notFound(err, "delivery", id)
	}
	d.Deadline = d.DeadlineStatusAt(t.now)
	return d, nil
}

// deadlineCase computes a delivery's deadline status in SQL, as DeadlineStatusAt does in Go
// (a test compares the two on every combination of state and deadline).
var deadlineCase = `CASE
	WHEN d.has_deadline = 0 THEN 'none'
	WHEN d.state = 'cancelled' THEN 'cancelled'
	WHEN d.state = 'complied' AND d.deadline_at IS NOT NULL AND d.complied_at > d.deadline_at THEN 'missed'
	WHEN d.state = 'complied' THEN 'met'
	WHEN d.state = 'cannot_comply' THEN 'paused'
	WHEN d.state = 'sent' AND d.deadline_at IS NULL THEN 'awaiting_receipt'
	WHEN d.state IN ` + states(takedown.RunningDeliveryStates) + ` AND d.deadline_at IS NOT NULL AND d.deadline_at < ? THEN 'overdue'
	ELSE 'running' END`

// Deliveries lists deliveries by id.
func (t *Tx) Deliveries(f takedown.DeliveryFilter) ([]*takedown.Delivery, string, error) {
	var w where
	if f.MeasureID != 0 {
		w.add("d.measure_id = ?", f.MeasureID)
	}
	if f.CaseID != 0 {
		w.add("d.case_id = ?", f.CaseID)
	}
	if f.OperatorID != 0 {
		w.add("d.operator_id = ?", f.OperatorID)
	}
	if f.Pending {
		w.add("d.state IN " + states(takedown.PendingDeliveryStates))
	}
	if f.Deadline != "" {
		w.add(deadlineCase+" = ?", t.now.UnixNano(), f.Deadline)
	}
	switch {
	case f.Unmarked && f.Deadline == takedown.DeadlineAwaitingReceipt:
		w.add("d.unreceived_at IS NULL")
	case f.Unmarked:
		w.add("d.overdue_at IS NULL")
	}
	if !f.SentFrom.IsZero() {
		w.add("d.sent_at >= ?", ts(f.SentFrom))
	}
	if !f.SentBefore.IsZero() {
		w.add("d.sent_at < ?", ts(f.SentBefore))
	}
	if f.CheckDue {
		w.add("d.next_check_at IS NOT NULL AND d.next_check_at <= ?", t.now.UnixNano())
	}
	if f.CarriedBy != 0 {
		w.add("d.list_version IS NOT NULL AND d.list_version <= ?", f.CarriedBy)
	}
	limit, err := afterID(&w, f.Page, "d.id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+deliveryColumns+` FROM deliveries d`+w.String()+` ORDER BY d.id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Delivery, error) {
		d, err := scanDelivery(r)
		if err == nil {
			d.Deadline = d.DeadlineStatusAt(t.now)
		}
		return d, err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(d *takedown.Delivery) string { return strconv.FormatInt(d.ID, 10) })
	return list, next, nil
}

// CountDeadlines counts deliveries that carry a deadline, by status.
func (t *Tx) CountDeadlines() (map[takedown.DeadlineStatus]int, error) {
	rows, err := t.query(fmt.Sprintf(`SELECT status, COUNT(*) FROM (SELECT %s AS status FROM deliveries d WHERE d.has_deadline = 1) s
		GROUP BY status`, deadlineCase), t.now.UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[takedown.DeadlineStatus]int{}
	for rows.Next() {
		var st takedown.DeadlineStatus
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		counts[st] = n
	}
	return counts, rows.Err()
}
