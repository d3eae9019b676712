package verifier

import (
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/takedown-project/takedown/auditlog"
)

// Checkpoint is a checkpoint as a verification saw it: its body, its signed note exactly as
// served, and when it was seen. It is the evidence an inconsistency is shown with.
type Checkpoint struct {
	auditlog.Checkpoint
	// Note is the signed note, with every signature and cosignature.
	Note []byte
	// At is when it was verified (the state file's) or fetched (the source's).
	At time.Time
}

// Kind says what an inconsistency is.
type Kind string

// The kinds of inconsistency.
const (
	// BadCheckpoint: the checkpoint is not signed by the log's key, names another origin, or
	// lacks a required cosignature.
	BadCheckpoint Kind = "checkpoint"
	// Rollback: the checkpoint is of a smaller tree than the one verified before.
	Rollback Kind = "rollback"
	// Fork: a leaf verified before has changed: the history was rewritten.
	Fork Kind = "fork"
	// TreeMismatch: the tiles contradict each other or the signed root.
	TreeMismatch Kind = "tree"
	// BodyChanged: an event does not match its leaf.
	BodyChanged Kind = "body-changed"
	// BodyMissing: an event the checkpoint covers is not in the record: it was deleted.
	BodyMissing Kind = "body-missing"
	// BodyOutOfOrder: an event is not where its id puts it: the record was reordered, or
	// shows an event twice.
	BodyOutOfOrder Kind = "body-out-of-order"
)

// InconsistencyError is the evidence that the log or the record does not add up. It wraps
// auditlog.ErrInconsistent; its message says what failed in a controller's words, and its
// fields hold what a court would need to see it again.
type InconsistencyError struct {
	Kind Kind
	// Index is the leaf at fault, -1 when no single leaf is.
	Index int64
	// EventID is the event of that leaf (Index+1), 0 when no single leaf is at fault.
	EventID int64
	// Tile is the C2SP path of the tile at fault, if one is.
	Tile string
	// Old is the checkpoint the state file held, verified before; nil without a state file.
	Old *Checkpoint
	// New is the checkpoint the source served.
	New *Checkpoint
	// Err is the error of package auditlog this one comes from, if any.
	Err error

	msg string
}

// Error returns what failed, in one sentence.
func (e *InconsistencyError) Error() string { return e.msg }

// Unwrap returns auditlog.ErrInconsistent, or the auditlog error that wraps it.
func (e *InconsistencyError) Unwrap() error {
	if e.Err != nil {
		return e.Err
	}
	return auditlog.ErrInconsistent
}

// inconsistency returns an *InconsistencyError about leaf index (-1 for none).
func inconsistency(kind Kind, index int64, old, new *Checkpoint, format string, args ...any) *InconsistencyError {
	e := &InconsistencyError{Kind: kind, Index: index, Old: old, New: new, msg: fmt.Sprintf(format, args...)}
	if index >= 0 {
		e.EventID = auditlog.EventID(index)
	}
	return e
}

// leafName names a leaf and its event for a person: "leaf 41 (event 42)".
func leafName(index int64) string {
	return fmt.Sprintf("leaf %d (event %d)", index, auditlog.EventID(index))
}

// eventName names an event and its leaf for a person: "event 42 (leaf 41)".
func eventName(id int64) string {
	return fmt.Sprintf("event %d (leaf %d)", id, auditlog.LeafIndex(id))
}

// when formats the time a checkpoint was verified, in UTC.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

// hashText shows a hash as a checkpoint does, in base64.
func hashText(h [32]byte) string { return base64.StdEncoding.EncodeToString(h[:]) }

// StateError is a state file that cannot be used: unreadable, corrupt, or of another log. It
// is never an inconsistency of the log, and never a reason to start over silently.
type StateError struct {
	Path string
	Err  error
}

// Error says which file and what is wrong with it.
func (e *StateError) Error() string { return fmt.Sprintf("verifier: state file %s: %v", e.Path, e.Err) }

// Unwrap returns the cause.
func (e *StateError) Unwrap() error { return e.Err }

// ErrNoEvents is returned, wrapped with the reason, by a source without event bodies: a
// server without a token, or a bundle exported without one.
var ErrNoEvents = errors.New("no event bodies")
