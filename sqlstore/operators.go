package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/takedown-project/takedown"
)

const operatorColumns = "id, name, kind, contact, languages, domains, tco_informed_at, channels, created_at, updated_at"

func scanOperator(s scanner) (*takedown.Operator, error) {
	var o takedown.Operator
	var langs, domains, channels string
	var informed sql.NullInt64
	var created, updated int64
	if err := s.Scan(&o.ID, &o.Name, &o.Kind, &o.Contact, &langs, &domains, &informed, &channels, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(channels), &o.Channels); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(langs), &o.Languages); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(domains), &o.Domains); err != nil {
		return nil, err
	}
	o.TCOInformedAt, o.CreatedAt, o.UpdatedAt = fromTSPtr(informed), fromTS(created), fromTS(updated)
	return &o, nil
}

// CreateOperator inserts an operator and sets its id.
func (t *Tx) CreateOperator(o *takedown.Operator) (err error) {
	o.ID, err = t.insert(`INSERT INTO operators (name, kind, contact, languages, domains, tco_informed_at, channels, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.Name, o.Kind, o.Contact, jsonText(o.Languages), jsonText(o.Domains), tsPtr(o.TCOInformedAt), jsonText(o.Channels), ts(o.CreatedAt), ts(o.UpdatedAt))
	return err
}

// UpdateOperator writes an operator's mutable fields.
func (t *Tx) UpdateOperator(o *takedown.Operator) error {
	_, err := t.exec(`UPDATE operators SET name = ?, contact = ?, languages = ?, domains = ?, tco_informed_at = ?, channels = ?,
		updated_at = ? WHERE id = ?`,
		o.Name, o.Contact, jsonText(o.Languages), jsonText(o.Domains), tsPtr(o.TCOInformedAt), jsonText(o.Channels), ts(o.UpdatedAt), o.ID)
	return err
}

// Operator returns an operator by id.
func (t *Tx) Operator(id int64) (*takedown.Operator, error) {
	o, err := scanOperator(t.queryRow(`SELECT `+operatorColumns+` FROM operators WHERE id = ?`, id))
	return o, notFound(err, "operator", id)
}

// Operators lists operators by id.
func (t *Tx) Operators(f takedown.OperatorFilter) ([]*takedown.Operator, string, error) {
	var w where
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+operatorColumns+` FROM operators`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Operator, error) { return scanOperator(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(o *takedown.Operator) string { return strconv.FormatInt(o.ID, 10) })
	return list, next, nil
}
