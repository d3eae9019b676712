package feed

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
)

// Opened is a signed feed whose signature verified.
type Opened struct {
	*takedown.Feed
	Format Format
	// Text is the signed text: the feed as JSON or CSV, without the signatures.
	Text []byte
	// Signers names the given keys that signed it, as name+hash.
	Signers []string
}

// Open verifies a signed feed with the authority's keys (either key during a rotation) and
// parses it. Its errors wrap ErrMalformed, for what is not a signed feed, or ErrSignature.
func Open(msg []byte, keys []note.Verifier) (*Opened, error) {
	n, signers, err := openNote(msg, keys)
	if err != nil {
		return nil, err
	}
	f, format, err := Parse([]byte(n.Text))
	if err != nil {
		return nil, err
	}
	return &Opened{Feed: f, Format: format, Text: []byte(n.Text), Signers: signers}, nil
}

// openNote verifies a signed note with the authority's keys and returns it with the names
// of the given keys that signed it. Its errors wrap ErrMalformed or ErrSignature.
func openNote(msg []byte, keys []note.Verifier) (*note.Note, []string, error) {
	if len(msg) > MaxSize {
		return nil, nil, malformed("longer than %d bytes", MaxSize)
	}
	if len(keys) == 0 {
		return nil, nil, errors.New("feed: open: no key")
	}
	n, err := note.Open(msg, note.VerifierList(keys...))
	var unverified *note.UnverifiedNoteError
	var invalid *note.InvalidSignatureError
	switch {
	case errors.As(err, &unverified):
		var by []string
		for _, s := range unverified.Note.UnverifiedSigs {
			by = append(by, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
		}
		if len(by) == 0 {
			return nil, nil, fmt.Errorf("%w: it is signed by no key", ErrSignature)
		}
		return nil, nil, fmt.Errorf("%w: it is not signed by the key %s but by %s: it is not the authority's feed, or you hold another key",
			ErrSignature, keyName(keys[0]), strings.Join(by, ", "))
	case errors.As(err, &invalid):
		return nil, nil, fmt.Errorf("%w: the signature by %s does not verify: the feed was changed after it was signed", ErrSignature, invalid.Name)
	case err != nil && strings.Contains(err.Error(), "malformed"):
		return nil, nil, malformed("not a signed note: the feed's text, a blank line, then its signature lines")
	case err != nil:
		return nil, nil, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	var signers []string
	for _, k := range keys {
		for _, s := range n.Sigs {
			if s.Name == k.Name() && s.Hash == k.KeyHash() {
				signers = append(signers, keyName(k))
			}
		}
	}
	return n, signers, nil
}

func keyName(k note.Verifier) string { return fmt.Sprintf("%s+%08x", k.Name(), k.KeyHash()) }

// Parse parses the text of a feed, without its signature, strictly: only the text Text
// writes is a feed. Its errors wrap ErrMalformed.
func Parse(text []byte) (*takedown.Feed, Format, error) {
	if len(text) > MaxSize {
		return nil, "", malformed("longer than %d bytes", MaxSize)
	}
	if !bytes.HasSuffix(text, []byte("\n")) {
		return nil, "", malformed("the text does not end in a newline")
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, "", malformed("byte %d is not UTF-8", i)
		}
		if isControl(r) && r != '\n' {
			return nil, "", malformed("byte %d is a control character", i)
		}
		i += size
	}
	var f *takedown.Feed
	var format Format
	var err error
	switch {
	case bytes.HasPrefix(text, []byte("{")):
		format = JSON
		f, err = parseJSON(text)
	case bytes.HasPrefix(text, []byte(strings.Join(csvFeed, ",")+"\n")):
		format = CSV
		f, err = parseCSV(text)
	default:
		first, _, _ := strings.Cut(string(text), "\n")
		return nil, "", malformed("it starts with %q: a feed starts with { (JSON) or with the line %s (CSV)", truncate(first), strings.Join(csvFeed, ","))
	}
	if err != nil {
		return nil, "", err
	}
	if err := Check(f); err != nil {
		return nil, "", err
	}
	again, err := Text(f, format)
	if err != nil {
		return nil, "", malformed("%v", err)
	}
	if !bytes.Equal(again, text) {
		at := 0
		for at < len(text) && at < len(again) && text[at] == again[at] {
			at++
		}
		return nil, "", malformed("byte %d: the %s is not written as the authority writes feeds (spaces, order, spelling of numbers, times in UTC)", at, format)
	}
	return f, format, nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func parseJSON(text []byte) (*takedown.Feed, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	var d document
	if err := dec.Decode(&d); err != nil {
		return nil, malformed("not a feed in JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("data after the JSON document")
	}
	if d.Format != Magic {
		return nil, malformed("the format is %q, not %s", truncate(d.Format), Magic)
	}
	if d.Feed == nil {
		return nil, malformed("the JSON document has no list")
	}
	return d.Feed, nil
}

func parseCSV(text []byte) (*takedown.Feed, error) {
	r := csv.NewReader(bytes.NewReader(text))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, malformed("not a feed in CSV: %v", err)
	}
	if len(rows) < 3 {
		return nil, malformed("%d lines of CSV: want the feed's header and values, then the header of its entries or changes", len(rows))
	}
	row := csvRow{line: 2, fields: rows[1]}
	if len(row.fields) != len(csvFeed) {
		return nil, malformed("line 2 has %d fields, want %d (%s)", len(row.fields), len(csvFeed), strings.Join(csvFeed, ","))
	}
	if row.fields[0] != Magic {
		return nil, malformed("line 2: the format is %q, not %s", truncate(row.fields[0]), Magic)
	}
	f := &takedown.Feed{List: takedown.MeasureKind(row.fields[1]), Version: row.int(2), Since: row.int(3),
		Published: row.time(4), AsOf: row.time(5)}
	if row.err != nil {
		return nil, row.err
	}
	header := csvEntries
	if f.Since > 0 {
		header = csvChanges
	}
	if !slices.Equal(rows[2], header) {
		return nil, malformed("line 3 is %s, want %s", strings.Join(rows[2], ","), strings.Join(header, ","))
	}
	f.Entries, f.Changes = []takedown.ListEntry{}, []takedown.ListChange{}
	for i, fields := range rows[3:] {
		row := csvRow{line: i + 4, fields: fields}
		if len(fields) != len(header) {
			return nil, malformed("line %d has %d fields, want %d (%s)", row.line, len(fields), len(header), strings.Join(header, ","))
		}
		if f.Since == 0 {
			f.Entries = append(f.Entries, takedown.ListEntry{Target: fields[0], Subtree: row.bool(1), Offence: fields[2], MeasureID: row.int(3)})
		} else {
			f.Changes = append(f.Changes, takedown.ListChange{Version: row.int(0), Added: row.bool(1),
				ListEntry: takedown.ListEntry{Target: fields[2], Subtree: row.bool(3), Offence: fields[4], MeasureID: row.int(5)}})
		}
		if row.err != nil {
			return nil, row.err
		}
	}
	if f.Since == 0 {
		f.Changes = nil
	} else {
		f.Entries = nil
	}
	return f, nil
}

// csvRow reads the fields of one line, keeping the first error.
type csvRow struct {
	line   int
	fields []string
	err    error
}

func (r *csvRow) fail(i int, want string) {
	if r.err == nil {
		r.err = malformed("line %d, field %d: %q is not %s", r.line, i+1, truncate(r.fields[i]), want)
	}
}

func (r *csvRow) int(i int) int64 {
	n, err := strconv.ParseInt(r.fields[i], 10, 64)
	if err != nil {
		r.fail(i, "an integer")
	}
	return n
}

func (r *csvRow) bool(i int) bool {
	switch r.fields[i] {
	case "true":
		return true
	case "false":
		return false
	}
	r.fail(i, "true or false")
	return false
}

func (r *csvRow) time(i int) time.Time {
	if r.fields[i] == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, r.fields[i])
	if err != nil {
		r.fail(i, "a time such as 2026-01-12T09:00:00Z")
	}
	return t
}
