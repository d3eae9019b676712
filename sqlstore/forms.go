package sqlstore

import (
	"database/sql"
	"errors"
	"time"
)

// ClaimForm records the first submission of a form id, forgetting those claimed before
// expired; for an id already claimed, it returns where its first submission led ("" while
// that is still being done).
func (t *Tx) ClaimForm(id string, expired time.Time) (redirect string, seen bool, err error) {
	if _, err := t.exec(`DELETE FROM form_submissions WHERE claimed_at < ?`, ts(expired)); err != nil {
		return "", false, err
	}
	res, err := t.exec(`INSERT INTO form_submissions (id, claimed_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`, id, ts(t.now))
	if err != nil {
		return "", false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return "", false, err
	}
	var to sql.NullString
	err = t.queryRow(`SELECT redirect FROM form_submissions WHERE id = ?`, id).Scan(&to)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	return to.String, err == nil, err
}

// FinishForm records where a form's submission led.
func (t *Tx) FinishForm(id, redirect string) error {
	_, err := t.exec(`UPDATE form_submissions SET redirect = ? WHERE id = ?`, redirect, id)
	return err
}

// ReleaseForm forgets a form's submission, which failed, so that it can be sent again.
func (t *Tx) ReleaseForm(id string) error {
	_, err := t.exec(`DELETE FROM form_submissions WHERE id = ?`, id)
	return err
}
