package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/takedown-project/takedown"
)

const bankColumns = `b.id, b.name, b.offence, b.source, b.description, b.negative, b.radius, b.min_quality, b.platforms,
	b.created_at, b.updated_at, (SELECT COUNT(*) FROM hash_entries e WHERE e.bank_id = b.id AND e.state = 'active')`

func scanBank(s scanner) (*takedown.Bank, error) {
	var b takedown.Bank
	var negative int
	var platforms sql.NullString
	var created, updated int64
	if err := s.Scan(&b.ID, &b.Name, &b.Offence, &b.Source, &b.Description, &negative, &b.Radius, &b.MinQuality, &platforms,
		&created, &updated, &b.Entries); err != nil {
		return nil, err
	}
	var err error
	if b.Platforms, err = fromJSONList[int64](platforms); err != nil {
		return nil, err
	}
	if b.Platforms == nil {
		b.Platforms = []int64{}
	}
	b.Negative, b.CreatedAt, b.UpdatedAt = negative == 1, fromTS(created), fromTS(updated)
	return &b, nil
}

// CreateBank inserts a bank and sets its id; ECONFLICT if its name is taken.
func (t *Tx) CreateBank(b *takedown.Bank) (err error) {
	b.ID, err = t.insert(`INSERT INTO hash_banks (name, offence, source, description, negative, radius, min_quality, platforms, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		b.Name, b.Offence, b.Source, b.Description, boolInt(b.Negative), b.Radius, b.MinQuality, jsonText(platformList(b.Platforms)),
		ts(b.CreatedAt), ts(b.UpdatedAt))
	if t.dialect.IsUniqueViolation(err) {
		return takedown.Errorf(takedown.ECONFLICT, "there is already a bank named %q", b.Name)
	}
	return err
}

// UpdateBank writes a bank's settings; its source never changes.
func (t *Tx) UpdateBank(b *takedown.Bank) error {
	_, err := t.exec(`UPDATE hash_banks SET name = ?, offence = ?, description = ?, negative = ?, radius = ?, min_quality = ?,
		platforms = ?, updated_at = ? WHERE id = ?`,
		b.Name, b.Offence, b.Description, boolInt(b.Negative), b.Radius, b.MinQuality, jsonText(platformList(b.Platforms)),
		ts(b.UpdatedAt), b.ID)
	if t.dialect.IsUniqueViolation(err) {
		return takedown.Errorf(takedown.ECONFLICT, "there is already a bank named %q", b.Name)
	}
	return err
}

func platformList(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// Bank returns a bank by id.
func (t *Tx) Bank(id int64) (*takedown.Bank, error) {
	b, err := scanBank(t.queryRow(`SELECT `+bankColumns+` FROM hash_banks b WHERE b.id = ?`, id))
	return b, notFound(err, "bank", id)
}

// Banks lists banks by id.
func (t *Tx) Banks(f takedown.BankFilter) ([]*takedown.Bank, string, error) {
	var w where
	if f.Offence != "" {
		w.add("b.offence = ?", f.Offence)
	}
	if f.Source != "" {
		w.add("b.source = ?", f.Source)
	}
	limit, err := afterID(&w, f.Page, "b.id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+bankColumns+` FROM hash_banks b`+w.String()+` ORDER BY b.id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Bank, error) { return scanBank(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(b *takedown.Bank) string { return strconv.FormatInt(b.ID, 10) })
	return list, next, nil
}

// ResequenceBank gives every entry of a bank a new, larger seq, keeping their order, so that
// a platform newly entitled to the bank finds all of them in its next feed.
func (t *Tx) ResequenceBank(bankID int64) error {
	_, err := t.exec(`UPDATE hash_entries SET seq = seq + (SELECT COALESCE(MAX(seq), 0) FROM hash_entries) WHERE bank_id = ?`, bankID)
	return err
}

const entryColumns = `id, bank_id, type, value, quality, labels, case_ids, state, reasons, added_at, seq, updated_at,
	fb_matches, fb_confirms, fb_disagrees`

func scanEntry(s scanner) (*takedown.HashEntry, error) {
	var e takedown.HashEntry
	var quality sql.NullInt64
	var labels, cases sql.NullString
	var added, updated int64
	if err := s.Scan(&e.ID, &e.BankID, &e.Type, &e.Value, &quality, &labels, &cases, &e.State, &e.Reasons, &added, &e.Seq,
		&updated, &e.Feedback.Matches, &e.Feedback.Confirms, &e.Feedback.Disagrees); err != nil {
		return nil, err
	}
	if quality.Valid {
		q := int(quality.Int64)
		e.Quality = &q
	}
	var err error
	if e.Labels, err = fromJSONList[string](labels); err != nil {
		return nil, err
	}
	if e.CaseIDs, err = fromJSONList[int64](cases); err != nil {
		return nil, err
	}
	if e.Labels == nil {
		e.Labels = []string{}
	}
	if e.CaseIDs == nil {
		e.CaseIDs = []int64{}
	}
	e.AddedAt, e.UpdatedAt = fromTS(added), fromTS(updated)
	return &e, nil
}

// nextSeq is the value the next changed entry takes.
const nextSeq = `(SELECT COALESCE(MAX(seq), 0) + 1 FROM hash_entries)`

func nullQuality(q *int) any {
	if q == nil {
		return nil
	}
	return *q
}

// CreateEntry inserts an entry and sets its id and seq; ECONFLICT if its bank already holds
// that hash.
func (t *Tx) CreateEntry(e *takedown.HashEntry) error {
	err := t.queryRow(`INSERT INTO hash_entries (bank_id, type, value, quality, labels, case_ids, state, reasons, added_at, seq, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, `+nextSeq+`, ?) RETURNING id, seq`,
		e.BankID, e.Type, e.Value, nullQuality(e.Quality), jsonText(e.Labels), jsonText(e.CaseIDs), e.State, e.Reasons,
		ts(e.AddedAt), ts(e.UpdatedAt)).Scan(&e.ID, &e.Seq)
	if t.dialect.IsUniqueViolation(err) {
		return takedown.Errorf(takedown.ECONFLICT, "bank %d already holds the %s hash %s", e.BankID, e.Type, e.Value)
	}
	if err != nil {
		return err
	}
	return t.entryCases(e)
}

// entryCases writes the cases an entry is linked to, for selecting a case's entries.
func (t *Tx) entryCases(e *takedown.HashEntry) error {
	if _, err := t.exec(`DELETE FROM hash_entry_cases WHERE entry_id = ?`, e.ID); err != nil {
		return err
	}
	for _, id := range e.CaseIDs {
		if _, err := t.exec(`INSERT INTO hash_entry_cases (entry_id, case_id) VALUES (?, ?)`, e.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// UpdateEntry writes an entry's quality, labels, cases, state and reasons, and gives it the
// next seq.
func (t *Tx) UpdateEntry(e *takedown.HashEntry) error {
	err := t.queryRow(`UPDATE hash_entries SET quality = ?, labels = ?, case_ids = ?, state = ?, reasons = ?, updated_at = ?,
		seq = `+nextSeq+` WHERE id = ? RETURNING seq`,
		nullQuality(e.Quality), jsonText(e.Labels), jsonText(e.CaseIDs), e.State, e.Reasons, ts(e.UpdatedAt), e.ID).Scan(&e.Seq)
	if err != nil {
		return err
	}
	return t.entryCases(e)
}

// Entry returns an entry by id.
func (t *Tx) Entry(id int64) (*takedown.HashEntry, error) {
	e, err := scanEntry(t.queryRow(`SELECT `+entryColumns+` FROM hash_entries WHERE id = ?`, id))
	return e, notFound(err, "bank entry", id)
}

// EntryByValue returns the entry of a bank holding a hash, or ENOTFOUND.
func (t *Tx) EntryByValue(bankID int64, typ takedown.HashType, value string) (*takedown.HashEntry, error) {
	e, err := scanEntry(t.queryRow(`SELECT `+entryColumns+` FROM hash_entries WHERE bank_id = ? AND type = ? AND value = ?`,
		bankID, typ, value))
	if err == sql.ErrNoRows {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "bank %d holds no %s hash %s", bankID, typ, value)
	}
	return e, err
}

// Entries lists entries by id, or by seq after f.AfterSeq when it is set (the cursor is then
// the seq of the last entry).
func (t *Tx) Entries(f takedown.EntryFilter) ([]*takedown.HashEntry, string, error) {
	var w where
	if f.BankID != 0 {
		w.add("bank_id = ?", f.BankID)
	}
	if len(f.Banks) > 0 {
		in, args := inList(f.Banks)
		w.add("bank_id IN "+in, args...)
	}
	if f.State != "" {
		w.add("state = ?", f.State)
	}
	if f.Type != "" {
		w.add("type = ?", f.Type)
	}
	if f.CaseID != 0 {
		w.add("id IN (SELECT entry_id FROM hash_entry_cases WHERE case_id = ?)", f.CaseID)
	}
	order, cursor := "id", func(e *takedown.HashEntry) string { return strconv.FormatInt(e.ID, 10) }
	if f.BySeq {
		order, cursor = "seq", func(e *takedown.HashEntry) string { return strconv.FormatInt(e.Seq, 10) }
		w.add("seq > ?", f.AfterSeq)
	}
	limit, err := afterID(&w, f.Page, order)
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT `+entryColumns+` FROM hash_entries`+w.String()+` ORDER BY `+order+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.HashEntry, error) { return scanEntry(r) })
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, cursor)
	return list, next, nil
}

// CreateFeedback inserts a platform's feedback, sets its id, and adds it to its entry's counts.
func (t *Tx) CreateFeedback(f *takedown.Feedback) (err error) {
	f.ID, err = t.insert(`INSERT INTO hash_feedback (entry_id, operator_id, kind, count, labels, note, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		f.EntryID, f.OperatorID, f.Kind, f.Count, jsonText(f.Labels), f.Note, ts(f.At))
	if err != nil {
		return err
	}
	column := map[takedown.FeedbackKind]string{takedown.FeedbackMatch: "fb_matches", takedown.FeedbackConfirm: "fb_confirms",
		takedown.FeedbackDisagree: "fb_disagrees"}[f.Kind]
	_, err = t.exec(`UPDATE hash_entries SET `+column+` = `+column+` + ? WHERE id = ?`, f.Count, f.EntryID)
	return err
}

// Feedback lists feedback by id.
func (t *Tx) Feedback(f takedown.FeedbackFilter) ([]*takedown.Feedback, string, error) {
	var w where
	if f.EntryID != 0 {
		w.add("entry_id = ?", f.EntryID)
	}
	if f.OperatorID != 0 {
		w.add("operator_id = ?", f.OperatorID)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	limit, err := afterID(&w, f.Page, "id")
	if err != nil {
		return nil, "", err
	}
	rows, err := t.query(`SELECT id, entry_id, operator_id, kind, count, labels, note, at FROM hash_feedback`+w.String()+` ORDER BY id`+limit, w.args...)
	list, err := collect(rows, err, func(r *sql.Rows) (*takedown.Feedback, error) {
		var fb takedown.Feedback
		var labels sql.NullString
		var at int64
		if err := r.Scan(&fb.ID, &fb.EntryID, &fb.OperatorID, &fb.Kind, &fb.Count, &labels, &fb.Note, &at); err != nil {
			return nil, err
		}
		var err error
		if fb.Labels, err = fromJSONList[string](labels); err != nil {
			return nil, err
		}
		if fb.Labels == nil {
			fb.Labels = []string{}
		}
		fb.At = fromTS(at)
		return &fb, nil
	})
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, f.Limit, func(fb *takedown.Feedback) string { return strconv.FormatInt(fb.ID, 10) })
	return list, next, nil
}
