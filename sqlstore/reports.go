package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/takedown-project/takedown"
)

const reportColumns = "id, receipt, channel, flagger_id, offence, description, contact, good_faith, received_at, hashes, matches"

func scanReport(s scanner) (*takedown.Report, error) {
	var r takedown.Report
	var flagger sql.NullInt64
	var goodFaith int
	var received int64
	var hashes, matches sql.NullString
	if err := s.Scan(&r.ID, &r.Receipt, &r.Channel, &flagger, &r.Offence, &r.Description, &r.SealedContact, &goodFaith, &received,
		&hashes, &matches); err != nil {
		return nil, err
	}
	var err error
	if r.Hashes, err = fromJSONList[takedown.HashValue](hashes); err != nil {
		return nil, err
	}
	if r.Matches, err = fromJSONList[takedown.Match](matches); err != nil {
		return nil, err
	}
	if r.Hashes == nil {
		r.Hashes = []takedown.HashValue{}
	}
	if r.Matches == nil {
		r.Matches = []takedown.Match{}
	}
	r.Flagger, r.GoodFaith, r.ReceivedAt, r.HasContact = flagger.Int64, goodFaith == 1, fromTS(received), len(r.SealedContact) > 0
	return &r, nil
}

// CreateReport inserts a report and its URLs and sets its id.
func (t *Tx) CreateReport(r *takedown.Report) (err error) {
	var contact any
	if len(r.SealedContact) > 0 {
		contact = r.SealedContact
	}
	r.ID, err = t.insert(`INSERT INTO reports (receipt, channel, flagger_id, offence, description, contact, good_faith, received_at, hashes, matches)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Receipt, r.Channel, nullInt(r.Flagger), r.Offence, r.Description, contact, boolInt(r.GoodFaith), ts(r.ReceivedAt),
		jsonList(r.Hashes), jsonList(r.Matches))
	if err != nil {
		return err
	}
	for i, u := range r.URLs {
		if _, err := t.exec(`INSERT INTO report_urls (report_id, position, url, canonical, case_id) VALUES (?, ?, ?, ?, ?)`,
			r.ID, i, u.URL, u.Canonical, u.CaseID); err != nil {
			return err
		}
	}
	return nil
}

// Report returns a report with its URLs.
func (t *Tx) Report(id int64) (*takedown.Report, error) {
	r, err := scanReport(t.queryRow(`SELECT `+reportColumns+` FROM reports WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "report", id)
	}
	return r, t.reportURLs([]*takedown.Report{r})
}

// Reports lists reports by id.
func (t *Tx) Reports(f takedown.ReportFilter) ([]*takedown.Report, string, error) {
	var w where
	if f.CaseID != 0 {
		w.add("id IN (SELECT report_id FROM report_urls WHERE case_id = ?)", f.CaseID)
	}
	if f.Flagger != 0 {
		w.add("flagger_id = ?", f.Flagger)
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+reportColumns+` FROM reports`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Report, error) { return scanReport(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(r *takedown.Report) string { return strconv.FormatInt(r.ID, 10) })
	return list, next, t.reportURLs(list)
}

// reportURLs loads the URLs of the reports in one query.
func (t *Tx) reportURLs(reports []*takedown.Report) error {
	if len(reports) == 0 {
		return nil
	}
	byID := make(map[int64]*takedown.Report, len(reports))
	ids := make([]int64, len(reports))
	for i, r := range reports {
		byID[r.ID], ids[i] = r, r.ID
	}
	in, args := inList(ids)
	rows, err := t.query(`SELECT report_id, url, canonical, case_id FROM report_urls WHERE report_id IN `+in+
		` ORDER BY report_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u takedown.ReportURL
		if err := rows.Scan(&id, &u.URL, &u.Canonical, &u.CaseID); err != nil {
			return err
		}
		byID[id].URLs = append(byID[id].URLs, u)
	}
	return rows.Err()
}
