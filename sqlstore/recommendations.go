package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/takedown-project/takedown"
)

const recommendationColumns = "id, measure_id, case_id, state, reasons, by_user, at, answer, court"

func scanRecommendation(s scanner) (*takedown.Recommendation, error) {
	var r takedown.Recommendation
	var at int64
	var answer, court sql.NullString
	if err := s.Scan(&r.ID, &r.MeasureID, &r.CaseID, &r.State, &r.Reasons, &r.By, &at, &answer, &court); err != nil {
		return nil, err
	}
	var err error
	if r.Answer, err = fromJSON[takedown.Decision](answer); err != nil {
		return nil, err
	}
	if r.Court, err = fromJSON[takedown.CourtReferral](court); err != nil {
		return nil, err
	}
	r.At = fromTS(at)
	return &r, nil
}

// CreateRecommendation inserts a recommendation and sets its id.
func (t *Tx) CreateRecommendation(r *takedown.Recommendation) (err error) {
	r.ID, err = t.insert(`INSERT INTO recommendations (measure_id, case_id, state, reasons, by_user, at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.MeasureID, r.CaseID, r.State, r.Reasons, r.By, ts(r.At))
	return err
}

// UpdateRecommendation writes the answer and the court referral; the recommendation itself
// (its measure, reasons, author and time) never changes.
func (t *Tx) UpdateRecommendation(r *takedown.Recommendation) error {
	answer, err := jsonValue(r.Answer)
	if err != nil {
		return err
	}
	court, err := jsonValue(r.Court)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE recommendations SET state = ?, answer = ?, court = ? WHERE id = ?`, r.State, answer, court, r.ID)
	return err
}

// Recommendation returns a recommendation by id.
func (t *Tx) Recommendation(id int64) (*takedown.Recommendation, error) {
	r, err := scanRecommendation(t.queryRow(`SELECT `+recommendationColumns+` FROM recommendations WHERE id = ?`, id))
	return r, notFound(err, "recommendation", id)
}

// Recommendations lists recommendations by id.
func (t *Tx) Recommendations(f takedown.RecommendationFilter) ([]*takedown.Recommendation, string, error) {
	var w where
	if f.State != "" {
		w.add("state = ?", f.State)
	}
	if f.MeasureID != 0 {
		w.add("measure_id = ?", f.MeasureID)
	}
	if f.CaseID != 0 {
		w.add("case_id = ?", f.CaseID)
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+recommendationColumns+` FROM recommendations`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Recommendation, error) { return scanRecommendation(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(r *takedown.Recommendation) string { return strconv.FormatInt(r.ID, 10) })
	return list, next, nil
}
