package feed_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/auditlog"
	"github.com/takedown-project/takedown/feed"
)

var (
	published = time.Date(2026, time.January, 12, 9, 0, 0, 0, time.UTC)
	asOf      = published.Add(90 * time.Minute)
)

// whole is a blocking list at version 42.
func whole() *takedown.Feed {
	return &takedown.Feed{List: takedown.Blocking, Version: 42, Published: published, AsOf: asOf, Entries: []takedown.ListEntry{
		{Target: "propaganda.example", Subtree: true, Offence: "terrorism-apology", MeasureID: 7},
		{Target: "tribute-videos.example", Offence: "terrorism-apology", MeasureID: 3},
	}}
}

// since40 is the changes of the blocking list from version 40 to 42.
func since40() *takedown.Feed {
	return &takedown.Feed{List: takedown.Blocking, Version: 42, Since: 40, Published: published, AsOf: asOf, Changes: []takedown.ListChange{
		{Version: 41, Added: false, ListEntry: takedown.ListEntry{Target: "old-mirror.example", Offence: "terrorism-apology", MeasureID: 2}},
		{Version: 42, Added: true, ListEntry: takedown.ListEntry{Target: "propaganda.example", Subtree: true, Offence: "terrorism-apology", MeasureID: 7}},
	}}
}

// empty is a list with no version yet.
func empty() *takedown.Feed {
	return &takedown.Feed{List: takedown.Dereferencing, AsOf: asOf, Entries: []takedown.ListEntry{}}
}

// TestGolden: the texts of the feeds are those of testdata/, which docs/blocking.md shows;
// each parses back to the same feed.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		feed *takedown.Feed
	}{{"whole", whole()}, {"since", since40()}, {"empty", empty()}} {
		for _, format := range feed.Formats {
			t.Run(tc.name+"."+string(format), func(t *testing.T) {
				got, err := feed.Text(tc.feed, format)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", tc.name+"."+string(format))
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s:\n%s\nwant:\n%s", path, got, want)
				}
				f, parsedFormat, err := feed.Parse(got)
				if err != nil || parsedFormat != format {
					t.Fatalf("Parse: %v, format %q", err, parsedFormat)
				}
				again, _ := feed.Text(f, format)
				if !bytes.Equal(again, got) {
					t.Errorf("parsed and written again:\n%s", again)
				}
			})
		}
	}
}

// keys returns a log key and its verifier.
func keys(t testing.TB, origin string) (note.Signer, note.Verifier) {
	t.Helper()
	skey, vkey, err := auditlog.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return s, v
}

