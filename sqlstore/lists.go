package sqlstore

import (
	"database/sql"
	"fmt"

	"github.com/takedown-project/takedown"
)

// AppendListVersion stores the next version of a list and its changes.
func (t *Tx) AppendListVersion(v *takedown.ListVersion, changes []takedown.ListChange) error {
	var last sql.NullInt64
	if err := t.queryRow(`SELECT MAX(version) FROM list_versions WHERE list = ?`, v.List).Scan(&last); err != nil {
		return err
	}
	v.Version, v.Added, v.Removed = last.Int64+1, 0, 0
	for i := range changes {
		c := &changes[i]
		c.Version = v.Version
		if _, err := t.exec(`INSERT INTO list_changes (list, version, added, target, subtree, offence, measure_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			v.List, c.Version, boolInt(c.Added), c.Target, boolInt(c.Subtree), c.Offence, c.MeasureID); err != nil {
			return err
		}
		if c.Added {
			v.Added++
		} else {
			v.Removed++
		}
	}
	_, err := t.exec(`INSERT INTO list_versions (list, version, published, added, removed, measure_id, ended) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		v.List, v.Version, ts(v.Published), v.Added, v.Removed, nullInt(v.MeasureID), boolInt(v.Ended))
	return err
}

// LatestListVersion returns a list's latest version.
func (t *Tx) LatestListVersion(list takedown.MeasureKind) (*takedown.ListVersion, error) {
	v, err := scanListVersion(list, t.queryRow(`SELECT `+listVersionColumns+` FROM list_versions WHERE list = ? ORDER BY version DESC LIMIT 1`, list))
	if err == sql.ErrNoRows {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "the %s list has no published version", list)
	}
	return v, err
}

const listVersionColumns = `version, published, added, removed, measure_id, ended`

func scanListVersion(list takedown.MeasureKind, s scanner) (*takedown.ListVersion, error) {
	v := takedown.ListVersion{List: list}
	var published int64
	var measure sql.NullInt64
	if err := s.Scan(&v.Version, &published, &v.Added, &v.Removed, &measure, &v.Ended); err != nil {
		return nil, err
	}
	v.Published, v.MeasureID = fromTS(published), measure.Int64
	return &v, nil
}

// ListChanges returns the changes of the versions in (after, upTo].
func (t *Tx) ListChanges(list takedown.MeasureKind, after, upTo int64) ([]takedown.ListChange, error) {
	rows, err := t.query(`SELECT version, added, target, subtree, offence, measure_id FROM list_changes
		WHERE list = ? AND version > ? AND version <= ? ORDER BY version, added, target`, list, after, upTo)
	return collect(rows, err, func(r *sql.Rows) (takedown.ListChange, error) {
		var c takedown.ListChange
		err := r.Scan(&c.Version, &c.Added, &c.Target, &c.Subtree, &c.Offence, &c.MeasureID)
		return c, err
	})
}

// ListMeasuresInForce makes version 1 of each list from the measures in force: those of a
// database created before the lists had versions, when its migration runs.
func (t *Tx) ListMeasuresInForce() error {
	for _, list := range []takedown.MeasureKind{takedown.Blocking, takedown.Dereferencing} {
		inForce, err := takedown.All(func(p takedown.Page) ([]*takedown.Measure, string, error) {
			return t.Measures(takedown.MeasureFilter{Kind: list, State: takedown.MeasureInForce, Page: p})
		})
		if err != nil {
			return err
		}
		if len(inForce) == 0 {
			continue
		}
		entries := takedown.ListEntries(inForce)
		var targets []string
		for target := range entries {
			targets = append(targets, target)
		}
		v := &takedown.ListVersion{List: list, Published: t.now}
		if err := t.AppendListVersion(v, takedown.ListDiff(nil, entries, targets)); err != nil {
			return fmt.Errorf("sqlstore: version 1 of the %s list: %w", list, err)
		}
	}
	return nil
}

// ListVersion returns one version of a list.
func (t *Tx) ListVersion(list takedown.MeasureKind, version int64) (*takedown.ListVersion, error) {
	v, err := scanListVersion(list, t.queryRow(`SELECT `+listVersionColumns+` FROM list_versions WHERE list = ? AND version = ?`, list, version))
	if err == sql.ErrNoRows {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "the %s list has no version %d", list, version)
	}
	return v, err
}

// RecordListReceipt stores an operator's receipt of a list version later than the one it had.
func (t *Tx) RecordListReceipt(r *takedown.ListReceipt) (bool, error) {
	res, err := t.exec(`INSERT INTO list_receipts (operator_id, list, version, via, at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (list, operator_id) DO UPDATE SET version = excluded.version, via = excluded.via, at = excluded.at
		WHERE excluded.version > list_receipts.version`,
		r.OperatorID, r.List, r.Version, r.Via, ts(r.At))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ListReceipts returns a list's receipts by operator.
func (t *Tx) ListReceipts(list takedown.MeasureKind) ([]*takedown.ListReceipt, error) {
	rows, err := t.query(`SELECT operator_id, version, via, at FROM list_receipts WHERE list = ? ORDER BY operator_id`, list)
	return collect(rows, err, func(r *sql.Rows) (*takedown.ListReceipt, error) {
		lr := takedown.ListReceipt{List: list}
		var at int64
		err := r.Scan(&lr.OperatorID, &lr.Version, &lr.Via, &at)
		lr.At = fromTS(at)
		return &lr, err
	})
}
