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

// appendLeaf writes leaf n of the audit log: the tree hashes it completes, the first of which
// is its own and keeps its entry, in one statement.
func (t *Tx) appendLeaf(n int64, entry []byte) error {
	hashes, err := tlog.StoredHashes(n, entry, auditlog.HashReader(t))
	if err != nil {
		return fmt.Errorf("sqlstore: append leaf %d: %w", n, err)
	}
	// The hashes are stored at consecutive indexes.
	first := tlog.StoredHashIndex(0, n)
	args := make([]any, 0, 1+2*len(hashes))
	args = append(args, first, hashes[0][:], entry)
	for i, h := range hashes[1:] {
		args = append(args, first+1+int64(i), h[:])
	}
	_, err = t.exec(`INSERT INTO log_hashes (id, hash, entry) VALUES (?, ?, ?)`+strings.Repeat(", (?, ?, NULL)", len(hashes)-1), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: append leaf %d: %w", n, err)
	}
	return nil
}

// LogSize returns the number of leaves: the tree whose stored hashes end at the last one.
func (t *Tx) LogSize() (int64, error) {
	var last sql.NullInt64
	if err := t.queryRow(`SELECT MAX(id) FROM log_hashes`).Scan(&last); err != nil || !last.Valid {
		return 0, err
	}
	// StoredHashCount grows with the size: find the size whose count it is.
	count := last.Int64 + 1
	lo, hi := int64(0), count // StoredHashCount(n) >= n
	for lo < hi {
		mid := lo + (hi-lo)/2
		if tlog.StoredHashCount(mid) < count {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if tlog.StoredHashCount(lo) != count {
		return 0, fmt.Errorf("sqlstore: the audit log has %d stored hashes, which no tree has: it was cut short", count)
	}
	return lo, nil
}

// LogHashes returns stored hashes by index. A few (a new leaf's, a proof's level) are looked
// up one by one in one statement; many close together (a level-0 tile's) are read with one
// range scan; many scattered (a higher tile's) by lists of ids.
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
	switch {
	case len(want) <= 8: // a new leaf's, a proof's few: one lookup each, in one statement
		args := make([]any, len(want))
		for i, id := range want {
			args[i] = id
		}
		if err := scan(`SELECT id, hash FROM log_hashes WHERE id IN (?`+strings.Repeat(", ?", len(want)-1)+`)`, args...); err != nil {
			return nil, err
		}
	case hi-lo < 4*int64(len(want)):
		if err := scan(`SELECT id, hash FROM log_hashes WHERE id BETWEEN ? AND ?`, lo, hi); err != nil {
			return nil, err
		}
	default:
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

// LogEntries returns the entries of leaves [start, end), read with their leaves' hashes in
// one range scan of log_hashes.
func (t *Tx) LogEntries(start, end int64) ([][]byte, error) {
	if start >= end {
		return nil, nil
	}
	rows, err := t.query(`SELECT id, entry FROM log_hashes WHERE id BETWEEN ? AND ? AND entry IS NOT NULL ORDER BY id`,
		tlog.StoredHashIndex(0, start), tlog.StoredHashIndex(0, end-1))
	next := start
	list, err := collect(rows, err, func(r *sql.Rows) ([]byte, error) {
		var id int64
		var entry []byte
		if err := r.Scan(&id, &entry); err != nil {
			return nil, err
		}
		if id != tlog.StoredHashIndex(0, next) {
			return nil, fmt.Errorf("sqlstore: the audit log has no entry for leaf %d", next)
		}
		next++
		return entry, nil
	})
	if err != nil {
		return nil, err
	}
	if next != end {
		return nil, fmt.Errorf("sqlstore: the audit log has no entry for leaf %d", next)
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
