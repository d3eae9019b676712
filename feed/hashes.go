package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
)

// HashMagic names the hash feed's format and its version, in its first field.
const HashMagic = "takedown.hashfeed/v1"

// hashDocument is a hash feed as JSON: its format first.
type hashDocument struct {
	Format string `json:"format"`
	*takedown.HashFeed
}

// SignHashes writes a platform's hash feed as JSON and signs it with the authority's log
// keys, as a signed note. It refuses a feed that is not consistent (CheckHashes).
func SignHashes(f *takedown.HashFeed, signers ...note.Signer) ([]byte, error) {
	if len(signers) == 0 {
		return nil, errors.New("feed: sign: no key")
	}
	if err := CheckHashes(f); err != nil {
		return nil, fmt.Errorf("feed: write: %w", err)
	}
	utc := *f
	utc.AsOf = f.AsOf.UTC()
	text, err := json.MarshalIndent(hashDocument{Format: HashMagic, HashFeed: &utc}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("feed: write: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signers...)
	if err != nil {
		return nil, fmt.Errorf("feed: sign: %w", err)
	}
	return msg, nil
}

// OpenedHashes is a signed hash feed whose signature verified.
type OpenedHashes struct {
	*takedown.HashFeed
	// Text is the signed text, without the signatures.
	Text []byte
	// Signers names the given keys that signed it, as name+hash.
	Signers []string
}

// OpenHashes verifies a signed hash feed with the authority's keys and parses it strictly.
// Its errors wrap ErrMalformed or ErrSignature.
func OpenHashes(msg []byte, keys []note.Verifier) (*OpenedHashes, error) {
	n, signers, err := openNote(msg, keys)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(n.Text)))
	dec.DisallowUnknownFields()
	doc := hashDocument{HashFeed: &takedown.HashFeed{}}
	if err := dec.Decode(&doc); err != nil {
		return nil, malformed("not a hash feed: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed("not a hash feed: there is data after the document")
	}
	if doc.Format != HashMagic {
		return nil, malformed("the format is %q, not %s", truncate(doc.Format), HashMagic)
	}
	if err := CheckHashes(doc.HashFeed); err != nil {
		return nil, err
	}
	return &OpenedHashes{HashFeed: doc.HashFeed, Text: []byte(n.Text), Signers: signers}, nil
}

// CheckHashes reports whether a hash feed is consistent: a cursor at or after since, entries
// in the order of their changes within (since, cursor], each of a listed bank, with a valid
// hash; only active entries in a whole feed (since 0). Its errors wrap ErrMalformed.
func CheckHashes(f *takedown.HashFeed) error {
	switch {
	case f.Since < 0 || f.Cursor < f.Since:
		return malformed("cursor %d since %d: want 0 ≤ since ≤ cursor", f.Cursor, f.Since)
	case f.AsOf.IsZero():
		return malformed("the time it was read (as_of) is missing")
	case f.Banks == nil || f.Entries == nil:
		return malformed("banks and entries are lists, empty when there are none")
	}
	for i, b := range f.Banks {
		if b.ID < 1 || b.Name == "" || (i > 0 && f.Banks[i-1].ID >= b.ID) {
			return malformed("bank %d: an id (in increasing order) and a name are required", i+1)
		}
	}
	last := f.Since
	for i, e := range f.Entries {
		switch value, err := takedown.ParseHashValue(e.Type, e.Value); {
		case err != nil:
			return malformed("entry %d: %v", i+1, err)
		case value != e.Value:
			return malformed("entry %d: the hash is written in lowercase", i+1)
		case e.Seq <= last || e.Seq > f.Cursor:
			return malformed("entry %d has seq %d: entries come in the order of their changes, after %d and up to the cursor %d", i+1, e.Seq, last, f.Cursor)
		case !slices.Contains(takedown.EntryStates, e.State):
			return malformed("entry %d: %q is not an entry state", i+1, e.State)
		case f.Since == 0 && e.State != takedown.EntryActive:
			return malformed("entry %d is %s: a whole feed (since 0) holds active entries only", i+1, e.State)
		case !slices.ContainsFunc(f.Banks, func(b takedown.HashFeedBank) bool { return b.ID == e.BankID }):
			return malformed("entry %d is of bank %d, which the feed does not list", i+1, e.BankID)
		case e.Labels == nil:
			return malformed("entry %d: labels is a list, empty when there are none", i+1)
		}
		last = e.Seq
	}
	return nil
}
