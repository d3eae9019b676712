package sqlstore

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/takedown-project/takedown"
)

// ReportTimes returns the arrival times of the reports received in [from, before).
func (t *Tx) ReportTimes(from, before time.Time) ([]time.Time, error) {
	rows, err := t.query(`SELECT received_at FROM reports WHERE received_at >= ? AND received_at < ? ORDER BY received_at`, ts(from), ts(before))
	return collect(rows, err, func(r *sql.Rows) (time.Time, error) {
		var at int64
		err := r.Scan(&at)
		return fromTS(at), err
	})
}

// CountMeasures counts measures by kind and state.
func (t *Tx) CountMeasures() (map[takedown.MeasureKind]map[takedown.MeasureState]int, error) {
	rows, err := t.query(`SELECT kind, state, COUNT(*) FROM measures GROUP BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[takedown.MeasureKind]map[takedown.MeasureState]int{}
	for rows.Next() {
		var kind takedown.MeasureKind
		var state takedown.MeasureState
		var n int
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return nil, err
		}
		if counts[kind] == nil {
			counts[kind] = map[takedown.MeasureState]int{}
		}
		counts[kind][state] = n
	}
	return counts, rows.Err()
}

// CountDeadlinesByOperator counts the deliveries with a deadline by operator and status.
func (t *Tx) CountDeadlinesByOperator() ([]takedown.OperatorDeadlines, error) {
	rows, err := t.query(fmt.Sprintf(`SELECT s.operator_id, o.name, s.status, COUNT(*) FROM (SELECT d.operator_id, %s AS status
		FROM deliveries d WHERE d.has_deadline = 1) s JOIN operators o ON o.id = s.operator_id
		GROUP BY s.operator_id, o.name, s.status ORDER BY s.operator_id`, deadlineCase), t.now.UnixNano())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []takedown.OperatorDeadlines
	for rows.Next() {
		var op int64
		var name string
		var st takedown.DeadlineStatus
		var n int
		if err := rows.Scan(&op, &name, &st, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].OperatorID != op {
			out = append(out, takedown.OperatorDeadlines{OperatorID: op, Operator: name, Counts: map[takedown.DeadlineStatus]int{}})
		}
		out[len(out)-1].Counts[st] = n
	}
	return out, rows.Err()
}

// RemovalTimes returns the time from receipt to compliance of each removal complied with.
func (t *Tx) RemovalTimes() ([]time.Duration, error) {
	rows, err := t.query(`SELECT complied_at - COALESCE(acknowledged_at, sent_at) FROM deliveries
		WHERE complied_at IS NOT NULL AND purpose = 'action' AND kind IN ('removal_request', 'removal_order')`)
	return collect(rows, err, func(r *sql.Rows) (time.Duration, error) {
		var d int64
		err := r.Scan(&d)
		return time.Duration(d), err
	})
}
