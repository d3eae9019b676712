package feed_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/takedown-project/takedown/feed"
)

// FuzzParse: the parser that takedown feed verify runs on a downloaded feed never panics, and
// accepts only the texts the writer writes: whatever it parses is written back byte for byte.
func FuzzParse(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		parsed, format, err := feed.Parse(text)
		if err != nil {
			return
		}
		again, err := feed.Text(parsed, format)
		if err != nil {
			t.Fatalf("a parsed feed cannot be written: %v", err)
		}
		if !bytes.Equal(again, text) {
			t.Fatalf("parsed %q, written back %q", text, again)
		}
	})
}
