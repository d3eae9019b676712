package auditlog

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/takedown-project/takedown"
)

// SaltSize is the size of an event's salt.
const SaltSize = 32

// EntrySize is the size of a leaf's entry: a SHA-256 digest.
const EntrySize = sha256.Size

// eventVersion is the first line of every canonical event body.
const eventVersion = "takedown.event/v1"

// NewSalt returns a fresh random salt for an event.
func NewSalt() []byte {
	salt := make([]byte, SaltSize)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24+)
	return salt
}

// EncodeEvent returns the canonical body of an event, the text its leaf commits to:
//
//	takedown.event/v1
//	id 42
//	at 2026-12-02T09:30:00.123456789Z
//	kind case.qualified
//	actor officer 7
//	case 12
//	measure 0
//	operator 0
//	data {"reasons":"…"}
//
// Each line ends in a newline; absent objects are 0; the time is UTC, RFC 3339 with as many
// fraction digits as it needs; data is the event's JSON without insignificant whitespace
// (json.Compact: the record stores it so, and an API that pretty-prints it changes only
// that), on one line, since compact JSON escapes every newline. The kind and the actor's role
// are names of lowercase letters, digits, '.', '_' and '-', so no two events share a body.
//
// EncodeEvent refuses what DecodeEvent could not read back: negative numbers, a year outside
// 0000–9999 (RFC 3339 has four digits), data that is not JSON.
func EncodeEvent(e *takedown.Event) ([]byte, error) {
	if !isName(string(e.Kind)) {
		return nil, fmt.Errorf("auditlog: event %d: kind %q is not a name", e.ID, e.Kind)
	}
	if !isName(e.ActorRole) {
		return nil, fmt.Errorf("auditlog: event %d: actor role %q is not a name", e.ID, e.ActorRole)
	}
	if e.ID < 0 || e.ActorID < 0 || e.CaseID < 0 || e.MeasureID < 0 || e.OperatorID < 0 {
		return nil, fmt.Errorf("auditlog: event %d: an id is negative", e.ID)
	}
	if y := e.At.UTC().Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("auditlog: event %d: year %d is not four digits", e.ID, y)
	}
	// Written with appends rather than fmt: every state change encodes its events.
	buf := make([]byte, 0, 160+len(e.Data))
	buf = append(buf, eventVersion+"\nid "...)
	buf = strconv.AppendInt(buf, e.ID, 10)
	buf = append(buf, "\nat "...)
	buf = e.At.UTC().AppendFormat(buf, time.RFC3339Nano)
	buf = append(append(append(buf, "\nkind "...), e.Kind...), "\nactor "...)
	buf = append(append(buf, e.ActorRole...), ' ')
	buf = strconv.AppendInt(buf, e.ActorID, 10)
	buf = append(buf, "\ncase "...)
	buf = strconv.AppendInt(buf, e.CaseID, 10)
	buf = append(buf, "\nmeasure "...)
	buf = strconv.AppendInt(buf, e.MeasureID, 10)
	buf = append(buf, "\noperator "...)
	buf = strconv.AppendInt(buf, e.OperatorID, 10)
	buf = append(buf, "\ndata "...)
	b := bytes.NewBuffer(buf)
	if err := json.Compact(b, e.Data); err != nil {
		return nil, fmt.Errorf("auditlog: event %d: data is not JSON: %w", e.ID, err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// isName reports whether s is a non-empty name of [a-z0-9._-].
func isName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// Entry returns the leaf entry of an event: SHA-256(salt ‖ canonical body), where the salt is
// the event's own SaltSize random bytes.
func Entry(e *takedown.Event) ([]byte, error) {
	if len(e.Salt) != SaltSize {
		return nil, fmt.Errorf("auditlog: event %d has a salt of %d bytes, want %d", e.ID, len(e.Salt), SaltSize)
	}
	body, err := EncodeEvent(e)
	if err != nil {
		return nil, err
	}
	return entryOf(e.Salt, body), nil
}

func entryOf(salt, body []byte) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write(body)
	return h.Sum(nil)
}

// LeafIndex returns the index of an event's leaf: events are numbered from 1, leaves from 0.
func LeafIndex(eventID int64) int64 { return eventID - 1 }

// EventID returns the id of the event at a leaf index.
func EventID(index int64) int64 { return index + 1 }

// CheckEvent checks an event, as read from the record with its salt, against the entry of
// its leaf. The error wraps ErrInconsistent when they differ.
func CheckEvent(e *takedown.Event, entry []byte) error {
	got, err := Entry(e)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInconsistent, err)
	}
	if subtle.ConstantTimeCompare(got, entry) != 1 {
		return inconsistent("event %d does not match leaf %d: its body or its salt was changed after it was logged", e.ID, LeafIndex(e.ID))
	}
	return nil
}