// TestOpen: a signed feed opens with the authority's key; one changed byte, another key or
// no signature is ErrSignature; what is not a signed feed is ErrMalformed. A checkpoint
// signed by the same key is not a feed, and a feed is not a checkpoint.
func TestOpen(t *testing.T) {
	signer, verifier := keys(t, "authority.example/log")
	other, otherVerifier := keys(t, "authority.example/log")
	msg, err := feed.Sign(since40(), feed.CSV, signer)
	if err != nil {
		t.Fatal(err)
	}
	o, err := feed.Open(msg, []note.Verifier{verifier})
	if err != nil {
		t.Fatal(err)
	}
	if o.Format != feed.CSV || o.Version != 42 || o.Since != 40 || len(o.Changes) != 2 || len(o.Signers) != 1 {
		t.Errorf("opened %+v", o)
	}
	if _, err := feed.Open(msg, []note.Verifier{otherVerifier, verifier}); err != nil {
		t.Errorf("with the previous and the new key of a rotation: %v", err)
	}
	tampered := bytes.Replace(msg, []byte("old-mirror"), []byte("old-mirrOr"), 1)
	checkpoint, err := auditlog.Sign(auditlog.Checkpoint{Origin: "authority.example/log", Size: 42}, signer)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := feed.Text(since40(), feed.JSON)
	for name, tc := range map[string]struct {
		msg  []byte
		keys []note.Verifier
		want error
		says string
	}{
		"a byte changed":        {tampered, []note.Verifier{verifier}, feed.ErrSignature, "the feed was changed after it was signed"},
		"another key":           {msg, []note.Verifier{otherVerifier}, feed.ErrSignature, "not signed by the key authority.example/log+"},
		"unsigned text":         {text, []note.Verifier{verifier}, feed.ErrMalformed, "not a signed note"},
		"a checkpoint":          {checkpoint, []note.Verifier{verifier}, feed.ErrMalformed, `it starts with "authority.example/log"`},
		"cut short":             {msg[:len(msg)/2], []note.Verifier{verifier}, feed.ErrMalformed, "not a signed note"},
		"a control character":   {bytes.Replace(msg, []byte("old"), []byte("o\tl"), 1), []note.Verifier{verifier}, feed.ErrMalformed, "not a signed note"},
		"signed by another key": {must(feed.Sign(since40(), feed.JSON, other)), []note.Verifier{verifier}, feed.ErrSignature, "but by authority.example/log"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := feed.Open(tc.msg, tc.keys)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
	signedFeed := mustOpen(t, msg, verifier)
	if _, err := auditlog.ParseCheckpointText(string(signedFeed.Text)); !errors.Is(err, auditlog.ErrMalformed) {
		t.Errorf("a feed's text parses as a checkpoint: %v", err)
	}
	jsonFeed := must(feed.Sign(since40(), feed.JSON, signer))
	if _, err := auditlog.Open(jsonFeed, []note.Verifier{verifier}, nil); !errors.Is(err, auditlog.ErrMalformed) {
		t.Errorf("a signed feed opens as a checkpoint: %v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func mustOpen(t *testing.T, msg []byte, v note.Verifier) *feed.Opened {
	t.Helper()
	o, err := feed.Open(msg, []note.Verifier{v})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestParseRefuses: texts that are not feeds, each refused saying why.
func TestParseRefuses(t *testing.T) {
	csvText := string(must(feed.Text(since40(), feed.CSV)))
	jsonText := string(must(feed.Text(whole(), feed.JSON)))
	for name, tc := range map[string]struct{ text, says string }{
		"no final newline":       {strings.TrimSuffix(csvText, "\n"), "does not end in a newline"},
		"not UTF-8":              {"{\xff}\n", "not UTF-8"},
		"neither format":         {"hello\n", `it starts with "hello"`},
		"another format version": {strings.Replace(csvText, feed.Magic, "takedown.feed/v2", 1), `the format is "takedown.feed/v2"`},
		"a version not a number": {strings.Replace(csvText, ",42,40,", ",4x,40,", 1), `"4x" is not an integer`},
		"since after version":    {strings.Replace(csvText, ",42,40,", ",42,43,", 1), "want 0 ≤ since ≤ version"},
		"a change out of range":  {strings.Replace(csvText, "\n41,", "\n40,", 1), "the changes are of versions 41 to 42"},
		"entries header":         {strings.Replace(csvText, "version,added,", "target,subtree,", 1), "line 3 is target,subtree"},
		"missing field":          {strings.Replace(csvText, ",terrorism-apology,2\n", ",2\n", 1), "line 4 has 5 fields"},
		"not a boolean":          {strings.Replace(csvText, ",false,old", ",no,old", 1), `"no" is not true or false`},
		"a leading zero":         {strings.Replace(csvText, ",42,40,", ",042,40,", 1), "not written as the authority writes feeds"},
		"not UTC":                {strings.Replace(jsonText, "09:00:00Z", "10:00:00+01:00", 1), "not written as the authority writes feeds"},
		"unknown JSON field":     {strings.Replace(jsonText, `"list"`, `"lists"`, 1), `unknown field "lists"`},
		"unsorted entries":       {strings.NewReplacer("propaganda", "tribute-videos", "tribute-videos", "propaganda").Replace(jsonText), "entries are sorted by target"},
		"changes in a whole":     {strings.Replace(jsonText, `"entries"`, `"changes"`, 1), "a whole list (since 0) has entries"},
		"no as_of":               {strings.Replace(csvText, ",2026-01-12T10:30:00Z\n", ",\n", 1), "as_of"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := feed.Parse([]byte(tc.text))
			if !errors.Is(err, feed.ErrMalformed) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want ErrMalformed saying %q", err, tc.says)
			}
		})
	}
}

// TestTextRefuses: a feed that is not consistent, or that a note cannot hold, is not written.
func TestTextRefuses(t *testing.T) {
	bad := whole()
	bad.Entries[0].Target = "line\nbreak.example"
	if _, err := feed.Text(bad, feed.CSV); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("a target with a newline: %v", err)
	}
	noEntries := whole()
	noEntries.Entries = nil
	if _, err := feed.Text(noEntries, feed.JSON); !errors.Is(err, feed.ErrMalformed) {
		t.Errorf("a whole list without entries: %v", err)
	}
	if _, err := feed.Text(whole(), "xml"); err == nil {
		t.Error("an unknown format is written")
	}
}
