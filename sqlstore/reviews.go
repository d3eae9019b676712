package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/takedown-project/takedown"
)

const reviewSessionColumns = `s.id, s.kind, s.reviewers, s.created_by, s.created_at,
	(SELECT COUNT(*) FROM review_items i WHERE i.session_id = s.id),
	(SELECT COUNT(*) FROM review_items i WHERE i.session_id = s.id AND i.verdict IS NOT NULL)`

func scanReviewSession(sc scanner) (*takedown.ReviewSession, error) {
	var r takedown.ReviewSession
	var reviewers string
	var at int64
	if err := sc.Scan(&r.ID, &r.Kind, &reviewers, &r.CreatedBy, &at, &r.Items, &r.Reviewed); err != nil {
		return nil, err
	}
	r.CreatedAt = fromTS(at)
	return &r, json.Unmarshal([]byte(reviewers), &r.Reviewers)
}

// CreateReviewSession inserts a session and its items.
func (t *Tx) CreateReviewSession(r *takedown.ReviewSession, items []*takedown.ReviewItem) (err error) {
	r.ID, err = t.insert(`INSERT INTO review_sessions (kind, reviewers, created_by, created_at) VALUES (?, ?, ?, ?)`,
		r.Kind, jsonText(r.Reviewers), r.CreatedBy, ts(r.CreatedAt))
	if err != nil {
		return err
	}
	for _, it := range items {
		it.SessionID = r.ID
		if it.ID, err = t.insert(`INSERT INTO review_items (session_id, position, measure_id, case_id, reviewer) VALUES (?, ?, ?, ?, ?)`,
			it.SessionID, it.Position, it.MeasureID, it.CaseID, it.Reviewer); err != nil {
			return err
		}
	}
	r.Items = len(items)
	return nil
}

// ReviewSession returns a session by id.
func (t *Tx) ReviewSession(id int64) (*takedown.ReviewSession, error) {
	r, err := scanReviewSession(t.queryRow(`SELECT `+reviewSessionColumns+` FROM review_sessions s WHERE s.id = ?`, id))
	return r, notFound(err, "review session", id)
}

// ReviewSessions lists sessions, newest first.
func (t *Tx) ReviewSessions(p takedown.Page) ([]*takedown.ReviewSession, string, error) {
	var w where
	if p.Cursor != "" {
		before, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil {
			return nil, "", takedown.Invalid("cursor", "is not a cursor this list gave")
		}
		w.add("s.id < ?", before)
	}
	rows, err := t.query(`SELECT `+reviewSessionColumns+` FROM review_sessions s`+w.String()+` ORDER BY s.id DESC LIMIT `+strconv.Itoa(p.Limit+1), w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.ReviewSession, error) { return scanReviewSession(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, p.Limit, func(r *takedown.ReviewSession) string { return strconv.FormatInt(r.ID, 10) })
	return list, next, nil
}

const reviewItemColumns = "id, session_id, position, measure_id, case_id, reviewer, verdict, note, recommendation_id, reviewed_at, answer"

func scanReviewItem(sc scanner) (*takedown.ReviewItem, error) {
	var it takedown.ReviewItem
	var verdict, answer sql.NullString
	var rec, at sql.NullInt64
	if err := sc.Scan(&it.ID, &it.SessionID, &it.Position, &it.MeasureID, &it.CaseID, &it.Reviewer, &verdict, &it.Note, &rec, &at, &answer); err != nil {
		return nil, err
	}
	it.Verdict, it.RecommendationID, it.ReviewedAt = takedown.ReviewVerdict(verdict.String), rec.Int64, fromTSPtr(at)
	var err error
	it.Answer, err = fromJSON[takedown.Decision](answer)
	return &it, err
}

// ReviewItem returns an item by id.
func (t *Tx) ReviewItem(id int64) (*takedown.ReviewItem, error) {
	it, err := scanReviewItem(t.queryRow(`SELECT `+reviewItemColumns+` FROM review_items WHERE id = ?`, id))
	return it, notFound(err, "review item", id)
}

// NextReviewItem returns the reviewer's first item not yet reviewed.
func (t *Tx) NextReviewItem(sessionID, reviewer int64) (*takedown.ReviewItem, error) {
	it, err := scanReviewItem(t.queryRow(`SELECT `+reviewItemColumns+` FROM review_items
		WHERE session_id = ? AND reviewer = ? AND verdict IS NULL ORDER BY position LIMIT 1`, sessionID, reviewer))
	if err == sql.ErrNoRows {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "no item of review session %d is left for user %d", sessionID, reviewer)
	}
	return it, err
}

// ReviewItems lists a session's reviewed items by position.
func (t *Tx) ReviewItems(sessionID int64, p takedown.Page) ([]*takedown.ReviewItem, string, error) {
	after := 0
	if p.Cursor != "" {
		n, err := strconv.Atoi(p.Cursor)
		if err != nil {
			return nil, "", takedown.Invalid("cursor", "is not a cursor this list gave")
		}
		after = n
	}
	rows, err := t.query(`SELECT `+reviewItemColumns+` FROM review_items WHERE session_id = ? AND verdict IS NOT NULL AND position > ?
		ORDER BY position LIMIT `+strconv.Itoa(p.Limit+1), sessionID, after)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.ReviewItem, error) { return scanReviewItem(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, p.Limit, func(it *takedown.ReviewItem) string { return strconv.Itoa(it.Position) })
	return list, next, nil
}

// UpdateReviewItem writes an item's verdict and the answer to its question.
func (t *Tx) UpdateReviewItem(it *takedown.ReviewItem) error {
	answer, err := jsonValue(it.Answer)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE review_items SET verdict = ?, note = ?, recommendation_id = ?, reviewed_at = ?, answer = ? WHERE id = ?`,
		string(it.Verdict), it.Note, nullInt(it.RecommendationID), tsPtr(it.ReviewedAt), answer, it.ID)
	return err
}

// ReviewQuestions lists the questions of a case, or all those not yet answered.
func (t *Tx) ReviewQuestions(caseID int64) ([]*takedown.ReviewItem, error) {
	q := `SELECT ` + reviewItemColumns + ` FROM review_items WHERE verdict = 'question' AND answer IS NULL ORDER BY id`
	args := []any{}
	if caseID != 0 {
		q, args = `SELECT `+reviewItemColumns+` FROM review_items WHERE verdict = 'question' AND case_id = ? ORDER BY id`, []any{caseID}
	}
	rows, err := t.query(q, args...)
	return collect(rows, err, func(r *sql.Rows) (*takedown.ReviewItem, error) { return scanReviewItem(r) })
}
