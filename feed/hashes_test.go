package feed_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/takedown-project/takedown"
	"github.com/takedown-project/takedown/feed"
)

// hashFeed is a delta of a platform's feed: one bank, an entry added and one tombstoned.
func hashFeed() *takedown.HashFeed {
	return &takedown.HashFeed{Since: 10, Cursor: 14, AsOf: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC),
		Banks: []takedown.HashFeedBank{{ID: 2, Name: "apology evidence", Offence: "terrorism-apology", Radius: 31, MinQuality: 50}},
		Entries: []takedown.HashFeedEntry{
			{ID: 7, BankID: 2, Type: takedown.HashPDQ, Value: strings.Repeat("ab", 32), Labels: []string{"video"}, State: takedown.EntryActive, Seq: 12},
			{ID: 3, BankID: 2, Type: takedown.HashMD5, Value: strings.Repeat("0f", 16), Labels: []string{}, State: takedown.EntryTombstoned, Seq: 14},
		}}
}

func TestHashFeed(t *testing.T) {
	signer, verifier := keys(t, "authority.example/log")
	msg, err := feed.SignHashes(hashFeed(), signer)
	if err != nil {
		t.Fatal(err)
	}
	o, err := feed.OpenHashes(msg, []note.Verifier{verifier})
	if err != nil {
		t.Fatal(err)
	}
	if o.Cursor != 14 || len(o.Entries) != 2 || o.Entries[1].State != takedown.EntryTombstoned || len(o.Signers) != 1 {
		t.Errorf("opened %+v", o.HashFeed)
	}
	if !bytes.HasPrefix(o.Text, []byte("{\n  \"format\": \"takedown.hashfeed/v1\"")) {
		t.Errorf("the text does not start with its format:\n%s", o.Text)
	}

	changed := bytes.Replace(msg, []byte(`"video"`), []byte(`"vidéo"`), 1)
	if _, err := feed.OpenHashes(changed, []note.Verifier{verifier}); !errors.Is(err, feed.ErrSignature) {
		t.Errorf("a changed feed: %v, want ErrSignature", err)
	}
	_, other := keys(t, "authority.example/log")
	if _, err := feed.OpenHashes(msg, []note.Verifier{other}); !errors.Is(err, feed.ErrSignature) {
		t.Errorf("another key: %v, want ErrSignature", err)
	}
	list, err := feed.Sign(since40(), feed.JSON, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := feed.OpenHashes(list, []note.Verifier{verifier}); !errors.Is(err, feed.ErrMalformed) {
		t.Errorf("a list feed opened as a hash feed: %v, want ErrMalformed", err)
	}
}

func TestCheckHashes(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*takedown.HashFeed)
		want   string
	}{
		"cursor before since":  {func(f *takedown.HashFeed) { f.Cursor = 5 }, "0 ≤ since ≤ cursor"},
		"no time":              {func(f *takedown.HashFeed) { f.AsOf = time.Time{} }, "as_of"},
		"out of order":         {func(f *takedown.HashFeed) { f.Entries[1].Seq = 11 }, "in the order of their changes"},
		"after the cursor":     {func(f *takedown.HashFeed) { f.Entries[1].Seq = 15 }, "up to the cursor 14"},
		"unlisted bank":        {func(f *takedown.HashFeed) { f.Entries[0].BankID = 9 }, "bank 9, which the feed does not list"},
		"uppercase hash":       {func(f *takedown.HashFeed) { f.Entries[0].Value = strings.Repeat("AB", 32) }, "lowercase"},
		"short hash":           {func(f *takedown.HashFeed) { f.Entries[0].Value = "ab" }, "64 hex digits, not 2"},
		"tombstone in a whole": {func(f *takedown.HashFeed) { f.Since = 0 }, "active entries only"},
		"unknown state":        {func(f *takedown.HashFeed) { f.Entries[0].State = "gone" }, `"gone" is not an entry state`},
	} {
		t.Run(name, func(t *testing.T) {
			f := hashFeed()
			tc.change(f)
			err := feed.CheckHashes(f)
			if !errors.Is(err, feed.ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrMalformed saying %q", err, tc.want)
			}
		})
	}
}

// FuzzOpenHashes: whatever text the authority's key signed, opening it never panics, and what
// opens is consistent.
func FuzzOpenHashes(f *testing.F) {
	signer, verifier := keys(f, "authority.example/log")
	msg, err := feed.SignHashes(hashFeed(), signer)
	if err != nil {
		f.Fatal(err)
	}
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	f.Add(append(text, '\n'))
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		signed, err := note.Sign(&note.Note{Text: string(text)}, signer)
		if err != nil {
			return // not a note's text
		}
		o, err := feed.OpenHashes(signed, []note.Verifier{verifier})
		if err != nil {
			return
		}
		if err := feed.CheckHashes(o.HashFeed); err != nil {
			t.Fatalf("opened an inconsistent feed: %v", err)
		}
	})
}
