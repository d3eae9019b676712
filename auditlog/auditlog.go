// Package auditlog holds the formats of the audit log: the append-only Merkle tree (RFC 6962,
// as golang.org/x/mod/sumdb/tlog computes it) whose leaves commit to every event of the
// record. It is shared by the side that writes and publishes the log (package publisher), the
// controller's verifier (package verifier) and the witness (package witness), and holds no
// state of its own.
//
// A leaf's entry is a 32-byte salted digest of the event's canonical body (see Entry), never
// the event itself: the log can be public, reveals nothing of a case, and a body can be purged
// when its retention ends while every proof stays valid. Anyone allowed to read an event, with
// its salt, can check it against its leaf.
//
// The wire formats follow C2SP: tlog-checkpoint (a signed note), tlog-tiles (hash tiles and
// entry bundles), tlog-proof (an inclusion proof with its checkpoint, used for receipts) and
// tlog-witness (the add-checkpoint request). Every parser here takes untrusted input, checks
// sizes before it allocates, and is fuzzed.
package auditlog

import (
	"errors"
	"fmt"
)

// TileHeight is the height of every tile: 256 hashes, as C2SP tlog-tiles requires.
const TileHeight = 8

// TileWidth is the number of hashes in a full tile.
const TileWidth = 1 << TileHeight

// Errors. Parsers wrap ErrMalformed; the checks of signatures, proofs and bodies return
// errors that wrap ErrInconsistent, with the evidence, when the data does not add up.
var (
	// ErrMalformed: the input is not in the format at all.
	ErrMalformed = errors.New("malformed")
	// ErrInconsistent: well-formed data that contradicts itself or what was seen before: a
	// bad signature, a proof that does not verify, a body that does not match its leaf.
	ErrInconsistent = errors.New("inconsistent")
)

// malformed returns an error wrapping ErrMalformed.
func malformed(what, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrMalformed, what, fmt.Sprintf(format, args...))
}

// inconsistent returns an error wrapping ErrInconsistent.
func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInconsistent, fmt.Sprintf(format, args...))
}
