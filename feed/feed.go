// Package feed is the wire format of the signed feeds of the blocking and dereferencing
// lists, for operators that do not pull the blocking zone: a feed (takedown.Feed) written
// as JSON or CSV, which is the text of a signed note (golang.org/x/mod/sumdb/note) signed by
// the authority's log key. Everything a reader needs, the list, its version, the version it
// follows and the time it was read, is inside the signed text. The parser accepts exactly
// what the writer writes, so that one feed has one text. docs/blocking.md describes it.
package feed

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
)

// Format is how a feed is written.
type Format string

// The formats.
const (
	JSON Format = "json"
	CSV  Format = "csv"
)

// Formats lists the formats, the default first.
var Formats = []Format{JSON, CSV}

// Magic names the format and its version, in the first field of every feed.
const Magic = "takedown.feed/v1"

// MaxSize bounds a signed feed read from untrusted input.
const MaxSize = 64 << 20

// Errors. Parsing wraps ErrMalformed; a signature that does not verify is ErrSignature.
var (
	// ErrMalformed: the input is not a signed feed at all.
	ErrMalformed = errors.New("malformed feed")
	// ErrSignature: the input is a signed feed, but not signed by the given keys, or its
	// signature does not verify: it was changed, or is not the authority's.
	ErrSignature = errors.New("feed signature")
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// The CSV tables' headers: the feed's fields, then its entries' or changes' columns, named
// as the JSON fields are.
var (
	csvFeed    = []string{"format", "list", "version", "since", "published", "as_of"}
	csvEntries = []string{"target", "subtree", "offence", "measure_id"}
	csvChanges = []string{"version", "added", "target", "subtree", "offence", "measure_id"}
)

// document is a feed as JSON: its format first.
type document struct {
	Format string `json:"format"`
	*takedown.Feed
}

// Text writes a feed as the text of its note. It refuses a feed that is not valid (Check),
// or that holds characters a note cannot (control characters in CSV).
func Text(f *takedown.Feed, format Format) ([]byte, error) {
	if err := Check(f); err != nil {
		return nil, fmt.Errorf("feed: write: %w", err)
	}
	switch format {
	case JSON:
		utc := *f
		utc.Published, utc.AsOf = f.Published.UTC(), f.AsOf.UTC()
		b, err := json.MarshalIndent(document{Format: Magic, Feed: &utc}, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("feed: write: %w", err)
		}
		return append(b, '\n'), nil
	case CSV:
		return csvText(f)
	}
	return nil, fmt.Errorf("feed: write: unknown format %q", format)
}

// csvText writes the feed's table, then its entries' or its changes'.
func csvText(f *takedown.Feed) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rows := [][]string{csvFeed, {Magic, string(f.List), itoa(f.Version), itoa(f.Since), timeText(f.Published), timeText(f.AsOf)}}
	if f.Since == 0 {
		rows = append(rows, csvEntries)
		for _, e := range f.Entries {
			rows = append(rows, []string{e.Target, strconv.FormatBool(e.Subtree), e.Offence, itoa(e.MeasureID)})
		}
	} else {
		rows = append(rows, csvChanges)
		for _, c := range f.Changes {
			rows = append(rows, []string{itoa(c.Version), strconv.FormatBool(c.Added), c.Target, strconv.FormatBool(c.Subtree), c.Offence, itoa(c.MeasureID)})
		}
	}
	for _, r := range rows {
		for _, field := range r {
			if strings.ContainsFunc(field, isControl) {
				return nil, fmt.Errorf("feed: write: %q has a control character, which a signed note cannot hold", field)
			}
		}
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("feed: write: %w", err)
	}
	return buf.Bytes(), nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// timeText writes a time as JSON does, in UTC; the zero time as "".
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Sign writes a feed and signs it with the authority's log keys (two while a key is
// rotated), as a signed note.
func Sign(f *takedown.Feed, format Format, signers ...note.Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, errors.New("feed: sign: no key")
	}
	text, err := Text(f, format)
	if err != nil {
		return nil, err
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signers...)
	if err != nil {
		return nil, fmt.Errorf("feed: sign: %w", err)
	}
	return msg, nil
}

// Check reports whether a feed is consistent: a list, versions that follow each other, the
// entries of a whole list sorted by target with each once, and the changes of an
// incremental one within its versions, in order. Its errors wrap ErrMalformed.
func Check(f *takedown.Feed) error {
	switch {
	case !f.List.IsList():
		return malformed("the list is %q, not blocking or dereferencing", f.List)
	case f.Version < 0 || f.Since < 0 || f.Since > f.Version:
		return malformed("version %d since %d: want 0 ≤ since ≤ version", f.Version, f.Since)
	case f.Version == 0 && !f.Published.IsZero():
		return malformed("version 0 has a publication time")
	case f.Version > 0 && f.Published.IsZero():
		return malformed("version %d has no publication time", f.Version)
	case f.AsOf.IsZero():
		return malformed("the time it was read (as_of) is missing")
	case f.Since == 0 && (f.Entries == nil || f.Changes != nil):
		return malformed("a whole list (since 0) has entries and no changes")
	case f.Since > 0 && (f.Changes == nil || f.Entries != nil):
		return malformed("an incremental feed (since %d) has changes and no entries", f.Since)
	}
	for i, e := range f.Entries {
		if err := checkEntry(e); err != nil {
			return malformed("entry %d: %v", i+1, err)
		}
		if i > 0 && f.Entries[i-1].Target >= e.Target {
			return malformed("entry %d: %q comes after %q: entries are sorted by target, each once", i+1, e.Target, f.Entries[i-1].Target)
		}
	}
	last := f.Since + 1
	for i, c := range f.Changes {
		if err := checkEntry(c.ListEntry); err != nil {
			return malformed("change %d: %v", i+1, err)
		}
		if c.Version < last || c.Version > f.Version {
			return malformed("change %d is of version %d: the changes are of versions %d to %d, in order", i+1, c.Version, last, f.Version)
		}
		last = c.Version
	}
	return nil
}

func checkEntry(e takedown.ListEntry) error {
	switch {
	case e.Target == "":
		return errors.New("no target")
	case e.Offence == "":
		return errors.New("no offence")
	case e.MeasureID < 1:
		return fmt.Errorf("measure id %d", e.MeasureID)
	}
	return nil
}
