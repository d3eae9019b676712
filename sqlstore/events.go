package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/takedown-project/takedown"
)

const eventColumns = "id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data"

// AppendEvent appends an event and sets its id. The schema refuses updates and deletes.
func (t *Tx) AppendEvent(e *takedown.Event) (err error) {
	e.ID, err = t.insert(`INSERT INTO events (at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ts(e.At), e.Kind, e.ActorID, e.ActorRole, nullInt(e.CaseID), nullInt(e.MeasureID), nullInt(e.OperatorID), string(e.Data))
	return err
}

// Events lists events, oldest first.
func (t *Tx) Events(f takedown.EventFilter) ([]*takedown.Event, string, error) {
	var w where
	if f.CaseID != 0 {
		w.add("case_id = ?", f.CaseID)
	}
	if f.MeasureID != 0 {
		w.add("measure_id = ?", f.MeasureID)
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+eventColumns+` FROM events`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Event, error) {
		var e takedown.Event
		var at int64
		var caseID, measureID, operatorID sql.NullInt64
		var data string
		if err := r.Scan(&e.ID, &at, &e.Kind, &e.ActorID, &e.ActorRole, &caseID, &measureID, &operatorID, &data); err != nil {
			return nil, err
		}
		e.At, e.CaseID, e.MeasureID, e.OperatorID, e.Data = fromTS(at), caseID.Int64, measureID.Int64, operatorID.Int64, []byte(data)
		return &e, nil
	})
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(e *takedown.Event) string { return strconv.FormatInt(e.ID, 10) })
	return list, next, nil
}