// MaxEventBody bounds a canonical body read from untrusted input (a receipt).
const MaxEventBody = 1 << 20

// DecodeEvent parses a canonical body back into an event (without its salt): the inverse of
// EncodeEvent, for reading receipts.
func DecodeEvent(body []byte) (*takedown.Event, error) {
	const what = "event body"
	if len(body) > MaxEventBody {
		return nil, malformed(what, "%d bytes, more than %d", len(body), MaxEventBody)
	}
	rest, ok := bytes.CutSuffix(body, []byte("\n"))
	if !ok {
		return nil, malformed(what, "does not end in a newline")
	}
	lines := strings.SplitN(string(rest), "\n", 10) // a tenth line is a newline in the data
	if len(lines) != 9 || lines[0] != eventVersion {
		return nil, malformed(what, "does not start with %s and nine lines", eventVersion)
	}
	field := func(i int, name string) (string, error) {
		v, ok := strings.CutPrefix(lines[i], name+" ")
		if !ok {
			return "", malformed(what, "line %d is not %q", i+1, name)
		}
		return v, nil
	}
	num := func(i int, name string) (int64, error) {
		v, err := field(i, name)
		if err != nil {
			return 0, err
		}
		return parseDecimal(what+" "+name, v)
	}
	var e takedown.Event
	var err error
	if e.ID, err = num(1, "id"); err != nil {
		return nil, err
	}
	at, err := field(2, "at")
	if err != nil {
		return nil, err
	}
	if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil || e.At.UTC().Format(time.RFC3339Nano) != at {
		return nil, malformed(what, "at %q is not a UTC RFC 3339 time", at)
	}
	kind, err := field(3, "kind")
	if err != nil {
		return nil, err
	}
	e.Kind = takedown.EventKind(kind)
	actor, err := field(4, "actor")
	if err != nil {
		return nil, err
	}
	role, id, _ := strings.Cut(actor, " ")
	e.ActorRole = role
	if e.ActorID, err = parseDecimal(what+" actor", id); err != nil {
		return nil, err
	}
	if e.CaseID, err = num(5, "case"); err != nil {
		return nil, err
	}
	if e.MeasureID, err = num(6, "measure"); err != nil {
		return nil, err
	}
	if e.OperatorID, err = num(7, "operator"); err != nil {
		return nil, err
	}
	data, err := field(8, "data")
	if err != nil {
		return nil, err
	}
	e.Data = []byte(data)
	// The body is canonical only if encoding the event gives it back.
	again, err := EncodeEvent(&e)
	if err != nil || !bytes.Equal(again, body) {
		return nil, malformed(what, "is not in canonical form")
	}
	return &e, nil
}

// parseDecimal parses a non-negative decimal with no sign and no leading zeros, as the C2SP
// formats write numbers.
func parseDecimal(what, s string) (int64, error) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, malformed(what, "%q is not a decimal number", truncate(s))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, malformed(what, "%q is out of range", truncate(s))
	}
	return n, nil
}

// truncate shortens untrusted text quoted in an error.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
