package sqlstore

import (
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
)

// appendLeaf writes the tree hashes that leaf n, whose entry its event holds, completes.
func (t *Tx) appendLeaf(n int64, entry []byte) error {
	hashes, err := tlog.StoredHashes(n, entry, auditlog.HashReader(t))
	if err != nil {
		return fmt.Errorf("sqlstore: append leaf %d: %w", n, err)
	}
	// The hashes are stored at consecutive indexes: one statement, one row each.
	first := tlog.StoredHashIndex(0, n)
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		args = append(args, first+int64(i), h[:])
	}
	_, err = t.exec(`INSERT INTO log_hashes (id, hash) VALUES (?, ?)`+strings.Repeat(", (?, ?)", len(hashes)-1), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: append leaf %d: %w", n, err)
	}
	return nil
}

// LogSize returns the number of leaves: event n is leaf n-1.
func (t *Tx) LogSize() (int64, error) {
	var n int64
	err := t.queryRow(`SELECT COALESCE(MAX(id), 0) FROM events`).Scan(&n)
	return n, err
}

// LogHashes returns stored hashes by index. Indexes close together (a tile's, a new leaf's)
// are read with one range scan; scattered ones (a proof's) by lists of ids.
func (t *Tx) LogHashes(indexes []int64) ([][32]byte, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	want := slices.Clone(indexes)
	slices.Sort(want)
	want = slices.Compact(want)
	found := make(map[int64][32]byte, len(want))
	scan := func(query string, args ...any) error {
		rows, err := t.query(query, args...)
		_, err = collect(rows, err, func(r *sql.Rows) (struct{}, error) {
			var id int64
			var h []byte
			if err := r.Scan(&id, &h); err != nil {
				return struct{}{}, err
			}
			if len(h) != tlog.HashSize {
				return struct{}{}, fmt.Errorf("sqlstore: stored hash %d has %d bytes", id, len(h))
			}
			found[id] = [32]byte(h)
			return struct{}{}, nil
		})
		return err
	}
	lo, hi := want[0], want[len(want)-1]
	if hi-lo < 4*int64(len(want))+64 {
		if err := scan(`SELECT id, hash FROM log_hashes WHERE id BETWEEN ? AND ?`, lo, hi); err != nil {
			return nil, err
		}
	} else {
		for chunk := range slices.Chunk(want, 512) {
			list, args := inList(chunk)
			if err := scan(`SELECT id, hash FROM log_hashes WHERE id IN `+list, args...); err != nil {
				return nil, err
			}
		}
	}
	out := make([][32]byte, len(indexes))
	for i, id := range indexes {
		h, ok := found[id]
		if !ok {
			return nil, fmt.Errorf("sqlstore: the audit log has no stored hash %d", id)
		}
		out[i] = h
	}
	return out, nil
}

// LogEntries returns the entries of leaves [start, end), from the events that hold them.
func (t *Tx) LogEntries(start, end int64) ([][]byte, error) {
	rows, err := t.query(`SELECT id, entry FROM events WHERE id > ? AND id <= ? ORDER BY id`, start, end)
	var next = start
	list, err := collect(rows, err, func(r *sql.Rows) ([]byte, error) {
		var id int64
		var entry []byte
		if err := r.Scan(&id, &entry); err != nil {
			return nil, err
		}
		if id != auditlog.EventID(next) || len(entry) == 0 {
			return nil, fmt.Errorf("sqlstore: the audit log has no leaf %d", next)
		}
		next++
		return entry, nil
	})
	if err != nil {
		return nil, err
	}
	if next != end {
		return nil, fmt.Errorf("sqlstore: the audit log has no leaf %d", next)
	}
	return list, nil
}

const checkpointColumns = "size, root, note, signed_at"

// CreateCheckpoint stores a published checkpoint.
func (t *Tx) CreateCheckpoint(c *takedown.Checkpoint) error {
	_, err := t.exec(`INSERT INTO log_checkpoints (`+checkpointColumns+`) VALUES (?, ?, ?, ?)`, c.Size, c.Root, c.Note, ts(c.SignedAt))
	if t.dialect.IsUniqueViolation(err) {
		return takedown.Errorf(takedown.ECONFLICT, "a checkpoint of size %d is already published", c.Size)
	}
	return err
}

// LatestCheckpoint returns the largest checkpoint.
func (t *Tx) LatestCheckpoint() (*takedown.Checkpoint, error) {
	list, _, err := t.Checkpoints(takedown.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "no checkpoint of the audit log is published yet")
	}
	return list[0], nil
}

// Checkpoint returns the checkpoint of a size.
func (t *Tx) Checkpoint(size int64) (*takedown.Checkpoint, error) {
	rows, err := t.query(`SELECT `+checkpointColumns+` FROM log_checkpoints WHERE size = ?`, size)
	list, err := collect(rows, err, scanCheckpoint)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, takedown.Errorf(takedown.ENOTFOUND, "there is no checkpoint of size %d", size)
	}
	return list[0], nil
}

// Checkpoints lists checkpoints, newest (largest) first.
func (t *Tx) Checkpoints(p takedown.Page) ([]*takedown.Checkpoint, string, error) {
	var w where
	if p.Cursor != "" {
		size, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil || size < 0 {
			return nil, "", takedown.Invalid("cursor", "is not a cursor returned by a previous page")
		}
		w.add("size < ?", size)
	}
	limit := w.limit(p.Limit)
	rows, err := t.query(`SELECT `+checkpointColumns+` FROM log_checkpoints`+w.String()+` ORDER BY size DESC`+limit, w.args...)
	list, err := collect(rows, err, scanCheckpoint)
	if err != nil {
		return nil, "", err
	}
	list, next := page(list, p.Limit, func(c *takedown.Checkpoint) string { return strconv.FormatInt(c.Size, 10) })
	return list, next, nil
}

func scanCheckpoint(r *sql.Rows) (*takedown.Checkpoint, error) {
	var c takedown.Checkpoint
	var at int64
	if err := r.Scan(&c.Size, &c.Root, &c.Note, &at); err != nil {
		return nil, err
	}
	c.SignedAt = fromTS(at)
	return &c, nil
}
