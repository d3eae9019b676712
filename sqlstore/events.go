package sqlstore

import (
	"database/sql"
	"fmt"
	"strconv"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

const eventColumns = "e.id, e.at, e.kind, e.actor_id, e.actor_role, e.case_id, e.measure_id, e.operator_id, e.data, l.salt"

// eventsFrom joins each event to its leaf, for its salt.
const eventsFrom = " FROM events e LEFT JOIN log_entries l ON l.idx = e.id - 1"

// AppendEvent appends an event and its leaf in the audit log. The event's id is the log's
// size plus one, so that event n is leaf n-1 whatever the database's own numbering would
// do; the schema refuses updates and deletes of both.
func (t *Tx) AppendEvent(e *takedown.Event) error {
	n, err := t.LogSize()
	if err != nil {
		return err
	}
	e.ID, e.Salt = auditlog.EventID(n), auditlog.NewSalt()
	entry, err := auditlog.Entry(e)
	if err != nil {
		return err
	}
	if _, err := t.exec(`INSERT INTO events (id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ts(e.At), e.Kind, e.ActorID, e.ActorRole, nullInt(e.CaseID), nullInt(e.MeasureID), nullInt(e.OperatorID), string(e.Data)); err != nil {
		return err
	}
	return t.appendLeaf(n, e.Salt, entry)
}

// Events lists events, oldest first.
func (t *Tx) Events(f takedown.EventFilter) ([]*takedown.Event, string, error) {
	var w where
	if f.CaseID != 0 {
		w.add("e.case_id = ?", f.CaseID)
	}
	if f.MeasureID != 0 {
		w.add("e.measure_id = ?", f.MeasureID)
	}
	if f.Kind != "" {
		w.add("e.kind = ?", f.Kind)
	}
	limit, err := afterID(&w, f.Page, "e.id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+eventColumns+eventsFrom+w.String()+` ORDER BY e.id`+limit, w.args...)
	list, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(e *takedown.Event) string { return strconv.FormatInt(e.ID, 10) })
	return list, next, nil
}

// Event returns one event.
func (t *Tx) Event(id int64) (*takedown.Event, error) {
	rows, err := t.query(`SELECT `+eventColumns+eventsFrom+` WHERE e.id = ?`, id)
	list, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "there is no event %d", id)
	}
	return list[0], nil
}

// LastEvent returns the latest event of a kind.
func (t *Tx) LastEvent(kind takedown.EventKind) (*takedown.Event, error) {
	rows, err := t.query(`SELECT `+eventColumns+eventsFrom+` WHERE e.kind = ? ORDER BY e.id DESC LIMIT 1`, kind)
	list, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "there is no %s event", kind)
	}
	return list[0], nil
}

func scanEvent(r *sql.Rows) (*takedown.Event, error) {
	var e takedown.Event
	var at int64
	var caseID, measureID, operatorID sql.NullInt64
	var data string
	if err := r.Scan(&e.ID, &at, &e.Kind, &e.ActorID, &e.ActorRole, &caseID, &measureID, &operatorID, &data, &e.Salt); err != nil {
		return nil, err
	}
	e.At, e.CaseID, e.MeasureID, e.OperatorID, e.Data = fromTS(at), caseID.Int64, measureID.Int64, operatorID.Int64, []byte(data)
	return &e, nil
}

// LogExistingEvents appends to the audit log the events that precede it: those of a
// database created before the log, when its migration runs. Each gets a fresh salt.
func (t *Tx) LogExistingEvents() error {
	for {
		n, err := t.LogSize()
		if err != nil {
			return err
		}
		rows, err := t.query(`SELECT e.id, e.at, e.kind, e.actor_id, e.actor_role, e.case_id, e.measure_id, e.operator_id, e.data, NULL`+
			eventsFrom+` WHERE e.id > ? ORDER BY e.id LIMIT 1000`, n)
		list, err := collect(rows, err, scanEvent)
		if err != nil || len(list) == 0 {
			return err
		}
		for _, e := range list {
			if e.ID != auditlog.EventID(n) {
				return fmt.Errorf("sqlstore: the events are not numbered 1, 2, 3…: event %d follows %d", e.ID, n)
			}
			e.Salt = auditlog.NewSalt()
			entry, err := auditlog.Entry(e)
			if err != nil {
				return err
			}
			if err := t.appendLeaf(n, e.Salt, entry); err != nil {
				return err
			}
			n++
		}
	}
}
