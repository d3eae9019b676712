package sqlstore

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

const eventColumns = "id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data, salt"

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
	if _, err := t.exec(`INSERT INTO events (id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data, salt)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, ts(e.At), e.Kind, e.ActorID, e.ActorRole, nullInt(e.CaseID), nullInt(e.MeasureID), nullInt(e.OperatorID), string(e.Data),
		e.Salt); err != nil {
		return err
	}
	return t.appendLeaf(n, entry)
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
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.OperatorID != 0 {
		w.add("operator_id = ?", f.OperatorID)
	}
	if !f.From.IsZero() {
		w.add("at >= ?", ts(f.From))
	}
	if !f.Before.IsZero() {
		w.add("at < ?", ts(f.Before))
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+eventColumns+` FROM events`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(e *takedown.Event) string { return strconv.FormatInt(e.ID, 10) })
	return list, next, nil
}

// Event returns one event.
func (t *Tx) Event(id int64) (*takedown.Event, error) {
	rows, err := t.query(`SELECT `+eventColumns+` FROM events WHERE id = ?`, id)
	list, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "there is no event %d", id)
	}
	return list[0], nil
}

// LastVerification returns the latest log.verified event. The kind is written in the query,
// not bound, so that the partial index of those events serves it.
func (t *Tx) LastVerification() (*takedown.Event, error) {
	rows, err := t.query(`SELECT ` + eventColumns + ` FROM events WHERE kind = '` + string(takedown.EventLogVerified) + `' ORDER BY id DESC LIMIT 1`)
	list, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "the controller has recorded no verification of the log")
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

// LogExistingEvents gives the events that precede the audit log their salt, and appends
// their leaves: those of a database created before the log, when its migration runs.
func (t *Tx) LogExistingEvents() error {
	var n int64 // leaves appended so far
	for {
		rows, err := t.query(`SELECT `+eventColumns+` FROM events WHERE id > ? ORDER BY id LIMIT 1000`, n)
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
			if _, err := t.exec(`UPDATE events SET salt = ? WHERE id = ?`, e.Salt, e.ID); err != nil {
				return err
			}
			if err := t.appendLeaf(n, entry); err != nil {
				return err
			}
			n++
		}
	}
}

// EachEvent calls fn with each event of [from, before) of the given kinds, in id order. The
// kinds are written in the query, not bound (they are EventKind constants, checked here).
// With a start, the period is first turned into the range of ids it spans (the index on
// time gives it), and the rows are read in that range in the table's own order, the kinds
// and times checked on each (kept off their indexes, which would sort a year of rows again); without one, the index on kind and time finds the few kinds asked.
func (t *Tx) EachEvent(from, before time.Time, kinds []takedown.EventKind, fn func(*takedown.Event) error) error {
	var w where
	column := func(c string) string { return c }
	if !from.IsZero() {
		var lo, hi sql.NullInt64
		bounds := where{}
		bounds.add("at >= ?", ts(from))
		if !before.IsZero() {
			bounds.add("at < ?", ts(before))
		}
		if err := t.queryRow(`SELECT MIN(id), MAX(id) FROM events`+bounds.String(), bounds.args...).Scan(&lo, &hi); err != nil {
			return err
		}
		if !lo.Valid {
			return nil // no event in the period
		}
		w.add("id BETWEEN ? AND ?", lo.Int64, hi.Int64)
		column = t.dialect.Unindexed
	}
	if len(kinds) > 0 {
		quoted := make([]string, len(kinds))
		for i, k := range kinds {
			if !k.Valid() {
				return takedown.Invalid("kind", "%q is not an event kind", k)
			}
			quoted[i] = "'" + string(k) + "'"
		}
		w.add(column("kind") + " IN (" + strings.Join(quoted, ", ") + ")")
	}
	if !from.IsZero() {
		w.add(column("at")+" >= ?", ts(from))
	}
	if !before.IsZero() {
		w.add(column("at")+" < ?", ts(before))
	}
	rows, err := t.query(`SELECT id, at, kind, actor_id, actor_role, case_id, measure_id, operator_id, data FROM events`+w.String()+` ORDER BY id`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e takedown.Event
		var at int64
		var caseID, measureID, operatorID sql.NullInt64
		var data []byte
		if err := rows.Scan(&e.ID, &at, &e.Kind, &e.ActorID, &e.ActorRole, &caseID, &measureID, &operatorID, &data); err != nil {
			return err
		}
		e.At, e.CaseID, e.MeasureID, e.OperatorID, e.Data = fromTS(at), caseID.Int64, measureID.Int64, operatorID.Int64, data
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}
