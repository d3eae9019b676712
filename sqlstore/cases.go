package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/takedown-project/takedown"
)

// lateDelivery is the condition, on a deliveries row d, of a deadline that ran out: the
// overdue status of takedown.Delivery.DeadlineStatusAt.
var lateDelivery = `d.has_deadline = 1 AND d.deadline_at < ? AND d.state IN ` + states(takedown.RunningDeliveryStates)

var caseColumns = `c.id, c.state, c.priority, c.offence, c.qualification, c.hold, c.returned, c.closure,
	(SELECT COUNT(DISTINCT r.report_id) FROM report_urls r WHERE r.case_id = c.id),
	c.opened_at, c.updated_at, EXISTS (SELECT 1 FROM deliveries d WHERE d.case_id = c.id AND ` + lateDelivery + `), c.related`

func scanCase(s scanner) (*takedown.Case, error) {
	var c takedown.Case
	var qual, hold, returned, closure, related sql.NullString
	var opened, updated int64
	var overdue bool
	if err := s.Scan(&c.ID, &c.State, &c.Priority, &c.Offence, &qual, &hold, &returned, &closure, &c.Reports,
		&opened, &updated, &overdue, &related); err != nil {
		return nil, err
	}
	var err error
	if c.Related, err = fromJSONList[takedown.RelatedCase](related); err != nil {
		return nil, err
	}
	if c.Related == nil {
		c.Related = []takedown.RelatedCase{}
	}
	if c.Qualification, err = fromJSON[takedown.Qualification](qual); err != nil {
		return nil, err
	}
	if c.Hold, err = fromJSON[takedown.Hold](hold); err != nil {
		return nil, err
	}
	if c.Returned, err = fromJSON[takedown.Decision](returned); err != nil {
		return nil, err
	}
	if c.Closure, err = fromJSON[takedown.Decision](closure); err != nil {
		return nil, err
	}
	c.OpenedAt, c.UpdatedAt, c.Overdue = fromTS(opened), fromTS(updated), overdue
	return &c, nil
}

// OpenCaseByURL returns the open case holding a canonical URL, or 0.
func (t *Tx) OpenCaseByURL(canonical string) (int64, error) {
	var id int64
	err := t.queryRow(`SELECT case_id FROM case_urls WHERE url = ? AND open = 1`, canonical).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// CreateCase inserts a case and its URLs and sets its id.
func (t *Tx) CreateCase(c *takedown.Case) error {
	args, err := caseValues(c)
	if err != nil {
		return err
	}
	c.ID, err = t.insert(`INSERT INTO cases (state, priority, offence, qualification, hold, returned, closure, updated_at, related, opened_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, ts(c.OpenedAt))...)
	if err != nil {
		return err
	}
	for i, u := range c.URLs {
		_, err := t.exec(`INSERT INTO case_urls (case_id, position, url, open) VALUES (?, ?, ?, 1)`, c.ID, i, u)
		if t.dialect.IsUniqueViolation(err) {
			return takedown.Errorf(takedown.ECONFLICT, "%s is already in an open case", u)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// caseValues returns the mutable columns in the order state, priority, offence,
// qualification, hold, returned, closure, updated_at.
func caseValues(c *takedown.Case) ([]any, error) {
	qual, err := jsonValue(c.Qualification)
	if err != nil {
		return nil, err
	}
	hold, err := jsonValue(c.Hold)
	if err != nil {
		return nil, err
	}
	returned, err := jsonValue(c.Returned)
	if err != nil {
		return nil, err
	}
	closure, err := jsonValue(c.Closure)
	if err != nil {
		return nil, err
	}
	return []any{c.State, c.Priority, c.Offence, qual, hold, returned, closure, ts(c.UpdatedAt), jsonList(c.Related)}, nil
}

// UpdateCase writes a case's mutable fields; a closed case's URLs are freed.
func (t *Tx) UpdateCase(c *takedown.Case) error {
	args, err := caseValues(c)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE cases SET state = ?, priority = ?, offence = ?, qualification = ?, hold = ?, returned = ?,
		closure = ?, updated_at = ?, related = ? WHERE id = ?`, append(args, c.ID)...)
	if err != nil {
		return err
	}
	if !c.Open() {
		_, err = t.exec(`UPDATE case_urls SET open = 0 WHERE case_id = ?`, c.ID)
	}
	return err
}

// Case returns a case with its URLs.
func (t *Tx) Case(id int64) (*takedown.Case, error) {
	c, err := scanCase(t.queryRow(`SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`, t.now.UnixNano(), id))
	if err != nil {
		return nil, notFound(err, "case", id)
	}
	return c, t.caseURLs([]*takedown.Case{c})
}

// Cases lists cases in queue order: priority first, then oldest first. The cursor is
// "priority.id" of the last case of the page.
func (t *Tx) Cases(f takedown.CaseFilter) ([]*takedown.Case, string, error) {
	w := where{args: []any{t.now.UnixNano()}}
	if f.State != "" {
		w.add("c.state = ?", f.State)
	}
	if f.Overdue {
		w.add(`EXISTS (SELECT 1 FROM deliveries d WHERE d.case_id = c.id AND `+lateDelivery+`)`, t.now.UnixNano())
	}
	if f.URL != "" {
		w.add("c.id IN (SELECT case_id FROM case_urls WHERE url = ?)", f.URL)
	}
	if f.Cursor != "" {
		p, id, ok := strings.Cut(f.Cursor, ".")
		prio, err1 := strconv.Atoi(p)
		last, err2 := strconv.ParseInt(id, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, "", takedown.Invalid("cursor", "is not a cursor returned by a previous page")
		}
		w.add("(c.priority < ? OR (c.priority = ? AND c.id > ?))", prio, prio, last)
	}
	limit := w.limit(f.Limit)
	rows, err := t.query(`SELECT `+caseColumns+` FROM cases c`+w.String()+` ORDER BY c.priority DESC, c.id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Case, error) { return scanCase(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(c *takedown.Case) string { return fmt.Sprintf("%d.%d", c.Priority, c.ID) })
	return list, next, t.caseURLs(list)
}

// caseURLs loads the URLs of the cases in one query.
func (t *Tx) caseURLs(cases []*takedown.Case) error {
	if len(cases) == 0 {
		return nil
	}
	byID := make(map[int64]*takedown.Case, len(cases))
	ids := make([]int64, len(cases))
	for i, c := range cases {
		byID[c.ID], ids[i] = c, c.ID
	}
	in, args := inList(ids)
	rows, err := t.query(`SELECT case_id, url FROM case_urls WHERE case_id IN `+in+` ORDER BY case_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return err
		}
		byID[id].URLs = append(byID[id].URLs, u)
	}
	return rows.Err()
}
